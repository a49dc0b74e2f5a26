"""What a run will cost in memory, from the parts' column tables, before any array is
allocated; and how many shards fit a given memory per worker."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.columns import bytes_per_row
from ..measures.registry import MEASURE_KINDS
from ..population.generate import bytes_per_person
from ..processes.events import COLUMNS as PROCESS_COLUMNS
from ..processes.protests import COLUMNS as PROTEST_COLUMNS
from ..scenario.schema import Scenario
from ..systems.registry import SYSTEM_KINDS

#: bytes a person costs beyond the columns: temporaries of the daily steps. (A shard whose
#: truth runs ahead, ``engine.ahead``, has a child that writes its own copy of the processes'
#: columns, 2 B a person and process, draws its windows there and hands the days over in a
#: buffer of 8 MiB: 30-36 MiB private to it and 8 MiB shared, measured at 1M persons of
#: china-2022, within the estimate's margin over the measured run; it runs ahead only up to
#: 2,097,152 persons.)
WORKING_BYTES = 24
#: the interpreter and its libraries (numpy, polars, pyarrow, pydantic, plotly), per process:
#: measured about 90 MiB (peak RSS at 1M and 5M persons minus 90 B a person), with a margin
FIXED_BYTES = 120 * 2**20
#: the integrated score's record linkage (its kept records and clusters, splink's and DuckDB's
#: working memory), which no column table holds: measured on the ``integrated`` preset, peak
#: RSS 658 MiB at 300,000 persons x 40 days and 1.66 GiB at 1,000,000 x 365, about 1,560 B a
#: person beyond its columns' 144; with a margin
LINKAGE_BYTES = 1_700


def memory_per_person(scenario: Scenario) -> dict[str, int]:
    """Bytes per person by part, from the column tables (every system counted as covering
    everyone: the worst case)."""
    out = {"population": bytes_per_person(), "working": WORKING_BYTES}
    for name in scenario.processes:
        out[f"process {name}"] = bytes_per_row(PROCESS_COLUMNS)
    for name, system in scenario.systems.items():
        out[f"system {name}"] = bytes_per_row(SYSTEM_KINDS.part(system.kind).table(system))
    if scenario.protests is not None:
        out["protests"] = bytes_per_row(PROTEST_COLUMNS)
    for name, measure in scenario.measures.items():
        columns = MEASURE_KINDS.part(measure.kind).table(measure)
        out[f"measure {name}"] = bytes_per_row(columns)
    if scenario.integration is not None:
        out["integration (linkage)"] = LINKAGE_BYTES
    return out


@dataclass(frozen=True)
class Estimate:
    """Memory and time of a run of ``persons`` over ``days`` (warm-up included)."""

    persons: int
    days: int
    per_person: dict[str, int]
    seconds: float | None = None
    block_size: int = 65_536

    @property
    def bytes_per_person(self) -> int:
        return sum(self.per_person.values())

    @property
    def total_bytes(self) -> int:
        return self.persons * self.bytes_per_person + FIXED_BYTES

    def shards_for(self, memory_per_worker: int) -> int:
        """The fewest shards (one per worker) whose persons fit ``memory_per_worker`` bytes
        each; 0 when none does (shards are whole blocks, so a shard holds at least one)."""
        room = memory_per_worker - FIXED_BYTES
        block = min(self.block_size, self.persons) * self.bytes_per_person
        if room < block:
            return 0
        blocks = -(-self.persons // self.block_size)
        per_shard = room // block  # whole blocks a worker holds
        return max(1, math.ceil(blocks / per_shard))
