"""Seeds of the runs of an experiment, derived from the scenario's seed.

The first run of every experiment (all keys 0) uses the scenario's own seed, so it is the
plain run; every other run's seed is drawn by numpy's ``SeedSequence`` from (base seed,
keys...): independent streams, the same on every machine and for any number of workers.
"""

from __future__ import annotations

import numpy as np


def derive_seed(base: int, *keys: int) -> int:
    """The seed of the run at ``keys`` (a replicate; a grid point and a replicate).

    >>> derive_seed(7, 0), derive_seed(7, 0, 0)
    (7, 7)
    >>> derive_seed(7, 1) == derive_seed(7, 1) != derive_seed(7, 2)
    True
    """
    if all(k == 0 for k in keys):
        return base
    state = np.random.SeedSequence([base, *keys]).generate_state(1, dtype=np.uint32)
    return int(state[0])
