"""Packaging: every package folder is listed in pyproject.toml (setuptools' package-dir
mapping does not discover them), and the data files the code reads ship with it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set()
    for top, name in (("runtime", "recipe.runtime"), ("server", "recipe.server")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    assert found == listed


def test_data_files_are_declared() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["recipe.runtime.lang"]
    for name in ("grammar.peg", "models.toml", "_scanner.json"):
        assert any(Path(name).match(p) for p in patterns), name
