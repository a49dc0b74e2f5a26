"""The claims page: each claim, its source, the experiment, the figures that bear on it with
their 95% ranges over replicates, what the model shows under its assumptions, how robust that
is over the assumptions' ranges, and links to the full report of each run. Built from the
contents of ``claims.json`` with the report's templates and CSS."""

from __future__ import annotations

from typing import Any

from .html import render_page
from .numbers import DASH, format_count, format_estimate, format_rate, format_sci
from .tables import Cell, Column, Row, Table
from .view import Page, Section


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return DASH
    if unit == "share":
        return format_rate(value)
    if unit == "ratio":
        return f"{value:.3g}"
    if unit == "FLOPs":
        return format_sci(value)
    if abs(value) < 100 and not float(value).is_integer():
        return f"{value:.3g}"
    return format_count(value)


def _spread(found: dict[str, Any], unit: str) -> str:
    """``median [2.5th–97.5th]``."""
    if found.get("median") is None:
        return DASH
    return (f"{_value(found['median'], unit)} [{_value(found['low'], unit)}\u2013"
            f"{_value(found['high'], unit)}]")


def _national(found: dict[str, Any]) -> str:
    if found.get("median") is None or found["unit"] in ("share", "ratio"):
        return ""
    scale = found["scale"]
    return (f"{format_estimate(found['median'] * scale)} [{format_estimate(found['low'] * scale)}"
            f"\u2013{format_estimate(found['high'] * scale)}]")


def finding_text(claim: dict[str, Any]) -> str:
    """What the model shows, worded as a finding under its assumptions."""
    f = claim["finding"]
    unit = next((x["unit"] for x in claim["figures"] if x["path"] == f["path"]),
                "share" if f["path"].split(".")[-1].startswith("share") else "persons")
    said = f["says"].format(value=_spread(f, unit))
    verdict = {True: "holds", False: "does not hold", None: "cannot be read"}[f["holds"]]
    return (f"In the model, under its stated assumptions: {said} (median over replicates "
            f"[2.5th\u201397.5th percentile]). This finding {verdict} in the median run; it "
            "says what the model shows, not whether the claim about the world is true.")


def robustness_text(claim: dict[str, Any]) -> str:
    r = claim.get("robustness")
    if not r:
        return "Robustness: no assumption of this experiment is varied."
    share = r["holds_share"]
    ranges = "; ".join(f"{a['path']} {a['low']:g} to {a['high']:g}"
                       + ("" if a["mu_star"] is None else f" (mu* {a['mu_star']:.3g})")
                       for a in r["assumptions"])
    held = DASH if share is None else f"{100 * share:.0f}%"
    if r["drives"]:
        drives = f"the figure moves most with {r['drives']}"
    elif r["undefined"]:
        drives = (f"the figure is undefined in {r['undefined']} of them (nothing to divide "
                  "by), so no effect is estimated")
    else:
        drives = "no assumption moves the figure"
    return (f"Robustness: over {r['runs']} runs sampling the assumptions ({ranges}; Morris "
            f"elementary effects, one seed), the finding holds in {held} of those where it "
            f"can be read; {drives}.")


def build_claims(results: dict[str, Any]) -> Page:
    sections = []
    for claim in results["claims"]:
        index = claim["number"]
        rows = tuple(Row((Cell(f["label"], cls="label", detail=f"{f['run']} \u00b7 {f['path']}"),
                          Cell(_spread(f, f["unit"]), f["median"], "num", key=f["path"]),
                          Cell(_national(f), None, "num est")))
                     for f in claim["figures"])
        table = Table(f"claim-{index}-figures", (Column("Figure"),
                                                 Column("median [95% of replicates]", "num"),
                                                 Column("national est.", "num")), rows)
        links = tuple((f"report of {run}", results["runs"][run]["report"])
                      for run in claim["runs"])
        sections.append(Section(
            f"claim-{index}", f"Claim {index}: {claim['says']}",
            lead=f"Source: {claim['source']}.",
            paragraphs=(f"Experiment: {claim['experiment']}", finding_text(claim),
                        robustness_text(claim)),
            tables=(table,), links=links, cls="claim"))
    larger = ", ".join(f"{label} {run['persons']:,}" for label, run in results["runs"].items()
                       if run.get("persons", results["persons"]) != results["persons"])
    description = (f"{len(results['claims'])} claims; {results['persons']:,} synthetic persons "
                   f"per run{f' ({larger})' if larger else ''}, {results['replicates']} "
                   f"replicates, {results['samples']} Morris trajectories per robustness check")
    return Page(title="scorelab claims", heading="Claims, tested in the model",
                description=description,
                meta=(("Every figure is the median over the replicates with the range where "
                      "95% of them fall. Persons are synthetic; findings hold under the "
                      "scenarios' stated assumptions (docs/sources.md)."),),
                nav=tuple((s.id, s.title.split(":")[0]) for s in sections),
                warnings=(), sections=tuple(sections),
                footer=("Generated by scorelab. All persons are synthetic.",))


def render_claims(results: dict[str, Any], *, plotlyjs: str = "inline") -> str:
    """One HTML page of the claims (the contents of ``claims.json``)."""
    return render_page("compare.html.j2", build_claims(results), plotlyjs)
