"""The explorer's sliders: the parameters that docs/sources.md rates an assumption or
uncertain, each with the range a slider spans and the row of the sources that says why.

A knob names a pattern of scenario paths (``*`` for a name: a system, a rule, an event) and
the row of ``docs/sources.md`` it rests on (the report ships a copy, read through
:func:`scorelab.report.methods.sources`). For a preset, a knob gives one slider per path its
resolved scenario has, except paths its ``schedule`` changes during the run (a slider there
would be overridden). The range is the row's own where the row gives one; otherwise it is the
explorer's, said so on the page: a factor either side of the preset's value (10 for rates,
shares and counts), or a span given here with its reason. Grade bands and score weights stay
in the YAML box: their values must keep an order or a sum that independent sliders cannot.

>>> [s.path for s in sliders("phone-scanner") if s.path.endswith("match_fpr")]
['measures.scanner.match_fpr']
>>> fpr = next(s for s in sliders("phone-scanner") if s.path.endswith("match_fpr"))
>>> fpr.low, fpr.high, fpr.tag
(0.0001, 0.01, 'assumption (order of magnitude from a simple hash)')
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..report.methods import sources
from ..scenario import load_scenario

#: the tags of docs/sources.md that make a parameter a slider (its confidence is low)
LOW_TAGS = ("assumption", "uncertain")


@dataclass(frozen=True)
class Span:
    """How a knob's range is found: ``factor`` either side of the preset's value, or the
    fixed ``low``-``high``; ``documented``: the row of the sources gives it (else it is the
    explorer's), ``why`` says where it comes from."""

    factor: float | None = None
    low: float | None = None
    high: float | None = None
    cap: float | None = None  # a share: never above this
    documented: bool = False
    why: str = ""

    def bounds(self, value: float) -> tuple[float, float] | None:
        """(low, high) around the preset's ``value``; None where a factor has nothing to
        scale (a value of 0)."""
        if self.factor is not None:
            if value == 0:
                return None
            ends = sorted((value / self.factor, value * self.factor))
            low, high = ends[0], ends[1]
        else:
            assert self.low is not None and self.high is not None
            low, high = self.low, self.high
        if self.cap is not None:
            high = min(high, self.cap)
        return low, high

    def text(self) -> str:
        if self.documented:
            return f"range from docs/sources.md: {self.why}"
        if self.factor is not None:
            shown = f"{self.factor:g}"
            return (f"the explorer's range (no source gives one): a factor of {shown} either "
                    f"side of the preset's value{', at most 1' if self.cap == 1 else ''}")
        return f"the explorer's range (no source gives one): {self.why}"


TEN = Span(factor=10)
SHARE = Span(factor=10, cap=1.0)
TWO = Span(factor=2)
#: a shutdown's duration, for any shutdown measure
SHUTDOWN_DAYS = Span(low=1, high=312, documented=True,
                     why="1 to 312 days (the Xinjiang shutdown of 2009-10 lasted 312)")
WHOLE_SHARE = Span(low=0.0, high=1.0, why="any share from 0 to 1")
BASE = Span(factor=1.25)


@dataclass(frozen=True)
class Knob:
    """A pattern of scenario paths and the sources row it rests on (see the module)."""

    pattern: str
    section: str  # the start of the sources section's title
    row: str  # the row's key, as docs/sources.md writes it (without backticks)
    span: Span
    presets: tuple[str, ...] | None = None  # None: every preset with the path ...
    not_presets: tuple[str, ...] = ()  # ... except these


US = ("united-states-2020",)
POP = "Population"
PROC = "Processes"
SYS = "Systems"
COURT = "The national court list"
MORE = "More point-system keys"
PLAN = "The 2014 planning outline"
CONTROL = "Protests and control measures"
FIN = "Financial scores"
INTEG = "The integrated score"
USA = "The United States"
PAYMENTS = ("pboc-bureau.payments.* (coverage 0.95-0.98, 30-day delay, misattribution 0.001), "
            "applications_per_year 0.5, approval 0.7, rescore_days 30, sanctions: "
            "{poor: [loans]}, appeals")
SESAME = ("sesame.file_coverage.no_file (0.3 of adults), sesame.payments.* coverage, the "
          "identity (1.0) and connections (0.5) factors, behaviour and ability to pay read "
          "from the credit file and income")
PROTESTS = ("protests.size_sigma, bystanders_per_participant, forward_share, contacts, "
            "photos_forwarded, photos_bystander")


def _appeals(prefix: str, section: str, row: str, **kw: Any) -> list[Knob]:
    return [Knob(f"{prefix}.appeals.rate", section, row, SHARE, **kw),
            Knob(f"{prefix}.appeals.capacity", section, row, TEN, **kw),
            Knob(f"{prefix}.appeals.latency", section, row, TEN, **kw),
            Knob(f"{prefix}.appeals.success", section, row, SHARE, **kw)]


def _population(section: str, borrower: str, income: str, shape: str, activism: str,
                min_age: str, **kw: Any) -> list[Knob]:
    return [
        Knob("population.borrower_share", section, borrower, SHARE, **kw),
        Knob("population.income.median", section, income, TEN, **kw),
        Knob("population.income.sigma", section, income, TWO, **kw),
        Knob("population.income.urban_multiplier", section, income, TWO, **kw),
        Knob("population.propensity_shape", section, shape, TWO, **kw),
        Knob("population.activism.a", section, activism, TWO, **kw),
        Knob("population.activism.b", section, activism, TWO, **kw),
        Knob("population.phone_min_age", section, min_age,
             Span(low=10, high=18, why="ages 10 to 18"), **kw),
    ]


def _city(name: str, section: str, row: str, base: Span = BASE) -> list[Knob]:
    return [Knob(f"systems.{name}.base", section, row, base),
            Knob(f"systems.{name}.rules.*.coverage", section, row, WHOLE_SHARE),
            Knob(f"systems.{name}.rules.*.points", section, row, TEN)]


KNOBS: tuple[Knob, ...] = (
    *_population(POP, "borrower_share", "income", "propensity_shape", "activism",
                 "phone_min_age", not_presets=US),
    Knob("processes.loan_repayment.rate", PROC, "loan_repayment.rate", SHARE, not_presets=US),
    Knob("processes.loan_repayment.outcomes.*", PROC, "loan_repayment.outcomes", SHARE,
         not_presets=US),
    Knob("processes.driving.rate", PROC, "driving.rate", SHARE, not_presets=US),
    Knob("processes.tax_filing.rate", PROC, "tax_filing.rate", SHARE, not_presets=US),
    Knob("processes.tax_filing.outcomes.*", PROC, "tax_filing.rate", SHARE, not_presets=US),
    Knob("processes.volunteering.rate", PROC, "volunteering.rate", SHARE, not_presets=US),
    # the court list
    Knob("systems.court-list.entry.coverage", COURT, "entry.coverage, entry.delay",
         WHOLE_SHARE),
    Knob("systems.court-list.entry.delay", COURT, "entry.coverage, entry.delay", TEN),
    Knob("systems.court-list.entry.remedy_days", COURT, "entry.remedy_days", TEN),
    Knob("systems.court-list.entry.false_rate", COURT, "entry.false_rate", SHARE),
    Knob("systems.court-list.entry.misattribution", COURT, "entry.misattribution", SHARE),
    Knob("systems.court-list.exit.remedy_unseen", COURT, "exit.remedy_unseen", SHARE),
    *_appeals("systems.court-list", COURT, "appeals"),
    # the city point systems
    Knob("systems.rongcheng.rules.*.coverage", SYS, "rongcheng.rules.*.coverage",
         Span(low=0.0, high=1.0, why="any share from 0 to 1 (the row gives the values the "
                                     "preset uses, 0.3-0.9)")),
    Knob("systems.rongcheng.rules.volunteering.points", SYS,
         "rongcheng.rules.volunteering.points",
         Span(low=0, high=30, documented=True, why="0 to 30 points (a \"heroic\" act earns "
                                                   "30, Foreign Policy)")),
    Knob("systems.rongcheng.expiry_days", MORE, "rongcheng.expiry_days", TEN),
    *_appeals("systems.rongcheng", MORE, "rongcheng.appeals"),
    *_city("hangzhou", SYS, "hangzhou.rules", base=Span(
        low=600, high=750, documented=True,
        why="600-750 (\"ordinary law-abiding residents with jobs usually score 600-750\")")),
    *_city("xiamen", MORE, "xiamen.base, xiamen.rules"),
    *_city("fuzhou", MORE, "fuzhou.base, fuzhou.rules"),
    # the 2014 outline's national score (its coverages follow the schedule)
    Knob("systems.national-credit.base", PLAN,
         "systems.national-credit base, grades, points, sanctions", BASE),
    Knob("systems.national-credit.rules.*.points", PLAN,
         "systems.national-credit base, grades, points, sanctions", TEN),
    # protests and control measures
    Knob("protests.size_sigma", CONTROL, PROTESTS, TWO),
    Knob("protests.bystanders_per_participant", CONTROL, PROTESTS, TEN),
    Knob("protests.forward_share", CONTROL, PROTESTS, SHARE),
    Knob("protests.contacts", CONTROL, PROTESTS, TEN),
    Knob("protests.photos_forwarded", CONTROL, PROTESTS, TEN),
    Knob("protests.photos_bystander", CONTROL, PROTESTS, TEN),
    Knob("protests.deletion", CONTROL, "protests.deletion", SHARE),
    Knob("measures.checkpoints.officers", CONTROL, "checkpoints.officers", TEN),
    Knob("measures.checkpoints.minutes_per_search", CONTROL, "checkpoints.minutes_per_search",
         TEN),
    Knob("measures.checkpoints.app_prevalence", CONTROL, "checkpoints.app_prevalence",
         Span(low=0.03, high=0.3, documented=True,
              why="3% to 30% of users (published estimates, as summarised by ChinaFile)")),
    Knob("measures.urumqi-shutdown.duration", CONTROL, "urumqi-shutdown",
         SHUTDOWN_DAYS),
    Knob("measures.city-shutdowns.share", CONTROL, "area-control-2022: city-shutdowns.share",
         Span(low=0.05, high=0.5, documented=True,
              why="one protest city in twenty to half of them")),
    Knob("measures.city-shutdowns.duration", CONTROL,
         "area-control-2022: city-shutdowns.duration, forwarding_factor",
         SHUTDOWN_DAYS),
    Knob("measures.site-jammers.passers_by_per_participant", CONTROL,
         "area-control-2022: site-jammers.passers_by_per_participant",
         Span(low=0, high=5, documented=True, why="0 to 5 passers-by per participant")),
    Knob("measures.site-jammers.duration", CONTROL, "area-control-2022: site-jammers.duration",
         Span(low=1, high=3, documented=True, why="1 to 3 days")),
    Knob("measures.scanner.photos_per_day", CONTROL, "scanner.photos_per_day", TEN),
    Knob("measures.scanner.install_rate", CONTROL, "scanner.install_rate, match_tpr", SHARE),
    Knob("measures.scanner.match_tpr", CONTROL, "scanner.install_rate, match_tpr", SHARE),
    Knob("measures.scanner.match_fpr", CONTROL, "phone-scanner: scanner.match_fpr", TEN,
         presets=("phone-scanner",)),
    Knob("measures.scanner.burst_mean", CONTROL, "phone-scanner: scanner.burst_mean",
         Span(low=1, high=30, why="1 (independent matches) to 10 times the preset's 3"),
         presets=("phone-scanner",)),
    Knob("measures.scanner.threshold", CONTROL, "phone-scanner: scanner.threshold, window",
         TEN, presets=("phone-scanner",)),
    Knob("measures.scanner.window", CONTROL, "phone-scanner: scanner.threshold, window", TEN,
         presets=("phone-scanner",)),
    Knob("measures.scanner.window", CONTROL, "hash-threshold: scanner.threshold, window", TEN,
         presets=("hash-threshold",)),
    *(Knob(f"measures.scanner.scope.{group}", CONTROL, "phone-scanner: scanner.scope", SHARE,
           presets=("phone-scanner",)) for group in ("majority", "minority")),
    Knob("measures.scanner.review.capacity", CONTROL, "scanner.review", TEN),
    Knob("measures.scanner.review.accuracy", CONTROL, "scanner.review",
         Span(low=0.5, high=1.0, why="from a coin toss (0.5) to no mistakes (1)")),
    Knob("measures.scanner.review.minutes_per_review", CONTROL, "scanner.review", TEN),
    Knob("measures.scanner.action.days", CONTROL, "scanner.action", TEN),
    Knob("measures.scanner.cost.joules_per_image", CONTROL, "scanner.cost.joules_per_image",
         Span(low=0.0088, high=0.175, documented=True,
              why="8.8-175 mJ per inference (MobileNetV2 family, DeepEn2023)")),
    Knob("measures.scanner.cost.upload_bytes_per_match", CONTROL,
         "scanner.cost.upload_bytes_per_match", TEN),
    # financial scores
    Knob("systems.pboc-bureau.payments.*.coverage", FIN, PAYMENTS, WHOLE_SHARE),
    Knob("systems.pboc-bureau.payments.*.delay", FIN, PAYMENTS, TEN),
    Knob("systems.pboc-bureau.payments.*.misattribution", FIN, PAYMENTS, SHARE),
    Knob("systems.pboc-bureau.applications_per_year", FIN, PAYMENTS, TEN),
    Knob("systems.pboc-bureau.approval", FIN, PAYMENTS, SHARE),
    Knob("systems.pboc-bureau.rescore_days", FIN, PAYMENTS, TEN),
    *_appeals("systems.pboc-bureau", FIN, PAYMENTS),
    Knob("systems.sesame.file_coverage.no_file", FIN, SESAME, SHARE),
    Knob("systems.sesame.payments.*.coverage", FIN, SESAME, WHOLE_SHARE),
    # the integrated score
    Knob("integration.every_days", INTEG, "integration.every_days", TEN),
    *(Knob(f"integration.sources.*.{kind}", INTEG, "integration.sources.*",
           Span(low=low, high=high, documented=True, why=why))
      for kind, low, high, why in (
          ("typo", 0.01, 0.03, "typos 1-3% per source"),
          ("pinyin", 0.01, 0.05, "pinyin variants 1-5% per source"),
          ("swap_day_month", 0.005, 0.01, "day/month swaps 0.5-1% per source"),
          ("id_digit", 0.005, 0.02, "a wrong ID digit 0.5-2% per source"),
          ("missing", 0.01, 0.05, "missing fields 1-5% per source"))),
    # the United States
    *_population(USA, "borrower_share", "income", "propensity_shape, activism",
                 "propensity_shape, activism", "phone_min_age", presets=US),
    Knob("processes.*.rate", USA, "processes.*", SHARE, presets=US),
    Knob("processes.*.outcomes.*", USA, "processes.*", SHARE, presets=US),
)


@dataclass(frozen=True)
class Row:
    """A row of docs/sources.md: its section, key, value, source and tag."""

    section: str
    key: str
    value: str
    source: str
    tag: str


@cache
def source_rows() -> tuple[Row, ...]:
    """Every row of the sources' tables (the report's copy of docs/sources.md)."""
    rows = []
    for section in sources()[1]:
        for block in section.blocks:
            if block.table is None:
                continue
            for r in block.table.rows:
                cells = [c.text for c in r.cells]
                source = cells[2] if len(cells) > 3 else ""
                rows.append(Row(section.title, cells[0], cells[1], source, cells[-1]))
    return tuple(rows)


def row_of(knob: Knob) -> Row | None:
    """The sources row a knob rests on; None where docs/sources.md has no such row."""
    for row in source_rows():
        if row.section.startswith(knob.section) and row.key == knob.row:
            return row
    return None


@dataclass(frozen=True)
class Slider:
    """One slider of a preset: its scenario path, the preset's value, its range and where
    that range and the value come from."""

    path: str
    value: float
    low: float
    high: float
    whole: bool
    span: Span
    row: Row

    @property
    def tag(self) -> str:
        return self.row.tag

    @property
    def group(self) -> str:
        """What the slider belongs to, for grouping on the page: ``population``,
        ``processes``, ``protests``, ``integration``, or the system or measure named."""
        parts = self.path.split(".")
        return " ".join(parts[:2]) if parts[0] in ("systems", "measures") else parts[0]

    def options(self) -> list[float]:
        """The values the slider steps through: the preset's value among about 20 steps,
        spaced by ratio where the range spans a factor of 10 or more, else evenly; whole
        numbers for a whole-number parameter."""
        low, high = self.low, self.high
        if low > 0 and high / low >= 10:
            decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
            raw = [m * 10.0 ** d for d in decades for m in (1, 1.5, 2, 3, 5, 7)]
        else:
            raw = [low + (high - low) * i / 20 for i in range(21)]
        values = {float(f"{v:.3g}") for v in raw if low * (1 - 1e-9) <= v <= high * (1 + 1e-9)}
        values |= {low, high}
        if self.whole:
            values = {float(round(v)) for v in values}
        values.add(self.value)
        return sorted(values)


def _paths(data: Any, pattern: list[str], prefix: tuple[str, ...] = ()
           ) -> Iterator[tuple[str, Any]]:
    if not pattern:
        yield ".".join(prefix), data
        return
    if not isinstance(data, Mapping):
        return
    head, rest = pattern[0], pattern[1:]
    keys = list(data) if head == "*" else [head] if head in data else []
    for key in keys:
        yield from _paths(data[key], rest, (*prefix, str(key)))


@cache
def sliders(preset: str) -> tuple[Slider, ...]:
    """The sliders of a preset, in the order of the knobs (see the module docstring)."""
    scenario = load_scenario(preset=preset)
    data = scenario.model_dump(mode="json")
    scheduled = {step.set for step in scenario.schedule}
    out: list[Slider] = []
    seen: set[str] = set()
    for knob in KNOBS:
        if knob.presets is not None and preset not in knob.presets:
            continue
        if preset in knob.not_presets:
            continue
        row = row_of(knob)
        if row is None:
            continue
        for path, value in _paths(data, knob.pattern.split(".")):
            if path in seen or path in scheduled or isinstance(value, bool) \
                    or not isinstance(value, int | float):
                continue
            bounds = knob.span.bounds(float(value))
            if bounds is None:
                continue
            whole = isinstance(value, int)
            low, high = (float(f"{b:.3g}") for b in bounds)  # 0.035, not 0.034999999999999996
            if whole:  # whole numbers, never scaled to 0 (a threshold of 0, no points)
                low, high = float(math.floor(low)), float(math.ceil(high))
                if knob.span.factor is not None:
                    low, high = (max(low, 1.0), high) if value > 0 else (low, min(high, -1.0))
            seen.add(path)
            out.append(Slider(path, float(value), low, high, whole, knob.span, row))
    return tuple(out)


def as_value(slider: Slider, value: float) -> int | float:
    """A slider's value as the scenario takes it (a whole number where the preset has one)."""
    return round(value) if slider.whole else float(value)


__all__ = ["KNOBS", "LOW_TAGS", "Knob", "Row", "Slider", "Span", "as_value", "row_of",
           "sliders", "source_rows"]
