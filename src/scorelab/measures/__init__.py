"""Control measures: checkpoints, device scanning, shutdowns (kinds in ``registry``)."""
