"""Shared helpers for the editor tests (Neovim, VS Code / code-server).

Locally a missing prerequisite skips with the reason; with RECIPE_REQUIRE_EDITORS=1 (set by
.ci/editors.sh) it fails instead, so CI can't go green by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FIXTURES = HERE / "fixtures"
REQUIRED = os.environ.get("RECIPE_REQUIRE_EDITORS") == "1"


def missing(reason: str) -> None:
    """Skip (locally) or fail (RECIPE_REQUIRE_EDITORS=1) for a missing prerequisite."""
    if REQUIRED:
        pytest.fail(f"RECIPE_REQUIRE_EDITORS=1 but {reason}", pytrace=False)
    print(f"SKIP: {reason}")
    pytest.skip(reason)


def tool(name: str, env_var: str | None = None) -> str | None:
    """$ENV_VAR, then the venv's bin/ (next to sys.executable), then PATH."""
    for cand in (os.environ.get(env_var) if env_var else None,
                 str(Path(sys.executable).parent / name), shutil.which(name)):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def serve_cmd() -> list[str] | None:
    """argv of the language server: $RECIPE_SERVE_CMD (JSON) or `<venv>/bin/recipe serve`."""
    if os.environ.get("RECIPE_SERVE_CMD"):
        return list(json.loads(os.environ["RECIPE_SERVE_CMD"]))
    exe = tool("recipe")
    return [exe, "serve"] if exe else None


_serve_checked: dict[str, str | None] = {}


def require_serve() -> list[str]:
    """The server argv, after checking that `<cmd> --help` works (skip/fail otherwise)."""
    cmd = serve_cmd()
    if cmd is None:
        missing("the `recipe` console script is not installed (pip install -e .)")
    assert cmd is not None
    key = json.dumps(cmd)
    if key not in _serve_checked:
        try:
            p = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=60,
                               stdin=subprocess.DEVNULL)
            _serve_checked[key] = None if p.returncode == 0 else (
                f"`{' '.join(cmd)} --help` failed (rc {p.returncode}): {(p.stderr or p.stdout)[-300:]}")
        except (OSError, subprocess.TimeoutExpired) as e:
            _serve_checked[key] = f"`{' '.join(cmd)}` cannot run: {e}"
    problem = _serve_checked[key]
    if problem:
        missing(problem)
    return cmd


def xdg_env(base: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment with every XDG_* dir (and HOME-ish caches) inside ``base``."""
    env = dict(os.environ)
    for k in ("CONFIG", "DATA", "STATE", "CACHE", "RUNTIME"):
        d = base / f"xdg-{k.lower()}"
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[f"XDG_{k}_{'DIR' if k == 'RUNTIME' else 'HOME'}"] = str(d)
    env.pop("NVIM", None)
    env.pop("OPENAI_API_KEY", None)  # the tests run on the offline simulator
    env.pop("OPENAI_BASE_URL", None)
    env["RECIPE_PROVIDER"] = "simulated"
    if extra:
        env.update(extra)
    return env
