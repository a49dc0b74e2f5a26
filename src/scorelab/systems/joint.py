"""Joint punishment: persons on a list whom another system covers get that system's sanctions
(the national memoranda). A list holds its links over the persons of one shard: for each, the
target's coverage here, the sanctions it imposes, who was ever sanctioned (and wrongly)
through it, and the daily counts, kept up by the difference as the list's standing moves."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..core.columns import Column
from ..population.generate import Population
from ..scenario.plan import Plan, SystemPlan
from .base import LinkTotals
from .jurisdiction import Coverage

JOINT_SANCTIONED, JOINT_WRONGED = np.uint8(1), np.uint8(2)
#: per covered person and link: JOINT_SANCTIONED | JOINT_WRONGED (its width is the number of
#: the list's links, which the plan knows, not the list's spec)
JOINT_FLAGS = Column("joint_flags", np.uint8, 0)


class JointLinks:
    """The joint-punishment links of one list (the source) over one shard's persons."""

    def __init__(self, plan: Plan, system: SystemPlan, coverage: Coverage, pop: Population
                 ) -> None:
        self.coverage = coverage
        # (target, its coverage here, sanctions) and daily counts per link
        self.links: list[tuple[str, Coverage, np.ndarray]] = []
        self.link_daily: list[dict[str, np.ndarray]] = []
        for link in plan.links_of(system.index):
            target = plan.systems[link.target]
            self.links.append((target.name, Coverage(target.ranges, pop.start, pop.stop),
                               np.array(link.sanctions)))
            self.link_daily.append({"sanctioned": np.zeros(plan.days, np.int64),
                                    "sanctioned_wrongly": np.zeros(plan.days, np.int64)})
        self.joint_flags = replace(JOINT_FLAGS, width=len(self.links)).allocate(coverage.size)
        #: per link: persons listed, and wrongly, inside the target now (at the last count)
        self.now = [[0, 0] for _ in self.links]

    def recount(self, listed_rows: np.ndarray, wrong_rows: np.ndarray, i: int | None) -> None:
        """The listed (and wrongly listed) rows, all of them, through every link: the
        standing counts afresh, and on observed day ``i`` its flags and daily counts."""
        for k, (_, cover, _) in enumerate(self.links):
            inside = listed_rows[self._inside(cover, listed_rows)]
            wrong_inside = wrong_rows[self._inside(cover, wrong_rows)]
            self.now[k] = [inside.size, wrong_inside.size]
            self._observe(k, inside, wrong_inside, i)

    def update(self, rows: np.ndarray, listed: np.ndarray, was_listed: np.ndarray,
               wrong: np.ndarray, was_wrong: np.ndarray, i: int | None) -> None:
        """Rows whose standing may have moved, now and at the last count: the counts move
        by the difference (whoever else is listed was flagged on an earlier day)."""
        for k, (_, cover, _) in enumerate(self.links):
            inside = self._inside(cover, rows)
            self.now[k][0] += (int(np.count_nonzero(listed & inside))
                               - int(np.count_nonzero(was_listed & inside)))
            self.now[k][1] += (int(np.count_nonzero(wrong & inside))
                               - int(np.count_nonzero(was_wrong & inside)))
            self._observe(k, rows[listed & inside], rows[wrong & inside], i)

    def _inside(self, cover: Coverage, rows: np.ndarray) -> np.ndarray:
        return cover.local(self.coverage.global_of(rows)) >= 0

    def _observe(self, k: int, inside: np.ndarray, wrong_inside: np.ndarray,
                 i: int | None) -> None:
        if i is None:
            return
        self.joint_flags[inside, k] |= JOINT_SANCTIONED
        self.joint_flags[wrong_inside, k] |= JOINT_WRONGED
        self.link_daily[k]["sanctioned"][i] = self.now[k][0]
        self.link_daily[k]["sanctioned_wrongly"][i] = self.now[k][1]

    def totals(self) -> tuple[LinkTotals, ...]:
        """Per link: persons sanctioned (and wrongly) through it, person-days, and the daily
        counts."""
        out = []
        for k, (_, _, mask) in enumerate(self.links):
            days = int(self.link_daily[k]["sanctioned"].sum())
            flags = self.joint_flags[:, k]
            out.append(LinkTotals(
                sanctioned=int(np.count_nonzero(flags & JOINT_SANCTIONED)),
                sanctioned_wrongly=int(np.count_nonzero(flags & JOINT_WRONGED)),
                restriction_person_days=days,
                by_sanction=days * mask.astype(np.int64),
                daily=dict(self.link_daily[k])))
        return tuple(out)
