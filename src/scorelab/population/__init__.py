"""Synthetic population and identities."""

from .generate import Geography, Population, build_geography, generate_population

__all__ = ["Geography", "Population", "build_geography", "generate_population"]
