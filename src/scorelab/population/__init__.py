"""Synthetic population and identities."""

from ..scenario.geography import Geography, build_geography
from .generate import Population, generate_population

__all__ = ["Geography", "Population", "build_geography", "generate_population"]
