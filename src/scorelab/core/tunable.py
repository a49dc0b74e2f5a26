"""Parts whose parameters a schedule may change between days.

A part keeps the spec it was built from in ``spec`` and derives what it needs from it in
``configure``; a schedule hands it a new spec between two days through ``retune``, which
configures the part afresh and then lets it ``reconcile`` the state it already holds (persons
regraded under new grade floors, waiting times redrawn at a new rate). On resume from a
checkpoint only ``configure`` runs again: the saved state is already reconciled.
"""

from __future__ import annotations

from typing import Any


class Tunable:
    """Base of a part with a spec (see the module docstring)."""

    spec: Any

    def configure(self, spec: Any) -> None:
        """Take ``spec`` and derive every value the part caches from it; touch no state."""
        self.spec = spec

    def reconcile(self, day: int, old: Any) -> None:
        """Bring the state up to date after ``old`` gave way to ``self.spec`` before ``day``."""

    def retune(self, day: int, spec: Any) -> None:
        """A scheduled change, applied before ``day`` runs."""
        if spec == self.spec:
            return
        old = self.spec
        self.configure(spec)
        self.reconcile(day, old)
