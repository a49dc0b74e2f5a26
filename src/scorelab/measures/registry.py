"""Measure kinds by name: a new kind is one module and one entry here, plus its costs."""

from __future__ import annotations

from typing import Any

from ..scenario.schema import MeasureSpec
from .base import COSTS
from .checkpoint import CheckpointState
from .device_scan import DeviceScanState
from .shutdown import ShutdownState

MEASURE_KINDS: dict[str, Any] = {"checkpoint": CheckpointState, "device_scan": DeviceScanState,
                                 "shutdown": ShutdownState}


def stream_names(measures: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for name, spec in measures.items():
        if spec.kind == "checkpoint":
            names += CheckpointState.stream_names(name)
        elif spec.kind == "device_scan":
            names += DeviceScanState.stream_names(name)
    return names


def costs(spec: MeasureSpec, counts: dict[str, int], days: int, officer_hours: float
          ) -> dict[str, float]:
    """Costs from a measure's integer totals (synthetic units: times ``scale`` for real)."""
    out = {k: 0.0 for k in COSTS}
    out["detention_days"] = float(counts["detention_days"])
    if spec.kind == "checkpoint":
        out["officer_hours"] = officer_hours
    elif spec.kind == "device_scan":
        images = counts["installed"] * spec.photos_per_day * days + counts["protest_images"]
        out["images_scanned"] = images
        out["device_flops"] = images * spec.cost.flops_per_image
        out["energy_kwh"] = images * spec.cost.joules_per_image / 3.6e6
        out["upload_bytes"] = counts["matches"] * spec.cost.upload_bytes_per_match
        if spec.review is not None:
            out["reviewer_hours"] = counts["reviews"] * spec.review.minutes_per_review / 60
    elif spec.kind == "shutdown":
        out["economic_usd"] = counts["person_days_cut"] * spec.cost_per_person_day
    return out
