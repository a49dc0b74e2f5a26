"""Claims put to the model: figures are the medians of the replicates (run here by hand),
findings follow their thresholds, robustness samples the assumptions, bad input is refused,
and each claim's runs are written beside the page."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import scorelab
from scorelab.cli import main
from scorelab.experiments.claims import CLAIMS, Finding, experiment_scenario
from scorelab.experiments.seeds import derive_seed
from scorelab.ledger.catalogue import RUN
from scorelab.ledger.reading import resolve

PERSONS = 4000


@pytest.fixture(scope="module")
def claims_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("claims")
    assert main(["claims", "--claim", "no-national-score", "--claim", "phone-checks",
                 "--persons", str(PERSONS), "--replicates", "3", "--samples", "2",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_claim_figures_are_medians_of_the_replicates(claims_out: Path) -> None:
    results = json.loads((claims_out / "claims.json").read_text())
    assert [c["key"] for c in results["claims"]] == ["no-national-score", "phone-checks"]
    claim = results["claims"][0]
    scenario = experiment_scenario(CLAIMS[0].runs[0], PERSONS, None)
    seeds = [derive_seed(scenario.population.seed, r) for r in range(3)]
    by_hand = [resolve(scorelab.run(scenario.model_copy(update={"population": scenario
                                                                .population.model_copy(
                                                                    update={"seed": s})})
                                    ).summary) for s in seeds]
    for figure in claim["figures"]:
        values = [run[figure["path"]] for run in by_hand]
        assert figure["median"] == pytest.approx(float(np.median(values)))
        assert figure["low"] <= figure["median"] <= figure["high"]
    share = float(np.median([run[RUN.share_scored_by_several.path] for run in by_hand]))
    assert claim["finding"]["median"] == pytest.approx(share)
    assert claim["finding"]["holds"] is (share < 0.5)
    robustness = claim["robustness"]
    assert robustness["runs"] == 2 * (len(CLAIMS[0].assumptions) + 1)  # Morris: r (k + 1)
    assert 0.0 <= robustness["holds_share"] <= 1.0
    # each run's folder is written, and the page links to its report
    assert (claims_out / "runs" / "china-2022" / "report.html").is_file()
    assert results["runs"]["china-2022"]["report"] == "runs/china-2022/report.html"


def test_a_finding_holds_by_its_threshold() -> None:
    finding = Finding("x {value}", "run", RUN.sanctioned_any, above=1.0, below=5.0)
    assert finding.holds(3.0) is True
    assert finding.holds(1.0) is False and finding.holds(6.0) is False
    assert finding.holds(None) is None


def test_every_claim_names_figures_of_its_runs() -> None:
    for claim in CLAIMS:
        labels = {e.label for e in claim.runs}
        assert claim.finding.run in labels, claim.key
        assert all(b.run in labels for b in claim.bearings), claim.key
        assert claim.bearings and claim.says and claim.source.startswith("MIT Technology")


@pytest.mark.parametrize("args, message", [
    (["--claim", "flying-cars"], "unknown claim 'flying-cars'"),
    (["--replicates", "1"], "--replicates must be between 2 and 50"),
    (["--samples", "5000"], "--samples must be between 2 and 50"),
    (["--persons", "10000000000"], "memory"),
])
def test_bad_claims_input_exits_2_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
        message: str) -> None:
    assert main(["claims", *args, "--out", str(tmp_path / "c")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_claims_never_write_into_a_users_folder_and_are_published_whole(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    args = ["claims", "--claim", "no-national-score", "--persons", "2000", "--replicates",
            "2", "--samples", "2", "--quiet"]
    assert main([*args, "--out", str(mine), "--force"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    out = tmp_path / "c"
    assert main([*args, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["claims.html", "claims.json",
                                                     "experiment.json", "runs"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "mine"]  # nothing left beside
    # other claims into that folder: refused without --force, then replaced whole
    other = ["claims", "--claim", "phone-checks", "--persons", "2000", "--replicates", "2",
             "--samples", "2", "--quiet", "--out", str(out)]
    assert main(other) == 2
    assert "--force" in capsys.readouterr().err
    assert main([*other, "--force"]) == 0
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["checkpoints-2022"]
