"""The composite score over linked clusters, its sanctions, and what linkage errors did.

Each record carries its source's standing of the person it was written for (in [0, 1], 1
best: a point system's grade, a list's listing, a credit score). A cluster's composite is
``1000 * sum(w_s * m_s) / sum(w_s)`` over the sources present in it, ``m_s`` the worst
standing among the cluster's records from source ``s`` (one bad record of a source marks the
whole cluster, as a blacklist entry would). Every person with a record in a sanctioned
cluster is sanctioned. The same computation with one cluster per true person says what a
perfect linkage would have done; the difference is the linkage's.

The truth behind a sanction is the composite of the person's own true standings (what each
source holding them would hold with perfect records), one cluster per person: a sanction it
does not carry is wrongful. Its cause is the sources' when the person's own records, perfectly
linked, would carry it too (the cause of the record that stands furthest below its truth,
weighted); otherwise the linkage's: a wrong merge when a cluster that carries it holds
another person's records, else a split (part of the person's records graded alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..systems.base import INCOMPLETE, WRONG_CAUSES

#: why a composite sanction is wrongful: a source's own error, or the linkage's
LINKAGE_CAUSES = ("wrong_merge", "split")
CAUSES = (*WRONG_CAUSES, *LINKAGE_CAUSES)
WRONG_MERGE, SPLIT = (CAUSES.index(c) for c in LINKAGE_CAUSES)


@dataclass
class Assessment:
    """One linkage's outcome: integer counts, and per person held whom it sanctions (and
    wrongly, with the cause), what they carry and their grades."""

    counts: dict[str, int]
    precision: float | None
    recall: float | None
    f1: float | None
    persons: np.ndarray  # global ids held by any source, sorted
    sanctioned_ids: np.ndarray  # global ids, sorted
    wrong_ids: np.ndarray  # sanctioned without the truth behind it, sorted
    wrong_cause: np.ndarray  # index into CAUSES, one per wrong id
    by_sanction: np.ndarray  # persons carrying each kind of sanction (columns of the table)
    grades: np.ndarray  # persons by grade: the worst of their clusters'
    grades_truth: np.ndarray  # persons by the grade of their truth


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def composite(cluster: np.ndarray, source: np.ndarray, standing: np.ndarray,
              weights: np.ndarray) -> np.ndarray:
    """Composite score 0-1000 per cluster label ``0 .. cluster.max()``."""
    clusters = int(cluster.max()) + 1 if cluster.size else 0
    order = np.lexsort((source, cluster))
    c, s, v = cluster[order], source[order], standing[order]
    start = np.flatnonzero(np.r_[True, (c[1:] != c[:-1]) | (s[1:] != s[:-1])])
    worst = np.minimum.reduceat(v, start) if v.size else v
    gc, gs = c[start], s[start]
    w = weights[gs]
    num = np.bincount(gc, weights=w * worst, minlength=clusters)
    den = np.bincount(gc, weights=w, minlength=clusters)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
    return np.asarray(np.floor(1000.0 * score + 1e-9), dtype=np.int64)


def grade_of(score: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Grade index (0 = top) for floors given highest first; below the last floor: last."""
    ascending = floors[::-1][1:]
    return np.asarray(ascending.size - np.searchsorted(ascending, score, side="right"))


def _any_by(person: np.ndarray, values: np.ndarray, persons: int) -> np.ndarray:
    """Per person (rows 0 .. persons-1), whether any of their rows of ``values`` is set."""
    out = np.zeros((persons, values.shape[1]), dtype=bool)
    np.logical_or.at(out, person, values)
    return out


def assess(person: np.ndarray, source: np.ndarray, standing: np.ndarray,
           cluster: np.ndarray, weights: np.ndarray, floors: np.ndarray,
           sanctions: np.ndarray, truth: np.ndarray | None = None,
           cause: np.ndarray | None = None) -> Assessment:
    """Compare the linked clusters with the truth and apply the composite's sanctions.

    ``sanctions``: per grade, whether it sanctions (one flag) or which kinds it carries (a
    grades x kinds table). ``truth``: each record's true standing (default: the record's);
    ``cause``: why a record stands below its truth (index into ``WRONG_CAUSES``).
    """
    table = np.asarray(sanctions, dtype=bool).reshape(floors.size, -1)
    truth = standing if truth is None else truth
    cause = np.full(person.size, INCOMPLETE, dtype=np.int64) if cause is None else cause
    persons, p = np.unique(person, return_inverse=True)
    n_persons = persons.size
    # pairwise accuracy: pairs of records put together vs pairs of the same person
    joint = np.unique(cluster * n_persons + p, return_counts=True)[1]
    tp = _pairs(joint)
    predicted = _pairs(np.bincount(cluster))
    true = _pairs(np.bincount(p, minlength=n_persons))
    precision = tp / predicted if predicted else None
    recall = tp / true if true else None
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall > 0 else None)
    # clusters holding two or more persons; persons spread over two or more clusters
    cp = np.unique(np.stack([cluster, p]), axis=1)
    persons_in = np.bincount(cp[0], minlength=int(cluster.max()) + 1 if cluster.size else 0)
    clusters_of = np.bincount(cp[1], minlength=n_persons)
    merged_cluster = persons_in >= 2
    in_merge = np.zeros(n_persons, dtype=bool)
    in_merge[cp[1][merged_cluster[cp[0]]]] = True
    split = clusters_of >= 2
    # sanctions: of the linked clusters, of one cluster per person on the records (a perfect
    # linkage), and of one cluster per person on the truth
    record_grade = grade_of(composite(cluster, source, standing, weights), floors)[cluster]
    carried = _any_by(p, table[record_grade], n_persons)
    linked = carried.any(axis=1)
    perfect = table[grade_of(composite(p, source, standing, weights), floors)]
    perfect_any = perfect.any(axis=1)
    true_grade = grade_of(composite(p, source, truth, weights), floors)
    rightful = table[true_grade]
    wrong = (carried & ~rightful).any(axis=1)
    # the cause: the records themselves, else a wrong merge, else a split
    own = (perfect & ~rightful).any(axis=1)
    by_merge = _any_by(p, ((table[record_grade] & ~rightful[p]).any(axis=1)
                           & merged_cluster[cluster])[:, None], n_persons)[:, 0]
    drop = weights[source] * (truth - standing)
    order = np.lexsort((-drop, p))
    first = order[np.flatnonzero(np.r_[True, p[order][1:] != p[order][:-1]])] \
        if p.size else order
    cause_of = np.where(own, cause[first], np.where(by_merge, WRONG_MERGE, SPLIT))
    worst = np.zeros(n_persons, dtype=np.int64)
    np.maximum.at(worst, p, record_grade)
    counts = {
        "records": int(person.size),
        "persons": int(n_persons),
        "clusters": int(persons_in.size),
        "true_pairs": true, "predicted_pairs": predicted, "true_positive_pairs": tp,
        "wrongful_merges": int(merged_cluster.sum()),
        "persons_in_wrongful_merges": int(in_merge.sum()),
        "split_persons": int(split.sum()),
        "sanctioned": int(linked.sum()),
        "sanctioned_with_perfect_linkage": int(perfect_any.sum()),
        "sanctioned_by_merge": int((linked & ~perfect_any & in_merge).sum()),
        "sanctioned_by_split": int((linked & ~perfect_any & ~in_merge & split).sum()),
        "escaped_by_split": int((perfect_any & ~linked & split).sum()),
    }
    return Assessment(counts, precision, recall, f1, persons, persons[linked], persons[wrong],
                      cause_of[wrong].astype(np.int64), carried.sum(axis=0).astype(np.int64),
                      np.bincount(worst, minlength=floors.size).astype(np.int64),
                      np.bincount(true_grade, minlength=floors.size).astype(np.int64))
