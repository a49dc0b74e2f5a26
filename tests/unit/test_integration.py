"""The integrated score: splink links exactly when identities are clean and unique, loses
precision as namesakes and ID errors grow, and the composite's sanctions move with the
linkage's errors; a run gives the same bytes on any split and backend; bad settings are
located errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelab
from scorelab.cli import main
from scorelab.integration import integrator
from scorelab.integration.composite import CAUSES, assess
from scorelab.integration.linkage import Clusters, components, link, link_new
from scorelab.ledger.summary import SystemSummary
from scorelab.records.identity import IdentityRecords, birth_text
from scorelab.report.files import daily_bytes, summary_bytes
from scorelab.scenario import load_scenario
from scorelab.scenario.schema import LinkageSpec

ALPHABET = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def _names(codes: np.ndarray, prefix: str) -> np.ndarray:
    """Distinct pronounceable-free labels per code (letters only, so string metrics work)."""
    out = np.full(codes.size, prefix, dtype="U12")
    rest = codes.copy()
    for _ in range(5):
        out = np.char.add(out, ALPHABET[rest % 26])
        rest //= 26
    return out


def records(persons: int, concentration: float, id_noise: float, seed: int = 1,
            ids: bool = True, unique: bool = False) -> IdentityRecords:
    """Each person in one to three sources; surnames drawn from a Zipf table of exponent
    ``concentration`` (unique per person when ``unique``), births within two years."""
    rng = np.random.default_rng(seed)
    if unique:
        surname_code = np.arange(persons)
        given_code = np.arange(persons)
    else:
        ranks = np.arange(1, 201, dtype=np.float64)
        p = ranks ** -concentration
        surname_code = rng.choice(200, persons, p=p / p.sum())
        given_code = rng.integers(0, 300, persons)
    birth = 19_900_101 + rng.integers(0, 2, persons) * 10_000 + rng.integers(0, 12, persons) \
        * 100 + rng.integers(0, 28, persons)
    id_number = np.char.zfill(np.arange(persons).astype("U18"), 18) if ids else \
        np.full(persons, "", dtype="U18")
    copies = rng.integers(1, 4, persons)
    person = np.repeat(np.arange(persons), copies)
    source = np.concatenate([np.arange(c) for c in copies]).astype(np.uint8)
    idn = id_number[person]
    if ids and id_noise > 0:
        wrong = rng.random(person.size) < id_noise
        digits = idn.view(np.uint32).reshape(-1, 18).copy()
        at = rng.integers(0, 18, person.size)
        digits[wrong, at[wrong]] = ord("0") + (digits[wrong, at[wrong]] - ord("0") + 1) % 10
        idn = digits.view("U18").reshape(-1)
    return IdentityRecords(person=person.astype(np.int64), source=source,
                           surname=_names(surname_code, "s")[person],
                           given=_names(given_code, "g")[person],
                           birth=birth_text(birth)[person], id_number=idn,
                           city=np.full(person.size, "here"))


#: u trained on fewer random pairs than the default: these records are small and the tests fast
U_PAIRS = 100_000


def accuracy(rec: IdentityRecords, spec: LinkageSpec | None = None) -> tuple[float, float, int]:
    clusters = link(rec, spec or LinkageSpec(u_max_pairs=U_PAIRS), seed=1, threads=1)
    result = assess(rec.person, rec.source.astype(np.int64), np.ones(len(rec)),
                    clusters.cluster, np.ones(3), np.array([0]), np.array([False]))
    assert result.precision is not None and result.recall is not None
    return result.precision, result.recall, result.counts["wrongful_merges"]


def test_clean_unique_identities_link_exactly() -> None:
    precision, recall, merges = accuracy(records(3000, 1.0, 0.0, unique=True))
    assert (precision, recall, merges) == (1.0, 1.0, 0)


NAMES_ONLY = LinkageSpec(blocking_rules=[["surname", "given"], ["surname", "birth"]],
                         em_blocking_rules=[["surname", "given"], ["birth"]],
                         comparisons=LinkageSpec().comparisons[:3], u_max_pairs=U_PAIRS)


def test_precision_falls_as_namesakes_crowd_the_surname_table() -> None:
    """No ID numbers, so names, birth date and city carry the linkage: the more concentrated
    the surname table, the more pairs of different persons agree on all of them."""
    precisions = [accuracy(records(4000, c, 0.0, ids=False), NAMES_ONLY)[0]
                  for c in (0.0, 1.0, 2.0)]
    assert precisions[0] >= precisions[1] >= precisions[2]
    assert precisions[2] < precisions[0]


@settings(max_examples=4, deadline=None, derandomize=True)
@given(low=st.floats(0.0, 0.5), high=st.floats(2.0, 3.0), seed=st.integers(0, 1000))
def test_precision_is_lower_for_any_more_concentrated_surname_table(
        low: float, high: float, seed: int) -> None:
    """The same property over drawn concentrations and populations (fixed examples, so the
    suite does not vary from run to run)."""
    sparse = accuracy(records(2000, low, 0.0, seed=seed, ids=False), NAMES_ONLY)
    crowded = accuracy(records(2000, high, 0.0, seed=seed, ids=False), NAMES_ONLY)
    assert crowded[0] < sparse[0]
    assert crowded[2] > sparse[2]  # more clusters holding two or more persons


def test_precision_falls_as_id_numbers_get_wrong_digits() -> None:
    precisions = [accuracy(records(4000, 1.5, noise))[0] for noise in (0.0, 0.3)]
    assert precisions[1] < precisions[0]


# --- incremental linkage ---------------------------------------------------------------------


def _take(rec: IdentityRecords, rows: np.ndarray) -> IdentityRecords:
    return IdentityRecords(**{k: v[rows] for k, v in vars(rec).items()})


def _pairwise(rec: IdentityRecords, cluster: np.ndarray) -> tuple[float, float, int, int]:
    result = assess(rec.person, rec.source.astype(np.int64), np.ones(len(rec)), cluster,
                    np.ones(3), np.array([0]), np.array([False]))
    assert result.precision is not None and result.recall is not None
    return (result.precision, result.recall, result.counts["predicted_pairs"],
            result.counts["true_pairs"])


def test_incremental_linkage_matches_a_full_relink() -> None:
    """Crowded surnames and IDs with wrong digits, so that namesakes are wrongly merged: the
    model trained on the first 60% of the records, then two batches of 20% linked only against
    the clusters kept, give the pairwise precision and recall of one full linkage of all the
    records, trained on all, within 0.005 (the target of issue 21). Their sampling error, as
    estimates of the linkage's precision and recall on records like these, is
    sqrt(p(1-p)/pairs), about 0.0007 at 6,800 pairs and p = 0.9965: a difference of 0.005 is
    seven of them. Without the new records' pairs among themselves, recall falls far below."""
    rec = records(5000, 2.5, 0.3, seed=5)
    spec = LinkageSpec(u_max_pairs=U_PAIRS)
    batch = np.digitize(np.random.default_rng(0).random(len(rec)), [0.6, 0.8])
    first = link(_take(rec, np.flatnonzero(batch == 0)), spec, seed=1, threads=1)
    have, cluster = batch == 0, first.cluster
    for b in (1, 2):
        now = np.flatnonzero(batch <= b)
        previous = np.full(now.size, -1, dtype=np.int64)
        previous[have[now]] = cluster
        step = link_new(_take(rec, now), previous, first.model, spec, threads=1)
        assert step.model == first.model and step.pairs_matched > 0
        have, cluster = batch <= b, step.cluster
    full = link(rec, spec, seed=1, threads=1)
    incremental, relinked = _pairwise(rec, cluster), _pairwise(rec, full.cluster)
    assert relinked[0] < 1.0  # namesakes merged: a precision that can differ
    assert abs(incremental[0] - relinked[0]) <= 0.005
    assert abs(incremental[1] - relinked[1]) <= 0.005
    # the new records' own pairs matter: linked only against the old, recall falls
    alone = np.flatnonzero(batch <= 1)
    previous = np.full(alone.size, -1, dtype=np.int64)
    previous[batch[alone] == 0] = first.cluster
    with_new = link_new(_take(rec, alone), previous, first.model, spec, threads=1)
    no_new = components(alone.size, previous, np.empty(0, np.int64), np.empty(0, np.int64))
    assert _pairwise(_take(rec, alone), no_new)[1] < _pairwise(_take(rec, alone),
                                                               with_new.cluster)[1] - 0.05


def test_without_new_records_the_clusters_are_kept() -> None:
    """Nothing new: no pair is scored, and the clusters are the previous ones, numbered by
    their first record."""
    rec = records(200, 1.0, 0.0, seed=2)
    previous = (rec.person * 7) % 11 + 40  # any labels
    kept = link_new(rec, previous, "", LinkageSpec())
    assert kept.pairs_matched == 0
    assert kept.cluster.tolist() == np.unique(previous, return_index=True)[1].argsort(
        ).argsort()[np.unique(previous, return_inverse=True)[1]].tolist()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=st.data(), n=st.integers(1, 30))
def test_components_join_pairs_and_previous_clusters(data: st.DataObject, n: int) -> None:
    """Records in one cluster exactly when a chain of pairs or shared previous clusters joins
    them (checked by repeated minimum labels), numbered by first record."""
    previous = np.array(data.draw(st.lists(st.integers(-1, 5), min_size=n, max_size=n)))
    m = data.draw(st.integers(0, 2 * n))
    left = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)),
                    dtype=np.int64)
    right = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)),
                     dtype=np.int64)
    got = components(n, previous, left, right)
    # pairs of records sharing a previous cluster
    same = np.flatnonzero((previous[:, None] == previous[None, :]) & (previous[:, None] >= 0))
    a = np.concatenate([left, same // n])
    b = np.concatenate([right, same % n])
    label = np.arange(n)
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if (new == label).all():
            break
        label = new
    assert (got[:, None] == got[None, :]).tolist() == (label[:, None] == label[None, :]).tolist()
    firsts = np.unique(got, return_index=True)[1]
    assert got[np.sort(firsts)].tolist() == list(range(got.max() + 1))


# --- the composite and its sanctions -----------------------------------------------------------


def test_a_wrong_merge_carries_one_persons_sanction_to_another() -> None:
    # persons 0 and 1 in sources 0 and 1; person 0 is bad in source 0
    person = np.array([0, 0, 1, 1])
    source = np.array([0, 1, 0, 1])
    standing = np.array([0.0, 1.0, 1.0, 1.0])
    floors, sanctioned = np.array([600, 0]), np.array([False, True])
    right = assess(person, source, standing, np.array([0, 0, 1, 1]), np.ones(2), floors,
                   sanctioned)
    assert right.counts["wrongful_merges"] == 0 and right.counts["sanctioned_by_merge"] == 0
    assert right.sanctioned_ids.tolist() == [0] and right.precision == right.recall == 1.0
    merged = assess(person, source, standing, np.array([0, 0, 0, 0]), np.ones(2), floors,
                    sanctioned)
    assert merged.counts["wrongful_merges"] == 1 and merged.counts["sanctioned_by_merge"] == 1
    assert merged.sanctioned_ids.tolist() == [0, 1]
    assert merged.precision == pytest.approx(2 / 6) and merged.recall == 1.0
    split = assess(person, source, standing, np.array([0, 1, 2, 3]), np.ones(2), floors,
                   sanctioned)
    assert split.counts["split_persons"] == 2 and split.recall == 0.0
    assert split.counts["sanctioned"] == 1  # the bad record alone still grades D


def test_a_missed_link_lets_a_sanction_lapse() -> None:
    # the bad record is one of three for person 0: linked, the mean is 1/3 (sanctioned at
    # floor 400); split off, ... it stays alone and grades 0, but the rest grade 1000
    person = np.array([0, 0, 0])
    source = np.array([0, 1, 2])
    standing = np.array([0.0, 0.2, 0.2])
    floors, sanctioned = np.array([400, 0]), np.array([False, True])
    weights = np.array([0.1, 1.0, 1.0])
    whole = assess(person, source, standing, np.array([0, 0, 0]), weights, floors, sanctioned)
    assert whole.counts["sanctioned"] == 1
    apart = assess(person, source, np.array([0.0, 0.2, 0.9]), np.array([0, 0, 1]), weights,
                   floors, sanctioned)
    perfect = assess(person, source, np.array([0.0, 0.2, 0.9]), np.array([0, 0, 0]), weights,
                     floors, sanctioned)
    assert perfect.counts["sanctioned"] == 0 and apart.counts["sanctioned"] == 1
    assert apart.counts["sanctioned_by_split"] == 1


# --- the composite audited against the truth --------------------------------------------------

T, F = True, False


def test_each_wrongful_composite_sanction_has_one_cause() -> None:
    """Five persons in two sources, grades A (600+) none, C (300+) loans, D (0+) loans and
    flights; every case worked by hand."""
    # p0: a false record in source 0 (on record 0, in truth 1): perfect linkage gives C, truth A
    # p1: truly bad in both sources: D, rightly
    # p2: good in both, but linked with p1: D, by a wrong merge
    # p3: truly C (0 and 1), but a namesake's record in source 1: D carries flights wrongly
    # p4: good (0.4 and 1: 700, A), but split: source 0 alone grades C
    person = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
    source = np.array([0, 1] * 5)
    standing = np.array([0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.4, 1.0])
    truth = np.array([1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.4, 1.0])
    cause = np.array([0, 3, 3, 3, 3, 3, 3, 1, 3, 3])  # false_record, incomplete, identity
    cluster = np.array([0, 0, 1, 1, 1, 1, 2, 2, 3, 4])
    floors = np.array([600, 300, 0])
    table = np.array([[F, F], [T, F], [T, T]])  # columns: loans, flights
    result = assess(person, source, standing, cluster, np.ones(2), floors, table, truth, cause)
    assert result.sanctioned_ids.tolist() == [0, 1, 2, 3, 4]
    assert result.wrong_ids.tolist() == [0, 2, 3, 4]
    assert [CAUSES[c] for c in result.wrong_cause] == ["false_record", "wrong_merge",
                                                      "identity", "split"]
    assert result.by_sanction.tolist() == [5, 3]  # loans; flights: p1, p2, p3
    assert result.grades.tolist() == [0, 2, 3] and result.grades_truth.tolist() == [3, 1, 1]
    assert result.counts["sanctioned_by_merge"] == result.counts["sanctioned_by_split"] == 1
    # linked perfectly, only the sources' own errors remain
    perfect = assess(person, source, standing, person, np.ones(2), floors, table, truth, cause)
    assert perfect.wrong_ids.tolist() == [0, 3]
    assert [CAUSES[c] for c in perfect.wrong_cause] == ["false_record", "identity"]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data(), persons=st.integers(1, 12), sources=st.integers(1, 3))
def test_wrongful_composite_sanctions_are_sanctions_with_a_cause_each(
        data: st.DataObject, persons: int, sources: int) -> None:
    """Over drawn records, standings, truths and clusterings: the wrongly sanctioned are
    sanctioned, each has one cause; a perfect linkage leaves only the sources' causes, and
    records equal to the truth leave only the linkage's."""
    held = np.array(data.draw(st.lists(st.booleans(), min_size=persons * sources,
                                       max_size=persons * sources)), dtype=bool)
    held[::sources] = True  # every person in at least one source
    person = np.repeat(np.arange(persons), sources)[held]
    source = np.tile(np.arange(sources), persons)[held]
    n = person.size
    unit = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
    standing = np.array(data.draw(st.lists(unit, min_size=n, max_size=n)))
    truth = np.array(data.draw(st.lists(unit, min_size=n, max_size=n)))
    cause = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    cluster = np.unique(data.draw(st.lists(st.integers(0, n), min_size=n, max_size=n)),
                        return_inverse=True)[1]
    floors = np.array([700, 400, 0])
    table = np.array([[F, F], [T, F], [T, T]])
    weights = np.array(data.draw(st.lists(st.floats(0.1, 2.0), min_size=sources,
                                          max_size=sources)))
    result = assess(person, source, standing, cluster, weights, floors, table, truth, cause)
    assert set(result.wrong_ids) <= set(result.sanctioned_ids)
    assert result.wrong_cause.size == result.wrong_ids.size
    assert result.by_sanction[0] >= result.by_sanction[1]  # D carries loans too
    assert result.grades.sum() == result.grades_truth.sum() == persons
    perfect = assess(person, source, standing, person, weights, floors, table, truth, cause)
    assert set(perfect.wrong_cause) <= set(range(4))
    faithful = assess(person, source, standing, cluster, weights, floors, table)
    assert set(faithful.wrong_cause) <= {CAUSES.index("wrong_merge"), CAUSES.index("split")}
    assert assess(person, source, standing, person, weights, floors, table).wrong_ids.size == 0


# --- runs ------------------------------------------------------------------------------------


def small(every_days: int | None = None, **relink: object) -> scorelab.Scenario:
    integration: dict[str, object] = {"linkage": {"u_max_pairs": 50_000}, **relink}
    if every_days is not None:
        integration["every_days"] = every_days
    return load_scenario(preset="integrated", overrides={
        "population": {"persons": 12_000, "block_size": 2048}, "days": 12, "warmup_days": 20,
        "integration": integration})


def test_integration_gives_the_same_bytes_for_any_split_and_backend() -> None:
    """Two linkages: the first full, the second incremental (the records, clusters and model
    the integrator keeps are the same whatever the split)."""
    scenario = small(every_days=6)
    one = scorelab.run(scenario)
    assert one.summary.integration is not None and one.summary.integration.linkages == 2
    for shards, backend in ((3, "local"), (2, "processes")):
        other = scorelab.run(scenario, shards=shards, backend=backend)
        assert summary_bytes(one.summary) == summary_bytes(other.summary)
        assert daily_bytes(one.daily) == daily_bytes(other.daily)


def test_the_summary_compares_integrated_and_fragmented_sanctions() -> None:
    summary = scorelab.run(small(every_days=4)).summary
    integration = summary.integration
    assert integration is not None and integration.linkages == 3
    composite = summary.systems["integrated-score"]
    assert integration.sanctioned_ever == composite.sanctioned
    assert integration.restriction_person_days == composite.restriction_person_days
    assert integration.fragmented_sanctioned_any <= summary.sanctioned_any
    assert max(composite.sanctioned, integration.fragmented_sanctioned_any) \
        <= summary.sanctioned_any
    assert integration.records and integration.persons and integration.clusters
    assert integration.sanctioned is not None and integration.restriction_person_days >= \
        integration.sanctioned
    assert "integration" not in scorelab.run(preset="credit-bureau", persons=2000,
                                             days=2).summary.as_dict()


def test_an_incremental_run_links_as_a_full_relink_would() -> None:
    """The same run with every linkage a full re-link (re-trained on all records) and with
    incremental linkages: the same records, and pairwise precision and recall of the last
    linkage within 0.005; a full re-link every second linkage sits between the two."""
    full, incremental, mixed = (
        scorelab.run(small(every_days=4, **how)).summary.integration
        for how in ({"relink": "full"}, {}, {"full_every": 2}))
    assert full is not None and incremental is not None and mixed is not None
    assert full.linkages == incremental.linkages == 3
    assert full.records == incremental.records == mixed.records
    assert full.true_pairs == incremental.true_pairs
    for a, b in ((full, incremental), (full, mixed)):
        assert a.precision is not None and b.precision is not None
        assert a.recall is not None and b.recall is not None
        assert abs(a.precision - b.precision) <= 0.005 and abs(a.recall - b.recall) <= 0.005


NAME = "integrated-score"
NO_NOISE = {k: 0.0 for k in ("typo", "pinyin", "swap_day_month", "id_digit", "missing")}


def audited(persons: int = 4000, threshold: float = 0.95) -> scorelab.Scenario:
    """One linkage on the last day, clean identity records, and court-list records that are
    often false (a false record lists its person after the 30 + 7 days the warm-up covers),
    so that the composite's own sources wrong some persons."""
    return load_scenario(preset="integrated", overrides={
        "population": {"persons": persons, "block_size": 2048}, "days": 6, "warmup_days": 45,
        "systems": {"court-list": {"entry": {"false_rate": 2e-4}}},
        "integration": {"every_days": None, "linkage": {"u_max_pairs": 50_000,
                                                        "threshold": threshold},
                        "sources": {s: NO_NOISE for s in ("court-list", "rongcheng",
                                                          "pboc-bureau")}}})


def linked_as(how: str) -> object:
    """A stand-in for splink: one cluster per true person, or one cluster of everyone."""
    def fake(records: IdentityRecords, *_: object) -> Clusters:
        if how == "perfect":
            return Clusters(np.unique(records.person, return_inverse=True)[1], 0)
        return Clusters(np.zeros(len(records), dtype=np.int64), len(records))
    return fake


def causes(system: SystemSummary) -> dict[str, int]:
    return {k: v for k, v in system.sanctioned_wrongly_by_cause.items() if v}


def test_a_composite_linked_from_everyones_merged_records_wrongs_by_merge(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Known answers. Linked perfectly, the composite wrongs only through its sources' own
    errors. With every record in one cluster everyone held takes the worst grade, D (which
    carries every sanction of the others): the wrongly sanctioned are all but those truly
    D, and beyond the perfect linkage's they are all wrong merges."""
    scenario = audited()
    monkeypatch.setattr(integrator, "link", linked_as("perfect"))
    perfect = scorelab.run(scenario).summary
    monkeypatch.setattr(integrator, "link", linked_as("merged"))
    merged_run = scorelab.run(scenario)
    merged = merged_run.summary
    ideal, lumped = perfect.systems[NAME], merged.systems[NAME]
    assert ideal.kind == "composite" and ideal.sanctioned_wrongly > 0
    assert set(causes(ideal)) <= {"false_record", "identity", "stale_record",
                                  "incomplete_record"}
    assert ideal.grades_truth == lumped.grades_truth and ideal.scored == lumped.scored
    assert lumped.grades == {"A": 0, "B": 0, "C": 0, "D": lumped.scored}
    assert lumped.sanctioned == lumped.scored
    assert lumped.sanctioned_wrongly == lumped.scored - lumped.grades_truth["D"]
    assert causes(lumped) == {**causes(ideal), "wrong_merge": lumped.sanctioned_wrongly
                              - ideal.sanctioned_wrongly}
    for s in (ideal, lumped):
        assert sum(s.sanctioned_wrongly_by_cause.values()) == s.sanctioned_wrongly \
            <= s.sanctioned
        # linked on the last day only, so each sanction lasts that one day
        assert s.restriction_person_days == s.sanctioned
        assert s.wrongful_person_days == s.sanctioned_wrongly
    # audited like any system: restrictions, the daily table, disparity, any system
    assert merged.restrictions["flights"][NAME] == lumped.restriction_person_days
    rows = merged_run.daily.filter(merged_run.daily["name"] == NAME)
    assert rows["kind"].unique().to_list() == ["composite"]
    assert rows["sanctioned_wrongly"].sum() == lumped.wrongful_person_days
    assert rows["newly_sanctioned"].sum() == lumped.sanctioned
    assert merged.sanctioned_any >= lumped.sanctioned > perfect.sanctioned_any
    assert merged.sanctioned_wrongly_any >= lumped.sanctioned_wrongly
    group = merged.disparity.group
    assert group.majority.sanctioned + group.minority.sanctioned == merged.sanctioned_any
    assert merged.integration is not None and perfect.integration is not None
    assert merged.integration.fragmented_sanctioned_any == \
        perfect.integration.fragmented_sanctioned_any < merged.sanctioned_any
    from scorelab.report.view import build_page
    page = build_page(merged, merged_run.daily)
    wronged = next(s for s in page.sections if s.id == "who-was-wronged").tables[0]
    assert NAME in [row.cells[0].text for row in wronged.rows]


def test_with_protests_the_composites_sanctioned_are_counted_by_role(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As for any system that sanctions in a run with protests: whom it sanctioned, by their
    protest role, and its precision on participants."""
    scenario = load_scenario(preset="checkpoints-2022", overrides={
        "population": {"persons": 3000, "block_size": 2048}, "days": 3,
        "integration": {"sources": {"court-list": {}}, "weights": {"court-list": 1},
                        "grades": {"A": 500, "D": 0}, "sanctions": {"D": ["flights"]}}})
    monkeypatch.setattr(integrator, "link", linked_as("merged"))
    summary = scorelab.run(scenario).summary
    composite = summary.systems[NAME]
    assert composite.sanctioned == composite.scored > 0  # one cluster, holding a listing
    assert composite.sanctioned_by_role is not None
    assert sum(composite.sanctioned_by_role.values()) == composite.sanctioned
    assert composite.precision_participants is not None


def test_with_clean_identities_the_composite_wrongs_only_through_its_sources(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No identity noise and a strict threshold: splink links the records exactly, so the
    composite's audit is that of a perfect linkage: no wrong merge, no split."""
    scenario = audited(threshold=0.999)
    linked = scorelab.run(scenario).summary
    assert linked.integration is not None
    assert linked.integration.precision == linked.integration.recall == 1.0
    monkeypatch.setattr(integrator, "link", linked_as("perfect"))
    perfect = scorelab.run(scenario).summary
    composite = linked.systems[NAME]
    assert composite.sanctioned_wrongly > 0
    assert composite.sanctioned_wrongly_by_cause["wrong_merge"] == 0
    assert composite.sanctioned_wrongly_by_cause["split"] == 0
    assert composite == perfect.systems[NAME]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("tail", "expected"), [
    ("  sources:\n    courtlist: {}\n",
     ["scenario.yaml:5:", "integration.sources.courtlist", "unknown source system 'courtlist'",
      "did you mean 'court-list'"]),
    ("  name: court-list\n", ["scenario.yaml:4:", "integration.name",
                             "'court-list' is already the name of a system"]),
    ("  linkage: {threshold: 1.0}\n", ["scenario.yaml:4:", "integration.linkage.threshold",
                                       "less than 1"]),
    ("  linkage: {threshold: 0}\n", ["scenario.yaml:4:", "greater than 0"]),
    ("  linkage: {u_min_pairs: 10}\n", ["scenario.yaml:4:", "integration.linkage.u_min_pairs",
                                        "greater than or equal to 1000"]),
    ("  relink: sometimes\n", ["scenario.yaml:4:", "integration.relink",
                               "'incremental' or 'full'"]),
    ("  relink: full\n  full_every: 3\n", ["scenario.yaml:", "integration",
                                            "with relink: full every linkage does"]),
    ("  full_every: 0\n", ["scenario.yaml:4:", "integration.full_every",
                           "greater than or equal to 1"]),
    ("  weights: {court-list: 0, rongcheng: 0, pboc-bureau: 0}\n",
     ["scenario.yaml:4:", "integration.weights", "weights must add up to a positive number"]),
    ("  linkage:\n    blocking_rules: [[surname, postcode]]\n",
     ["scenario.yaml:5:", "integration.linkage.blocking_rules[0][1]",
      "unknown record field 'postcode'", "record fields: surname"]),
    ("  linkage:\n    comparisons: [{field: city, method: exact, u_pairs: 5}]\n",
     ["scenario.yaml:5:", "integration.linkage.comparisons[0].u_pairs",
      "greater than or equal to 1000"]),
    ("  linkage:\n    comparisons: [{field: phone, method: exact}]\n",
     ["scenario.yaml:5:", "integration.linkage.comparisons[0].field",
      "unknown record field 'phone'"]),
])
def test_bad_integration_settings_are_located_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], tail: str,
        expected: list[str]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("extends: integrated\ndays: 2\nintegration:\n" + tail, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    for part in expected:
        assert part in err, (part, err)


def test_a_comparison_on_a_field_the_records_lack_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """United States records carry no ID number: linking on one is refused."""
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "extends: united-states-2020\ndays: 2\nsystems:\n  bureau:\n    kind: bureau\n"
        "    jurisdiction: {national: true}\n    file_coverage: {no_file: 0.027}\n"
        "    payments: {loan_late: {counts_as: late}}\n    grades: {ok: 580, poor: 300}\n"
        "integration:\n  sources: {bureau: {}}\n  weights: {bureau: 1}\n"
        "  grades: {A: 500, B: 0}\n  linkage:\n"
        "    comparisons: [{field: id_number, method: exact}]\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "scenario.yaml:15:" in err
    assert "the records carry no id_number: the united-states identity scheme has no ID" in err


def test_the_report_shows_the_integration_and_its_errors() -> None:
    """The report's integration section, as a view model: the linkage against the truth and
    whom the composite's sanctions reached (simulated and national estimates)."""
    from scorelab.ledger.summary import IntegrationSummary
    from scorelab.report.view import build_page

    result = scorelab.run(preset="credit-bureau", persons=3000, days=3)
    assert all(s.id != "integration" for s in build_page(result.summary, result.daily).sections)
    found = IntegrationSummary(
        linkages=2, records=1000, persons=900, clusters=905, pairs_matched=120, true_pairs=110,
        predicted_pairs=120, true_positive_pairs=100, precision=100 / 120, recall=100 / 110,
        f1=0.87, wrongful_merges=7, persons_in_wrongful_merges=15, split_persons=12,
        sanctioned=50, sanctioned_with_perfect_linkage=45, sanctioned_by_merge=4,
        sanctioned_by_split=2, escaped_by_split=1, sanctioned_ever=60,
        restriction_person_days=500, fragmented_sanctioned_any=40)
    summary = result.summary.model_copy(update={"integration": found, "scale": 1000.0})
    section = next(s for s in build_page(summary, result.daily).sections
                   if s.id == "integration")
    assert section.lead.startswith("HYPOTHETICAL")
    linkage, effects = ([[c.text for c in row.cells] for row in t.rows] for t in section.tables)
    assert linkage == [["identity records linked", "1,000"], ["true persons behind them", "900"],
                       ["clusters made", "905"],
                       ["pairwise precision (linked pairs that are one person)", "83.3%"],
                       ["pairwise recall (same-person pairs linked)", "90.9%"],
                       ["wrong merges (clusters of two or more persons)", "7"],
                       ["persons split over two or more clusters", "12"]]
    assert effects[3] == ["only because a wrong merge joined them to another's records", "4",
                          "4,000"]
    assert effects[2] == ["by any separate system (the same run, not integrated)", "40",
                          "40,000"]
