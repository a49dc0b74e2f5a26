"""The catalogue of figures: every number that leaves the ledger, declared once.

A figure is a path into ``summary.json`` (``*`` stands for a name: a system, a measure, an
event, a grade...), a label, a unit, whether more of it is worse, and how it combines over
shards and over replicates. The CLI's tables, the report, the notebook view, replicates,
sweeps, sensitivity and compare all take figures from here, by the constants below; none
writes a figure's path by hand, so a path that changes in the summary changes here only, and
a test resolves every figure on every preset's summary.

A measure kind declares the figures of its own summary fields in its module (``FIGURES`` on
its summary model); the catalogue adds them after the shared measure figures, so a new kind
needs no line here.

Some figures are derived: not a field of ``summary.json`` but computed from the fields beside
them (a system's share sanctioned wrongly, the sum of wrongful sanctions over systems). They
are computed per run, so over replicates a derived share is the median of the runs' shares,
never a ratio of two medians.

Reading a summary through these figures is :mod:`scorelab.ledger.reading`.

>>> SYSTEM.sanctioned_wrongly.at("court-list")
'systems.court-list.sanctioned_wrongly'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

from ..measures.registry import MEASURE_KINDS

#: how a figure combines over shards: added up, the largest, or computed once the parts are
#: added up (a share, a ratio), or made by a global phase that sees every shard at once
Shards = Literal["sum", "max", "derived", "global"]
#: how a figure combines over replicates: always the median, with its 2.5-97.5 percentiles
REPLICATES = "median [2.5th-97.5th percentile]"

Derive = Callable[[Mapping[str, Any]], float | None]


@dataclass(frozen=True)
class Figure:
    """One figure of the catalogue (see the module docstring)."""

    path: str
    label: str
    unit: str
    worse: bool | None = None  # True: more is worse; False: more is better; None: neither
    shards: Shards = "sum"
    derive: Derive | None = field(default=None, compare=False, repr=False)
    #: the derivation reads the whole summary (a sum over systems), not the figure's parent
    of_run: bool = False

    @property
    def names(self) -> int:
        """How many names the path takes (its stars)."""
        return self.path.split(".").count("*")

    def at(self, *names: str) -> str:
        """The path of this figure for the given names, filling the stars in order."""
        if len(names) != self.names:
            raise ValueError(f"{self.path} takes {self.names} names, got {len(names)}")
        parts = iter(names)
        return ".".join(next(parts) if p == "*" else p for p in self.path.split("."))

    @property
    def direction(self) -> str:
        return {True: "more is worse", False: "more is better", None: ""}[self.worse]


_ALL: list[Figure] = []


def _figure(path: str, label: str, unit: str, worse: bool | None = None,
            shards: Shards = "sum", derive: Derive | None = None) -> Figure:
    of_run = path.startswith(("all_systems.", "all_measures."))
    found = Figure(path, label, unit, worse, shards, derive, of_run)
    _ALL.append(found)
    return found


def _ratio(part: str, whole: str) -> Derive:
    def derive(node: Mapping[str, Any]) -> float | None:
        a, b = node.get(part), node.get(whole)
        return None if not is_number(a) or not is_number(b) or not b else float(a) / float(b)
    return derive


def _per(part: str, whole: str, times: float) -> Derive:
    """``part`` per ``times`` of ``whole`` (participants found per 1,000 searches)."""
    ratio = _ratio(part, whole)

    def derive(node: Mapping[str, Any]) -> float | None:
        found = ratio(node)
        return None if found is None else found * times
    return derive


def _innocent_per_participant_day(node: Mapping[str, Any]) -> float | None:
    """Innocents' restriction person-days per person-day a participant was restricted."""
    everyone, innocent = node.get("restriction_person_days"), \
        node.get("restriction_person_days_innocent")
    if not is_number(everyone) or not is_number(innocent) or everyone - innocent <= 0:
        return None
    return float(innocent) / float(everyone - innocent)


def _innocent_per_participant_reached(node: Mapping[str, Any]) -> float | None:
    """Innocents' restriction person-days per participant the measure reached (restricted or
    detained at least once while a participant)."""
    innocent, reached = node.get("restriction_person_days_innocent"), \
        node.get("participants_reached")
    if not is_number(innocent) or not is_number(reached) or reached <= 0:
        return None
    return float(innocent) / float(reached)


def _scored_by_several(node: Mapping[str, Any]) -> float | None:
    histogram, persons = node.get("scored_histogram") or {}, node.get("persons")
    if not is_number(persons) or not persons:
        return None
    return float(histogram.get("2", 0) + histogram.get("3+", 0)) / float(persons)


def _over(section: str, key: str) -> Derive:
    def derive(node: Mapping[str, Any]) -> float | None:
        parts = node.get(section) or {}
        if not parts:
            return None
        return float(sum(part.get(key) or 0 for part in parts.values()))
    return derive


def is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


class RUN:
    """Figures of the whole run."""

    sanctioned_any = _figure("sanctioned_any", "sanctioned by any system", "persons", True)
    sanctioned_wrongly_any = _figure("sanctioned_wrongly_any",
                                     "sanctioned wrongly by any system", "persons", True)
    share_wrongly_any = _figure(
        "share_wrongly_any", "share wrongly of those sanctioned by any system",
        "share", True, "derived", _ratio("sanctioned_wrongly_any", "sanctioned_any"))
    share_scored_by_several = _figure(
        "share_scored_by_several", "share of persons scored by two or more systems", "share",
        None, "derived", _scored_by_several)
    conflicting_grades = _figure("conflicting_grades",
                                 "at a top standing and a bottom one at once", "persons", True)
    # summed over systems (a person sanctioned by two systems counts twice)
    systems_sanctioned = _figure("all_systems.sanctioned", "sanctioned, summed over systems",
                                 "persons", True, "derived", _over("systems", "sanctioned"))
    systems_sanctioned_wrongly = _figure(
        "all_systems.sanctioned_wrongly", "sanctioned wrongly, summed over systems", "persons",
        True, "derived", _over("systems", "sanctioned_wrongly"))
    systems_records = _figure("all_systems.records", "records filed, summed over systems",
                              "records", None, "derived", _over("systems", "records"))
    systems_wrongful_person_days = _figure(
        "all_systems.wrongful_person_days", "wrongful person-days, summed over systems",
        "person-days", True, "derived", _over("systems", "wrongful_person_days"))
    measures_flagged_wrongly = _figure(
        "all_measures.flagged_wrongly_total", "innocents flagged, summed over measures",
        "persons", True, "derived", _over("measures", "flagged_wrongly_total"))
    measures_innocent_days = _figure(
        "all_measures.restriction_person_days_innocent",
        "innocents' restriction person-days, summed over measures", "person-days", True,
        "derived", _over("measures", "restriction_person_days_innocent"))
    measures_collateral_days = _figure(
        "all_measures.collateral_person_days",
        "collateral person-days, summed over measures", "person-days", True, "derived",
        _over("measures", "collateral_person_days"))
    events = _figure("events.*", "true events", "events")
    coverage_histogram = _figure("coverage_histogram.*", "persons covered by this many systems",
                                 "persons")
    scored_histogram = _figure("scored_histogram.*", "persons scored by this many systems",
                               "persons")
    restrictions = _figure("restrictions.*.*", "restriction person-days by sanction and "
                           "system", "person-days", True)


class POPULATION:
    """The synthetic population (drawn from the seed, so it varies over replicates)."""

    adults = _figure("population.adults", "adults", "persons")
    urban = _figure("population.urban", "urban", "persons")
    minority = _figure("population.minority", "minority", "persons")
    phone = _figure("population.phone", "phone owners", "persons")
    borrowers = _figure("population.borrowers", "borrowers", "persons")


class DISPARITY:
    """Sanction rates by part of the population (persons sanctioned by any system)."""

    sanction_rate = _figure("disparity.sanction_rate", "national sanction rate", "share", True,
                            "derived")
    # the parts: group (majority, minority) and urban (rural, urban), then provinces
    group_sanctioned = _figure("disparity.group.*.sanctioned", "sanctioned", "persons", True)
    group_wrongly = _figure("disparity.group.*.sanctioned_wrongly", "sanctioned wrongly",
                            "persons", True)
    group_rate = _figure("disparity.group.*.rate", "sanction rate", "share", True, "derived")
    group_wrong_rate = _figure("disparity.group.*.wrong_rate", "wrongful sanction rate",
                               "share", True, "derived")
    group_ratio = _figure("disparity.group.ratio_minority_to_majority",
                          "sanction rate, minority / majority", "ratio", None, "derived")
    urban_sanctioned = _figure("disparity.urban.*.sanctioned", "sanctioned", "persons", True)
    urban_wrongly = _figure("disparity.urban.*.sanctioned_wrongly", "sanctioned wrongly",
                            "persons", True)
    urban_rate = _figure("disparity.urban.*.rate", "sanction rate", "share", True, "derived")
    urban_wrong_rate = _figure("disparity.urban.*.wrong_rate", "wrongful sanction rate",
                               "share", True, "derived")
    urban_ratio = _figure("disparity.urban.ratio_rural_to_urban",
                          "sanction rate, rural / urban", "ratio", None, "derived")
    province_sanctioned = _figure("disparity.province.*.sanctioned", "sanctioned", "persons",
                                  True)
    province_ratio = _figure("disparity.province.*.ratio_to_national",
                             "sanction rate / national rate", "ratio", None, "derived")


class SYSTEM:
    """Figures of one scoring system (``*``: its name in the scenario)."""

    covered = _figure("systems.*.covered", "covered (in its jurisdiction)", "persons")
    scored = _figure("systems.*.scored", "scored (with records)", "persons")
    records = _figure("systems.*.records", "records filed", "records")
    share_scored = _figure("systems.*.share_scored", "share of the covered with records",
                           "share", None, "derived", _ratio("scored", "covered"))
    sanctioned = _figure("systems.*.sanctioned", "sanctioned", "persons", True)
    sanctioned_wrongly = _figure("systems.*.sanctioned_wrongly", "sanctioned wrongly",
                                 "persons", True)
    share_wrongly = _figure("systems.*.share_wrongly", "share wrongly of the sanctioned",
                            "share", True, "derived",
                            _ratio("sanctioned_wrongly", "sanctioned"))
    by_cause = _figure("systems.*.sanctioned_wrongly_by_cause.*", "sanctioned wrongly, by "
                       "cause", "persons", True)
    rewarded = _figure("systems.*.rewarded", "rewarded", "persons")
    restriction_person_days = _figure("systems.*.restriction_person_days",
                                      "restriction person-days", "person-days", True)
    wrongful_person_days = _figure("systems.*.wrongful_person_days", "wrongful person-days",
                                   "person-days", True)
    by_sanction = _figure("systems.*.restriction_person_days_by_sanction.*",
                          "restriction person-days, by sanction", "person-days", True)
    by_reward = _figure("systems.*.reward_person_days_by_reward.*", "reward person-days, by "
                        "reward", "person-days")
    grades = _figure("systems.*.grades.*", "persons per recorded grade at the end", "persons")
    grades_truth = _figure("systems.*.grades_truth.*", "persons per true grade at the end",
                           "persons")
    files = _figure("systems.*.files", "persons with a credit file", "persons")
    listed = _figure("systems.*.listed", "listed (ever)", "persons", True)
    listed_wrongly = _figure("systems.*.listed_wrongly", "listed wrongly (ever)", "persons",
                             True)
    listed_at_end = _figure("systems.*.listed_at_end", "listed at the end", "persons", True)
    listed_wrongly_at_end = _figure("systems.*.listed_wrongly_at_end",
                                    "listed wrongly at the end", "persons", True)
    appeals_filed = _figure("systems.*.appeals_filed", "appeals filed", "appeals")
    appeals_decided = _figure("systems.*.appeals_decided", "appeals decided", "appeals")
    appeals_won = _figure("systems.*.appeals_won", "appeals won", "appeals")
    appeals_share_won = _figure("systems.*.appeals_share_won", "share of decided appeals won",
                                "share", False, "derived",
                                _ratio("appeals_won", "appeals_decided"))
    appeal_backlog_max = _figure("systems.*.appeal_backlog_max",
                                 "largest appeal backlog (one day)", "appeals", True, "max")
    appeal_backlog_at_end = _figure("systems.*.appeal_backlog_at_end", "appeal backlog at "
                                    "the end", "appeals", True)
    by_role = _figure("systems.*.sanctioned_by_role.*", "sanctioned, by true role", "persons")
    precision_participants = _figure("systems.*.precision_participants",
                                     "participants among the sanctioned", "share", False,
                                     "derived")
    joint_sanctioned = _figure("systems.*.joint_punishment.*.sanctioned",
                               "sanctioned by joint punishment", "persons", True)
    joint_wrongly = _figure("systems.*.joint_punishment.*.sanctioned_wrongly",
                            "sanctioned wrongly by joint punishment", "persons", True)
    joint_person_days = _figure("systems.*.joint_punishment.*.restriction_person_days",
                                "restriction person-days of joint punishment", "person-days",
                                True)
    joint_by_sanction = _figure(
        "systems.*.joint_punishment.*.restriction_person_days_by_sanction.*",
        "restriction person-days of joint punishment, by sanction", "person-days", True)


class MEASURE:
    """Figures of one control measure (``*``: its name in the scenario)."""

    flagged = _figure("measures.*.flagged", "flagged", "persons")
    flagged_rightly = _figure("measures.*.flagged_rightly", "flagged rightly (participants)",
                              "persons", False)
    flagged_wrongly = _figure("measures.*.flagged_wrongly.*", "flagged wrongly, by true role",
                              "persons", True)
    flagged_wrongly_total = _figure("measures.*.flagged_wrongly_total",
                                    "innocents flagged", "persons", True)
    participants = _figure("measures.*.participants", "protest participants (in truth)",
                           "persons")
    restriction_person_days = _figure("measures.*.restriction_person_days",
                                      "restriction person-days", "person-days")
    restriction_person_days_innocent = _figure(
        "measures.*.restriction_person_days_innocent", "innocents' restriction person-days",
        "person-days", True)
    collateral_person_days = _figure("measures.*.collateral_person_days",
                                     "collateral person-days (uninvolved restricted)",
                                     "person-days", True)
    participants_reached = _figure("measures.*.participants_reached",
                                   "participants reached (restricted or detained)", "persons")
    precision = _figure("measures.*.precision", "precision (participants among the flagged)",
                        "share", False, "derived")
    recall = _figure("measures.*.recall", "recall (participants flagged)", "share", False,
                     "derived")
    innocent_per_caught = _figure("measures.*.innocent_per_participant_caught",
                                  "innocents flagged per participant caught", "ratio", True,
                                  "derived")
    confirmed = _figure("measures.*.confirmed", "confirmed by reviewers", "persons")
    confirmed_wrongly = _figure("measures.*.confirmed_wrongly", "confirmed wrongly", "persons",
                                True)
    searches = _figure("measures.*.searches", "phones searched", "searches")
    participants_per_1000_searches = _figure(
        "measures.*.participants_per_1000_searches", "participants flagged per 1,000 searches",
        "ratio", False, "derived", _per("flagged_rightly", "searches", 1000.0))
    innocent_days_per_participant_day = _figure(
        "measures.*.innocent_days_per_participant_day",
        "innocents' restriction person-days per participant's", "ratio", True, "derived",
        _innocent_per_participant_day)
    innocent_days_per_participant_reached = _figure(
        "measures.*.innocent_days_per_participant_reached",
        "innocents' restriction person-days per participant reached", "ratio", True,
        "derived", _innocent_per_participant_reached)
    search_hits = _figure("measures.*.search_hits", "searches that found something",
                          "searches")
    installed = _figure("measures.*.installed", "phones with the scanner installed", "persons")
    matches = _figure("measures.*.matches", "images matched", "images")
    review_backlog_max = _figure("measures.*.review_backlog_max",
                                 "largest review backlog (one day)", "persons", True, "max")
    officer_hours = _figure("measures.*.cost.officer_hours", "officer-hours", "hours", True)
    reviewer_hours = _figure("measures.*.cost.reviewer_hours", "reviewer-hours", "hours", True)
    images_scanned = _figure("measures.*.cost.images_scanned", "images scanned", "images",
                             True)
    device_flops = _figure("measures.*.cost.device_flops", "device compute", "FLOPs", True)
    energy_kwh = _figure("measures.*.cost.energy_kwh", "energy", "kWh", True)
    upload_bytes = _figure("measures.*.cost.upload_bytes", "data uploaded", "bytes", True)
    detention_days = _figure("measures.*.cost.detention_days", "detention days", "days", True)
    economic_usd = _figure("measures.*.cost.economic_usd", "economic cost", "US$", True)


def _kind_figures(known: tuple[Figure, ...] | list[Figure]) -> tuple[Figure, ...]:
    """The figures the registered measure kinds declare for their own fields (``FIGURES`` on
    each summary model), in the registry's order, each once, less those ``known``."""
    paths = {f.path for f in known}
    out: dict[str, Figure] = {}
    for model in MEASURE_KINDS.summaries().values():
        for name, (label, unit, worse) in getattr(model, "FIGURES", {}).items():
            path = f"measures.*.{name}"
            if path not in paths and path not in out:
                out[path] = Figure(path, label, unit, worse)
    return tuple(out.values())


#: the measure kinds' own figures, as registered when the catalogue is built (after the shared
#: ones; :func:`kind_figures` adds those of kinds registered later, a plugin's)
MEASURE_KIND_FIGURES = _kind_figures(_ALL)
_ALL.extend(MEASURE_KIND_FIGURES)

#: a measure's costs, in the order the report lists them
COSTS = (MEASURE.officer_hours, MEASURE.reviewer_hours, MEASURE.images_scanned,
         MEASURE.device_flops, MEASURE.energy_kwh, MEASURE.upload_bytes,
         MEASURE.detention_days, MEASURE.economic_usd)


class PROTESTS:
    """Protests and persons by their most involved role."""

    protests = _figure("protests.protests", "protests", "protests", None, "global")
    participants = _figure("protests.participants", "participants", "persons", None, "global")
    bystanders = _figure("protests.bystanders", "bystanders", "persons", None, "global")
    recipients = _figure("protests.recipients", "recipients of forwarded photos", "persons",
                         None, "global")
    uninvolved = _figure("protests.uninvolved", "uninvolved", "persons", None, "global")


class INTEGRATION:
    """The hypothetical integrated score: its last linkage against the truth."""

    linkages = _figure("integration.linkages", "linkage runs", "runs", None, "global")
    records = _figure("integration.records", "identity records linked", "records", None,
                      "global")
    persons = _figure("integration.persons", "true persons behind them", "persons", None,
                      "global")
    clusters = _figure("integration.clusters", "clusters made", "clusters", None, "global")
    pairs_matched = _figure("integration.pairs_matched", "record pairs at or above the "
                            "threshold", "pairs", None, "global")
    true_pairs = _figure("integration.true_pairs", "same-person pairs", "pairs", None,
                         "global")
    predicted_pairs = _figure("integration.predicted_pairs", "linked pairs", "pairs", None,
                              "global")
    true_positive_pairs = _figure("integration.true_positive_pairs",
                                  "linked pairs that are one person", "pairs", False, "global")
    precision = _figure("integration.precision", "pairwise precision", "share", False,
                        "global")
    recall = _figure("integration.recall", "pairwise recall", "share", False, "global")
    f1 = _figure("integration.f1", "pairwise F1", "share", False, "global")
    wrongful_merges = _figure("integration.wrongful_merges", "wrong merges (clusters of two "
                              "or more persons)", "clusters", True, "global")
    persons_in_wrongful_merges = _figure("integration.persons_in_wrongful_merges",
                                         "persons in wrong merges", "persons", True, "global")
    split_persons = _figure("integration.split_persons", "persons split over two or more "
                            "clusters", "persons", True, "global")
    sanctioned = _figure("integration.sanctioned", "sanctioned by the integrated score now",
                         "persons", True, "global")
    sanctioned_with_perfect_linkage = _figure(
        "integration.sanctioned_with_perfect_linkage", "sanctioned by it with a perfect "
        "linkage", "persons", None, "global")
    sanctioned_by_merge = _figure("integration.sanctioned_by_merge", "sanctioned only because "
                                  "of a wrong merge", "persons", True, "global")
    sanctioned_by_split = _figure("integration.sanctioned_by_split", "sanctioned only because "
                                  "of a split", "persons", True, "global")
    escaped_by_split = _figure("integration.escaped_by_split", "escaped its sanction by a "
                               "split", "persons", None, "global")
    sanctioned_ever = _figure("integration.sanctioned_ever", "ever sanctioned by the "
                              "integrated score", "persons", True, "global")
    restriction_person_days = _figure("integration.restriction_person_days",
                                      "restriction person-days of the integrated score",
                                      "person-days", True, "global")
    fragmented_sanctioned_any = _figure("integration.fragmented_sanctioned_any",
                                        "sanctioned by any separate system", "persons", True,
                                        "derived")


#: every figure, in the order readers list them
FIGURES: tuple[Figure, ...] = tuple(_ALL)


def kind_figures() -> tuple[Figure, ...]:
    """The measure kinds' own figures, a kind registered after the catalogue was built
    included: a new kind declares them in its module, and no line here names them."""
    return MEASURE_KIND_FIGURES + _kind_figures(FIGURES)


def every_figure() -> tuple[Figure, ...]:
    """:data:`FIGURES`, and the own figures of measure kinds registered since."""
    return FIGURES + _kind_figures(FIGURES)


def figure_of(path: str) -> Figure | None:
    """The catalogue's figure a concrete path belongs to (None if it is not a figure)."""
    parts = path.split(".")
    for found in every_figure():
        pattern = found.path.split(".")
        if len(pattern) == len(parts) and all(p in ("*", q) for p, q in zip(pattern, parts)):
            return found
    return None


def describe() -> list[dict[str, str]]:
    """The catalogue as rows (path, label, unit, direction, shards, replicates): what
    ``scorelab figures`` prints and docs/outputs.md lists."""
    return [{"path": f.path, "label": f.label, "unit": f.unit, "direction": f.direction,
             "shards": f.shards, "replicates": "median"} for f in every_figure()]
