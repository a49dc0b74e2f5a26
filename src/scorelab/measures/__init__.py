"""Control measures: checkpoints, device scanning, shutdowns, jammers (kinds in ``registry``)."""
