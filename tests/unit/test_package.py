"""What a citation and a package rely on: one version everywhere, a licence that matches the
metadata, a valid CITATION.cff and a changelog in Keep a Changelog's shape."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import scorelab
from scorelab.cli import main
from scorelab.core.version import __version__

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))

#: the keys the Citation File Format 1.2.0 requires, and those of a person or an entity
CFF_REQUIRED = ("cff-version", "message", "title", "authors")
SEMVER = r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?"


def test_the_version_has_one_place() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    attr = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "scorelab.core.version.__version__"
    assert scorelab.__version__ == __version__
    assert re.fullmatch(SEMVER, __version__)


def test_cli_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"scorelab {__version__}"


def test_citation_file_is_valid_and_names_this_version() -> None:
    cff = YAML(typ="safe").load((ROOT / "CITATION.cff").read_text("utf-8"))
    assert [key for key in CFF_REQUIRED if not cff.get(key)] == []
    assert cff["cff-version"] == "1.2.0"
    assert cff.get("type", "software") in ("software", "dataset")
    assert str(cff["version"]) == __version__
    assert cff["license"] == PYPROJECT["project"]["license"]
    assert isinstance(cff["authors"], list) and cff["authors"]
    for author in cff["authors"]:  # a person has a family name, an entity a name
        assert author.get("family-names") or author.get("name"), author
    assert cff["title"].startswith("scorelab")


def test_licence_file_matches_the_metadata() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert text.startswith("# Changelog\n")
    versions = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert versions and versions[0] in ("Unreleased", __version__), versions
    for version in versions[1:]:
        assert re.fullmatch(SEMVER, version), version
    # a released version is the package's or older; an unreleased one says what it will be
    assert __version__ in versions or __version__ in text.split("\n## [", 2)[1]
    kinds = set(re.findall(r"^### (\w+)", text, flags=re.MULTILINE))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kinds


def test_extras_stay_extras() -> None:
    required = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    for heavy in ("ray", "mkdocs", "playwright", "pytest"):
        assert heavy not in required, heavy
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"ray", "docs", "test", "lint"} <= set(extras)
