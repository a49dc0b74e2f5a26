"""How numbers read: one set of formatting functions for the CLI's tables and the report, so a
national estimate is rounded the same wherever it is shown.

>>> format_count(12345), format_estimate(1234 * 70488.9), format_rate(0.0253)
('12,345', '87.0 M', '2.53%')
"""

from __future__ import annotations

import math

from ..ledger.summary import MIN_BASE, Interval

DASH = "\u2014"  # shown where a value is missing or undefined


def _finite(value: float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    out = float(value)
    return None if math.isnan(out) or math.isinf(out) else out


def format_count(value: float | None) -> str:
    """A simulated count with thousands separators (``12,345``); a dash if missing."""
    v = _finite(value)
    return DASH if v is None else f"{round(v):,}"


def format_estimate(value: float | None) -> str:
    """A national estimate, rounded for reading: three significant figures below a million
    (``70,500``), then ``1.2 M``, ``34.5 B``, ``123 T``. Estimates carry the sampling error of
    the synthetic population, so more digits would claim a precision they do not have."""
    v = _finite(value)
    if v is None:
        return DASH
    sign = "-" if v < 0 else ""
    a = abs(v)
    for unit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        scaled = round(a / unit, 1)
        if scaled >= 1.0:
            return f"{sign}{scaled:.1f} {suffix}" if scaled < 100 else \
                f"{sign}{round(a / unit):,} {suffix}"
    if a < 1000:
        return f"{sign}{round(a):,}"
    digits = len(str(int(a)))
    return f"{sign}{int(round(a, -(digits - 3))):,}"


def estimate(value: float | None, scale: float) -> str:
    """A simulated count as a national estimate (count x scale)."""
    v = _finite(value)
    return DASH if v is None else format_estimate(v * scale)


def format_scale(scale: float) -> str:
    """Real people per synthetic person: ``70,489`` or ``2.5``."""
    if scale >= 100 or float(scale).is_integer():
        return f"{round(scale):,}"
    return f"{scale:,.2f}".rstrip("0").rstrip(".")


def format_rate(value: float | None) -> str:
    """A fraction as a percentage, three significant figures (``2.53%``, ``<0.001%``)."""
    v = _finite(value)
    if v is None:
        return DASH
    pct = 100.0 * v
    if pct == 0:
        return "0%"
    if abs(pct) < 0.001:
        return "<0.001%"
    return f"{pct:.3g}%"


def format_share(part: float | None, whole: float | None) -> str:
    """``part / whole`` as a percentage with one decimal; a dash when undefined."""
    p, w = _finite(part), _finite(whole)
    if p is None or w is None or w <= 0:
        return DASH
    return f"{100.0 * p / w:.1f}%"


def format_ratio(value: float | None) -> str:
    """A ratio of two rates: ``1.27×``."""
    v = _finite(value)
    return DASH if v is None else f"{v:.2f}\u00d7"


def format_per(value: float | None) -> str:
    """Innocents per participant caught: ``0``, ``0.25``, ``18.2``, ``2,780``."""
    v = _finite(value)
    if v is None:
        return DASH
    if v == 0:
        return "0"
    if v < 10:
        return f"{v:.2f}"
    if v < 100:
        return f"{v:.1f}"
    return f"{round(v):,}"


def too_few(base: float | None, noun: str) -> str | None:
    """The mark of a share resting on fewer than ``MIN_BASE`` synthetic persons
    (``2 participants: too few to estimate``), or None when the base is large enough."""
    b = _finite(base)
    if b is None or b >= MIN_BASE:
        return None
    return f"{format_count(b)} {noun}: too few to estimate"


def format_interval(interval: Interval, scale: float | None = None) -> str:
    """Replicates' median and 2.5-97.5 percentiles: ``41 [35–48]`` (counts) or, with a scale,
    the same as national estimates."""
    if scale is None:
        return (f"{format_count(interval.median)} [{format_count(interval.low)}\u2013"
                f"{format_count(interval.high)}]")
    return (f"{format_estimate(interval.median * scale)} [{format_estimate(interval.low * scale)}"
            f"\u2013{format_estimate(interval.high * scale)}]")


def format_amount(v: float) -> str:
    """A cost amount: small fractional values keep three significant figures."""
    if abs(v) < 100 and not float(v).is_integer():
        return f"{v:.3g}"
    return format_count(v)


def format_sci(v: float) -> str:
    """``3.78×10^16`` for large values (below a million: a plain amount)."""
    if abs(v) < 1e6:
        return format_amount(v)
    mantissa, _e, exponent = f"{v:.2e}".partition("e")
    return f"{mantissa}\u00d710^{int(exponent)}"


def format_bytes(v: float) -> str:
    """Decimal byte units: ``13.5 GB``, ``94.8 TB``."""
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB")
    index = 0
    while abs(v) >= 999.5 and index < len(units) - 1:
        v /= 1000.0
        index += 1
    if index == 0:
        return f"{round(v):,} B"
    if abs(v) < 10:
        return f"{v:.2f} {units[index]}"
    if abs(v) < 100:
        return f"{v:.1f} {units[index]}"
    return f"{round(v):,} {units[index]}"


def format_cost(value: float | None, fmt: str, scale: float | None = None) -> str:
    """One cost (``fmt``: count, sci, bytes or usd), simulated or, with a scale, as a national
    estimate; a dash when zero or missing."""
    v = _finite(value)
    if v is None or v == 0:
        return DASH
    if scale is not None:
        v *= scale
    if fmt == "bytes":
        return format_bytes(v)
    if fmt == "sci":
        return format_sci(v)
    text = format_estimate(v) if scale is not None else format_amount(v)
    return "$" + text if fmt == "usd" else text
