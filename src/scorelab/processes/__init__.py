"""Ground-truth behaviour: trials and their outcome events."""

from .events import Process, build_processes

__all__ = ["Process", "build_processes"]
