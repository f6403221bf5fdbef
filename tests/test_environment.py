"""pyproject.toml, requirements/constraints.txt and environment.yml must name the same stack."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

# conda-forge names that differ from the PyPI names
CONDA_NAME = {"duckdb": "python-duckdb"}


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> list[Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = [Requirement(r) for r in data["project"]["dependencies"]]
    reqs += [Requirement(r) for r in data["project"]["optional-dependencies"]["test"]]
    return reqs


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_canon(name)] = version
    return pins


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep.get("pip", []):
                if "==" in p:
                    name, _, version = p.partition("==")
                    pins[_canon(name)] = version
        elif "=" in dep:
            name, _, version = dep.partition("=")
            pins[_canon(name)] = version
    return pins


def test_every_dependency_is_pinned_in_constraints_within_its_range():
    pins = _constraints()
    for req in _pyproject_requirements():
        name = _canon(req.name)
        assert name in pins, f"{req.name} is not pinned in requirements/constraints.txt"
        assert req.specifier.contains(pins[name]), f"{req.name}=={pins[name]} violates pyproject {req}"
        for extra in req.extras:  # dask[distributed] -> distributed must be pinned too
            assert _canon(extra) in pins


def test_environment_yml_lists_the_same_packages_at_the_same_versions():
    pins, env = _constraints(), _environment()
    for req in _pyproject_requirements():
        names = [_canon(req.name)] + [_canon(e) for e in req.extras]
        for name in names:
            conda_name = CONDA_NAME.get(name, name)
            assert conda_name in env, f"{name} missing from environment.yml"
            assert env[conda_name] == pins[name], (
                f"environment.yml has {conda_name}={env[conda_name]} but constraints pin {pins[name]}")
    assert env["python"] == "3.11"
