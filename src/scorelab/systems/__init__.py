"""Scoring systems: point systems, lists, sanctions, appeals (kinds in ``registry``)."""
