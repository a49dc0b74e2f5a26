"""The lowest layer: keyed random streams, inverse-CDF draws, the capacity desk queue and
column specs. It imports nothing from the rest of scorelab."""
