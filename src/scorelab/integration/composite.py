"""The composite score over linked clusters, its sanctions, and what linkage errors did.

Each record carries its source's standing of the person it was written for (in [0, 1], 1
best: a point system's grade, a list's listing, a credit score). A cluster's composite is
``1000 * sum(w_s * m_s) / sum(w_s)`` over the sources present in it, ``m_s`` the worst
standing among the cluster's records from source ``s`` (one bad record of a source marks the
whole cluster, as a blacklist entry would). Every person with a record in a sanctioned
cluster is sanctioned. The same computation with one cluster per true person says what a
perfect linkage would have done; the difference is the linkage's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Assessment:
    """One linkage's outcome: integer counts and the sanctioned persons."""

    counts: dict[str, int]
    precision: float | None
    recall: float | None
    f1: float | None
    sanctioned_ids: np.ndarray  # global ids, sorted


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


def assess(person: np.ndarray, source: np.ndarray, standing: np.ndarray,
           cluster: np.ndarray, weights: np.ndarray, floors: np.ndarray,
           sanctioned_grade: np.ndarray) -> Assessment:
    """Compare the linked clusters with the truth and apply the composite's sanctions."""
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
    # sanctions: linked clusters, and one cluster per true person
    hit = sanctioned_grade[grade_of(composite(cluster, source, standing, weights), floors)]
    linked = np.zeros(n_persons, dtype=bool)
    linked[p[hit[cluster]]] = True
    truth = sanctioned_grade[grade_of(composite(p, source, standing, weights), floors)]
    counts = {
        "records": int(person.size),
        "persons": int(n_persons),
        "clusters": int(persons_in.size),
        "true_pairs": true, "predicted_pairs": predicted, "true_positive_pairs": tp,
        "wrongful_merges": int(merged_cluster.sum()),
        "persons_in_wrongful_merges": int(in_merge.sum()),
        "split_persons": int(split.sum()),
        "sanctioned": int(linked.sum()),
        "sanctioned_with_perfect_linkage": int(truth.sum()),
        "sanctioned_by_merge": int((linked & ~truth & in_merge).sum()),
        "sanctioned_by_split": int((linked & ~truth & ~in_merge & split).sum()),
        "escaped_by_split": int((truth & ~linked & split).sum()),
    }
    return Assessment(counts, precision, recall, f1, persons[linked])
