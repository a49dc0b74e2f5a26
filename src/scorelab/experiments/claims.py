"""Claims put to the model: each published claim next to the figures that bear on it, with
their 95% ranges over replicates, and how robust the model's finding is over the ranges of
the assumptions it rests on.

A claim names its runs (presets, with the same population size), the figures of the
catalogue that bear on it, a finding (one figure against a threshold) and the assumptions
(scenario parameters rated assumption in docs/sources.md, each with a range) to vary. Its
figures are medians over replicates; its robustness is a Morris run over the assumptions on
one seed (common random numbers), giving which assumption moves the finding's figure most
and the share of the sampled assumption space where the finding holds. The wording says what
the model shows under its assumptions, never that a claim about the world is true or false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..ledger.catalogue import MEASURE, RUN, SYSTEM, Figure
from ..ledger.reading import Reading, resolve
from ..ledger.result import Result
from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import load_scenario
from ..scenario.schema import Scenario
from .batch import run_many
from .params import apply, parse_range
from .replicates import run_replicates
from .sensitivity import analyse, sample

#: where the claims are made
SOURCE = ("MIT Technology Review, Zeyi Yang, \"China just announced a new social credit law. "
          "Here's what it means.\", 22 November 2022, https://www.technologyreview.com/2022/"
          "11/22/1063605/china-announced-a-new-social-credit-law-what-does-it-mean/")
MAX_REPLICATES = 50
MAX_SAMPLES = 50


@dataclass(frozen=True)
class Experiment:
    """One run of a claim's experiment: a preset at the claims' population size."""

    label: str
    preset: str
    days: int | None = None  # fewer days where the preset's own would be slow to replicate
    #: at least this many persons whatever the claims' size, where the figures rest on
    #: protest participants: a protest of a few hundred people is a fraction of a synthetic
    #: person at 20,000 persons, so figures per participant would be undefined
    min_persons: int | None = None

    def persons(self, asked: int) -> int:
        """The persons this experiment runs with when the claims ask for ``asked``."""
        return max(asked, self.min_persons or 0)


@dataclass(frozen=True)
class Bearing:
    """A figure that bears on a claim, in one of its runs."""

    label: str
    run: str
    figure: Figure
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """What the model shows, as one figure of one run against a threshold."""

    says: str  # ``{value}`` stands for the figure
    run: str
    figure: Figure
    names: tuple[str, ...] = ()
    above: float | None = None
    below: float | None = None

    def holds(self, value: float | None) -> bool | None:
        if value is None or not np.isfinite(value):
            return None
        return (self.above is None or value > self.above) and \
            (self.below is None or value < self.below)


@dataclass(frozen=True)
class Assumption:
    """A parameter rated assumption (docs/sources.md) and the range tried."""

    path: str
    low: float
    high: float


@dataclass(frozen=True)
class Claim:
    key: str
    says: str
    experiment: str
    runs: tuple[Experiment, ...]
    bearings: tuple[Bearing, ...]
    finding: Finding
    assumptions: tuple[Assumption, ...] = ()
    source: str = SOURCE


CHINA = Experiment("china-2022", "china-2022")
CHECKPOINTS = Experiment("checkpoints-2022", "checkpoints-2022", min_persons=500_000)
SCANNER = Experiment("phone-scanner", "phone-scanner")
HASH = Experiment("hash-threshold", "hash-threshold")
INTEGRATED = Experiment("integrated", "integrated", days=30)
PLAN = Experiment("plan-2014", "plan-2014")
AREA = Experiment("area-control-2022", "area-control-2022", min_persons=500_000)

CLAIMS: tuple[Claim, ...] = (
    Claim("no-national-score",
          "There is no country-wide score: select provinces and cities run several "
          "overlapping systems.",
          "china-2022: the national court list and four local point systems, none integrated; "
          "how many systems hold records on each synthetic person.",
          (CHINA,),
          (Bearing("persons scored by no system", "china-2022", RUN.scored_histogram, ("0",)),
           Bearing("scored by one system", "china-2022", RUN.scored_histogram, ("1",)),
           Bearing("scored by two systems", "china-2022", RUN.scored_histogram, ("2",)),
           Bearing("covered by two systems (live where two apply)", "china-2022",
                   RUN.coverage_histogram, ("2",)),
           Bearing("share scored by two or more systems", "china-2022",
                   RUN.share_scored_by_several),
           Bearing("sanctioned by any system", "china-2022", RUN.sanctioned_any)),
          Finding("the share of persons held by two or more systems is {value}, below half",
                  "china-2022", RUN.share_scored_by_several, below=0.5),
          (Assumption("systems.hangzhou.rules.volunteering.coverage", 0.1, 0.9),)),
    Claim("not-integrated",
          "Those systems were meant to be integrated with financial credit scores into one "
          "social credit score; that has not happened.",
          "integrated (hypothetical: the court list, Rongcheng's points and a bureau score "
          "linked to persons by splink, one composite per linked cluster) against china-2022, "
          "the separate systems.",
          (INTEGRATED, CHINA),
          (Bearing("sanctioned by the integrated score", "integrated",
                   SYSTEM.sanctioned, ("integrated-score",)),
           Bearing("of them wrongly", "integrated", SYSTEM.sanctioned_wrongly,
                   ("integrated-score",)),
           Bearing("wrongly because of a wrong merge", "integrated", SYSTEM.by_cause,
                   ("integrated-score", "wrong_merge")),
           Bearing("wrongly because of a split", "integrated", SYSTEM.by_cause,
                   ("integrated-score", "split")),
           Bearing("sanctioned by any separate system (same run)", "integrated",
                   RUN.sanctioned_any),
           Bearing("sanctioned by any system in china-2022", "china-2022",
                   RUN.sanctioned_any)),
          Finding("the integrated score sanctions {value} persons wrongly, more than none",
                  "integrated",
                  SYSTEM.sanctioned_wrongly, ("integrated-score",), above=0.0)),
    Claim("small-regions-struggle",
          "Even small regions have struggled to make such systems work.",
          "china-2022: the local point systems' records against the truth of what people did.",
          (CHINA,),
          (Bearing("Rongcheng: covered", "china-2022", SYSTEM.covered, ("rongcheng",)),
           Bearing("Rongcheng: scored", "china-2022", SYSTEM.scored, ("rongcheng",)),
           Bearing("Hangzhou: scored", "china-2022", SYSTEM.scored, ("hangzhou",)),
           Bearing("court list: sanctioned wrongly", "china-2022", SYSTEM.sanctioned_wrongly,
                   ("court-list",)),
           Bearing("court list: wrongly, stale records", "china-2022", SYSTEM.by_cause,
                   ("court-list", "stale_record"))),
          Finding("Hangzhou holds records on {value} of the persons it covers, below half",
                  "china-2022", SYSTEM.share_scored, ("hangzhou",), below=0.5),
          (Assumption("systems.hangzhou.rules.volunteering.coverage", 0.1, 0.9),)),
    Claim("plan-never-arrived",
          "The 2014 plan for a national system by 2020 never arrived; a draft law came in "
          "late 2022.",
          "plan-2014 (hypothetical: the 2014 outline read as one national score whose coverage "
          "grows to its 2020 target) against china-2022.",
          (PLAN, CHINA),
          (Bearing("plan-2014: sanctioned by the national score", "plan-2014",
                   SYSTEM.sanctioned, ("national-credit",)),
           Bearing("plan-2014: of them wrongly", "plan-2014", SYSTEM.sanctioned_wrongly,
                   ("national-credit",)),
           Bearing("plan-2014: sanctioned by any system", "plan-2014", RUN.sanctioned_any),
           Bearing("china-2022: sanctioned by any system", "china-2022",
                   RUN.sanctioned_any)),
          Finding("the planned national score sanctions {value} persons wrongly, more than "
                  "none", "plan-2014", SYSTEM.sanctioned_wrongly, ("national-credit",), above=0.0)),
    Claim("phone-checks",
          "Police stop people one by one to search their phones for protest photos and "
          "videos.",
          "checkpoints-2022: phone searches at checkpoints after protests.",
          (CHECKPOINTS,),
          (Bearing("phones searched", "checkpoints-2022", MEASURE.searches, ("checkpoints",)),
           Bearing("officer-hours", "checkpoints-2022", MEASURE.officer_hours,
                   ("checkpoints",)),
           Bearing("participants found per 1,000 searches", "checkpoints-2022",
                   MEASURE.participants_per_1000_searches, ("checkpoints",)),
           Bearing("innocents flagged", "checkpoints-2022", MEASURE.flagged_wrongly_total,
                   ("checkpoints",)),
           Bearing("innocent person-days per participant person-day restricted",
                   "checkpoints-2022", MEASURE.innocent_days_per_participant_day,
                   ("checkpoints",))),
          Finding("checkpoints flag {value} innocents per participant caught, more than one",
                  "checkpoints-2022",
                  MEASURE.innocent_per_caught, ("checkpoints",), above=1.0),
          (Assumption("measures.checkpoints.present_share", 0.2, 0.8),
           Assumption("measures.checkpoints.officers", 50, 400))),
    Claim("no-phone-scanner",
          "A program on every phone that finds protest photos, flags the owners and cuts "
          "their social media does not exist (and would be the sophisticated alternative).",
          "phone-scanner (hypothetical) against hash-threshold (the same scanner with the "
          "published parameters of Apple's 2021 design).",
          (SCANNER, HASH),
          (Bearing("scanner: innocents flagged", "phone-scanner",
                   MEASURE.flagged_wrongly_total, ("scanner",)),
           Bearing("scanner: participants flagged", "phone-scanner", MEASURE.flagged_rightly,
                   ("scanner",)),
           Bearing("scanner: reviewer-hours", "phone-scanner", MEASURE.reviewer_hours,
                   ("scanner",)),
           Bearing("scanner: largest review backlog", "phone-scanner",
                   MEASURE.review_backlog_max, ("scanner",)),
           Bearing("scanner: device compute (FLOPs)", "phone-scanner", MEASURE.device_flops,
                   ("scanner",)),
           Bearing("hash-threshold: innocents flagged", "hash-threshold",
                   MEASURE.flagged_wrongly_total, ("scanner",))),
          Finding("the scanner flags {value} innocents, more than none", "phone-scanner",
                  MEASURE.flagged_wrongly_total, ("scanner",), above=0.0),
          (Assumption("measures.scanner.match_fpr", 0.0001, 0.01),
           Assumption("measures.scanner.threshold", 1, 10))),
    Claim("area-measures",
          "Unable to identify individual dissidents, the authorities target whole areas: "
          "social media shut down for everyone, signal jammers.",
          "area-control-2022: beside the checkpoints of checkpoints-2022, a social-media "
          "shutdown of a share of the cities where a protest breaks out, and a jammer that "
          "cuts all signal at every protest site (everyone there and passers-by); innocents' "
          "restriction person-days per participant reached, measure by measure. Run with at "
          "least 500,000 persons, so that protests of a few hundred people reach synthetic "
          "participants.",
          (AREA,),
          (Bearing("checkpoints: innocent person-days per participant reached",
                   "area-control-2022", MEASURE.innocent_days_per_participant_reached,
                   ("checkpoints",)),
           Bearing("shutdown: innocent person-days per participant reached",
                   "area-control-2022", MEASURE.innocent_days_per_participant_reached,
                   ("city-shutdowns",)),
           Bearing("jammer: innocent person-days per participant reached",
                   "area-control-2022", MEASURE.innocent_days_per_participant_reached,
                   ("site-jammers",)),
           Bearing("checkpoints: participants reached", "area-control-2022",
                   MEASURE.participants_reached, ("checkpoints",)),
           Bearing("shutdown: participants reached", "area-control-2022",
                   MEASURE.participants_reached, ("city-shutdowns",)),
           Bearing("jammer: participants reached", "area-control-2022",
                   MEASURE.participants_reached, ("site-jammers",)),
           Bearing("checkpoints: innocents' restriction person-days", "area-control-2022",
                   MEASURE.restriction_person_days_innocent, ("checkpoints",)),
           Bearing("shutdown: innocents' restriction person-days", "area-control-2022",
                   MEASURE.restriction_person_days_innocent, ("city-shutdowns",)),
           Bearing("jammer: innocents' restriction person-days", "area-control-2022",
                   MEASURE.restriction_person_days_innocent, ("site-jammers",))),
          Finding("the shutdown restricts {value} person-days of uninvolved people, more than "
                  "none", "area-control-2022",
                  MEASURE.collateral_person_days, ("city-shutdowns",), above=0.0),
          (Assumption("measures.city-shutdowns.share", 0.05, 0.5),
           Assumption("measures.city-shutdowns.duration", 3, 30),
           Assumption("measures.site-jammers.passers_by_per_participant", 0, 5),
           Assumption("measures.site-jammers.duration", 1, 3))),
)


def claim_names() -> list[str]:
    return [c.key for c in CLAIMS]


@dataclass
class ClaimsResult:
    """What ``scorelab claims`` wrote: the contents of claims.json and the files."""

    results: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)


def select(names: list[str] | None) -> list[Claim]:
    """The claims asked for (all by default); an unknown name is a located error."""
    if not names:
        return list(CLAIMS)
    known = {c.key: c for c in CLAIMS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ScenarioError(Problem(f"unknown claim {unknown[0]!r}; claims: "
                                    f"{', '.join(known)}", path="--claim"))
    return [c for c in CLAIMS if c.key in names]  # in the published order


def experiment_scenario(experiment: Experiment, persons: int, seed: int | None) -> Scenario:
    overrides: dict[str, Any] = {"population": {"persons": experiment.persons(persons)}}
    if seed is not None:
        overrides["population"]["seed"] = seed
    if experiment.days is not None:
        overrides["days"] = experiment.days
    return load_scenario(preset=experiment.preset, overrides=overrides)


def run_claims(names: list[str] | None, persons: int, replicates: int, samples: int,
               backend: str = "local", workers: int | None = None,
               address: str | None = None, seed: int | None = None,
               write: Callable[[Result, str], Any] | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run every claim's experiments and robustness; return the contents of claims.json.
    ``write(result, label)`` keeps one run's files (its report is linked from the page, at
    ``runs/<label>/report.html`` beside it)."""
    claims = select(names)
    if not 2 <= replicates <= MAX_REPLICATES:
        raise ScenarioError(Problem(f"--replicates must be between 2 and {MAX_REPLICATES}, "
                                    f"got {replicates}", path="--replicates"))
    if not 2 <= samples <= MAX_SAMPLES:
        raise ScenarioError(Problem(f"--samples must be between 2 and {MAX_SAMPLES}, got "
                                    f"{samples}", path="--samples"))
    from ..engine.run import check_resources

    experiments = list({e.label: e for c in claims for e in c.runs}.values())
    scenarios = {e.label: experiment_scenario(e, persons, seed) for e in experiments}
    for scenario in scenarios.values():  # refused before anything runs
        check_resources(scenario, 1)
    robust = [c for c in claims if c.assumptions]
    total = len(experiments) + len(robust)
    done = 0
    readings: dict[str, Reading] = {}
    for e in experiments:
        result = run_replicates(scenarios[e.label], replicates, backend, workers, address)
        readings[e.label] = Reading(result.summary)
        if write is not None:
            write(result, e.label)
        done += 1
        if progress is not None:
            progress(done, total)
    found = []
    for claim in claims:
        entry = _claim_entry(claim, readings)
        if claim.assumptions:
            entry["robustness"] = _robustness(claim, scenarios[claim.finding.run], samples,
                                              backend, workers, address)
            done += 1
            if progress is not None:
                progress(done, total)
        found.append(entry)
    return {"source": SOURCE, "persons": persons, "replicates": replicates,
            "samples": samples, "claims": found,
            "runs": {e.label: {"preset": e.preset,
                               "persons": scenarios[e.label].population.persons,
                               "days": scenarios[e.label].days,
                               "report": f"runs/{e.label}/report.html"} for e in experiments}}


def _claim_entry(claim: Claim, readings: dict[str, Reading]) -> dict[str, Any]:
    figures = []
    for b in claim.bearings:
        reading = readings[b.run]
        spread = reading.interval(b.figure, *b.names)
        figures.append({"label": b.label, "run": b.run, "path": b.figure.at(*b.names),
                        "unit": b.figure.unit, "scale": reading.summary.scale,
                        **({"median": spread.median, "low": spread.low, "high": spread.high}
                           if spread is not None else {"median": None, "low": None,
                                                        "high": None})})
    f = claim.finding
    reading = readings[f.run]
    spread = reading.interval(f.figure, *f.names)
    value = reading.value(f.figure, *f.names)
    return {"key": claim.key, "number": CLAIMS.index(claim) + 1, "says": claim.says, "source": claim.source,
            "experiment": claim.experiment, "runs": [e.label for e in claim.runs],
            "figures": figures,
            "finding": {"says": f.says, "path": f.figure.at(*f.names), "run": f.run,
                        "median": value, "low": None if spread is None else spread.low,
                        "high": None if spread is None else spread.high,
                        "above": f.above, "below": f.below, "holds": f.holds(value)}}


def _robustness(claim: Claim, scenario: Scenario, samples: int, backend: str,
                workers: int | None, address: str | None) -> dict[str, Any]:
    """Morris over the claim's assumptions on one seed: which moves the finding's figure
    most, and the share of sampled points where the finding holds. A point where the figure
    is undefined (a ratio of nothing) counts as neither."""
    f = claim.finding
    params = [parse_range(scenario, f"{a.path}={a.low}:{a.high}") for a in claim.assumptions]
    output = f.figure.at(*f.names)
    seed = scenario.population.seed
    design = sample("morris", params, samples, seed)
    values = [[p.sample(x) for p, x in zip(params, row, strict=True)] for row in design]
    todo = [(i, apply(scenario, dict(zip(params, row, strict=True))))
            for i, row in enumerate(values)]
    found: dict[int, float | None] = {}
    for i, result in run_many(todo, backend, workers, address):
        found[i] = resolve(result.summary).get(output)
    ys = [found[i] for i in range(len(values))]
    held = [f.holds(y) for y in ys]
    decided = [h for h in held if h is not None]
    out: dict[str, Any] = {
        "method": "morris", "runs": len(values), "undefined": len(held) - len(decided),
        "holds_share": (sum(decided) / len(decided)) if decided else None,
        "assumptions": [{"path": a.path, "low": a.low, "high": a.high, "mu_star": None,
                         "mu_star_conf": None} for a in claim.assumptions],
        "drives": None}
    if all(y is not None for y in ys):
        effects = analyse("morris", params, np.asarray(values, dtype=np.float64),
                          np.asarray(ys, dtype=np.float64), seed)
        mu = effects["mu_star"]
        for i, entry in enumerate(out["assumptions"]):
            entry["mu_star"], entry["mu_star_conf"] = mu[i], effects["mu_star_conf"][i]
        top = int(np.argmax(mu))
        out["drives"] = claim.assumptions[top].path if mu[top] > 0 else None
    return out
