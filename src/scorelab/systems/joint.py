"""Joint punishment: persons on a list whom another system covers get that system's sanctions
(the national memoranda). A list holds its links over the persons of one shard: for each, the
target's coverage here, the sanctions it imposes, who was ever sanctioned (and wrongly)
through it, and the daily counts."""

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

    def count(self, listed_rows: np.ndarray, wrong_rows: np.ndarray, i: int) -> None:
        """The listed (and wrongly listed) rows of observed day ``i``, through every link."""
        for k, (_, cover, mask) in enumerate(self.links):
            self._count_link(k, cover, mask, listed_rows, wrong_rows, i)

    def _count_link(self, k: int, cover: Coverage, mask: np.ndarray, listed_rows: np.ndarray,
                    wrong_rows: np.ndarray, i: int) -> None:
        inside = listed_rows[cover.local(self.coverage.global_of(listed_rows)) >= 0]
        wrong_inside = wrong_rows[cover.local(self.coverage.global_of(wrong_rows)) >= 0]
        self.joint_flags[inside, k] |= JOINT_SANCTIONED
        self.joint_flags[wrong_inside, k] |= JOINT_WRONGED
        self.link_daily[k]["sanctioned"][i] = inside.size
        self.link_daily[k]["sanctioned_wrongly"][i] = wrong_inside.size

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
