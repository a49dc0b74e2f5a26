"""The version of scorelab, in one place, at the bottom so that any layer may name it: the
package metadata (pyproject.toml reads it from here), ``scorelab --version``, the report's
methods section and CITATION.cff (a test checks) all give this string, installed or run
from a source tree."""

__version__ = "0.1.0"

__all__ = ["__version__"]
