"""The package as a user gets it: ``python -m build`` makes an sdist and a wheel, the wheel
holds every data file the code reads, and installed into a fresh virtual environment (away from
the source tree) its ``scorelab`` command runs a preset and writes a report.

The fresh environment gets the wheel alone (``--no-deps``, nothing downloaded); the
dependencies come from this environment's site-packages through a ``.pth`` line, which adds
that folder to ``sys.path`` without processing its own ``.pth`` files, so the editable install
of the source tree stays out of sight. About 10 s.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import scorelab

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "scorelab"

pytest.importorskip("build", reason="the package test needs build: pip install -e '.[test]'")


def data_files() -> list[str]:
    """Every file under src/scorelab that is not Python source: what the wheel must carry."""
    return sorted(p.relative_to(SRC.parent).as_posix() for p in SRC.rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc")
                  and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # no isolation: the build backend (setuptools) comes from the test extras, not a download
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                    str(ROOT)], check=True, capture_output=True, cwd=out)
    return out


def test_sdist_and_wheel_hold_the_data_files(dist: Path) -> None:
    wheel = next(dist.glob("scorelab-*.whl"))
    sdist = next(dist.glob("scorelab-*.tar.gz"))
    assert wheel.name.startswith(f"scorelab-{scorelab.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = data_files()
    assert "scorelab/report/static/sources.md" in expected
    assert [f for f in expected if f not in names] == []
    metadata = zipfile.ZipFile(wheel).read(
        f"scorelab-{scorelab.__version__}.dist-info/METADATA").decode()
    assert f"Version: {scorelab.__version__}\n" in metadata
    for extra in ("ray", "docs", "test"):  # extras stay extras
        assert f"Provides-Extra: {extra}\n" in metadata
    assert not any(line.startswith("Requires-Dist: ray") and "extra ==" not in line
                   for line in metadata.splitlines())
    with tarfile.open(sdist) as tar:
        members = {m.split("/", 1)[1] for m in tar.getnames() if "/" in m}
    assert {"LICENSE", "CITATION.cff", "CHANGELOG.md", "pyproject.toml"} <= members
    assert [f for f in expected if f"src/{f}" not in members] == []


def test_installed_wheel_runs_a_preset(dist: Path, tmp_path: Path) -> None:
    wheel = next(dist.glob("scorelab-*.whl"))
    # nothing of the source tree on the path (PYTHONPATH=src would show the build's egg-info
    # to pip as scorelab installed already)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   env=env)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--quiet", "--no-deps", "--no-index", str(wheel)], check=True, env=env)
    where_code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run([str(python), "-c", where_code], check=True,
                             capture_output=True, text=True, env=env).stdout.strip()
    ours = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    Path(purelib, "_scorelab_test_deps.pth").write_text(
        "\n".join(dict.fromkeys(ours)) + "\n", "utf-8")
    work = tmp_path / "elsewhere"  # not the source tree
    work.mkdir()

    def scorelab_command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(venv / "bin" / "scorelab"), *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300, check=False)

    where = subprocess.run([str(python), "-c", "import scorelab; print(scorelab.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    version = scorelab_command("--version")
    assert version.stdout.strip() == f"scorelab {scorelab.__version__}", version
    done = scorelab_command("run", "--preset", "china-2022", "--persons", "2000", "--days",
                            "5", "--out", "out", "--quiet")
    assert done.returncode == 0, done.stderr
    out = work / "out"
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["scenario"] == "china-2022" and summary["persons"] == 2000
    report = (out / "report.html").read_text("utf-8")
    named = report.index("scorelab version")  # the methods section names the version
    assert f">{scorelab.__version__}<" in report[named:named + 80]
    assert "Plotly" in report  # the inlined bundle: package data found
    listed = scorelab_command("presets")
    assert "united-states-2020" in listed.stdout
