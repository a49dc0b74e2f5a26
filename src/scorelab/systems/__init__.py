"""Scoring systems: point systems (and, later, lists), sanctions, appeals."""

from .registry import SYSTEM_KINDS, build_system

__all__ = ["SYSTEM_KINDS", "build_system"]
