"""pyproject.toml and environment.yml must list the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: conda-forge names that differ from PyPI names.
CONDA_TO_PYPI = {"docker-py": "docker"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower(), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_split(r) for r in requirements)


def environment_requirements() -> dict[str, str]:
    import yaml  # PyYAML comes with jupytext and jupyter-events

    names = {}
    for entry in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]:
        if not isinstance(entry, str):
            continue  # the pip: section installs the package itself
        name, spec = _split(entry)
        if name in {"python", "pip"}:
            continue
        names[CONDA_TO_PYPI.get(name, name)] = spec
    return names


def test_environment_yml_matches_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_parser_sees_every_line():
    """The comparison above would pass vacuously if the parsers found nothing."""
    assert "docker" in environment_requirements()
    assert len(pyproject_requirements()) >= 10
