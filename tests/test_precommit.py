"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real `pre-commit` on a temp repo.

The hook repository is a temp clone of this repo with one extra commit carrying the working
tree's .pre-commit-hooks.yaml, referenced as `repo: <path>`, `rev: <that commit>`. The hooks
are used with `language: system` (an override in the consumer's config) so that pre-commit
calls the `recipe` already installed here instead of pip-installing recipe-tools into a new
virtualenv, which would need the package index; everything else (ids, entry, files pattern,
pass/fail, fmt rewriting files) is what users get.

pre-commit missing: skip locally; fail with RECIPE_REQUIRE_EDITORS=1 (.ci/editors.sh installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

BAD = """;; Expensive model inside a fan-out (C001).
(define docs (list "alpha report" "beta report" "gamma report"))

(define summaries
  (map-async
   (lambda (d)
     (llm-query-async #:instruction "Summarise the text in one line."
                      #:data d
                      #:model "gpt-4o"))
   docs))

(finish (string-join summaries "\\n"))
"""

GOOD = """;; One greeting, with a bounded reply.
(define greeting
  (llm-query #:instruction "Greet the person in one short sentence."
             #:data "Ada"
             #:max-tokens 50))

(finish (syntax-e greeting))
"""

UNFORMATTED = """(define greeting (llm-query #:instruction "Greet the person in one short sentence."
                  #:data "Ada"       #:max-tokens 50))
(finish   (syntax-e   greeting))
"""


def _tool(name: str) -> str | None:
    cand = BIN / name
    return str(cand) if cand.exists() else shutil.which(name)


def _need(name: str) -> str:
    exe = _tool(name)
    if exe is None:
        reason = f"`{name}` not found (pip install pre-commit; pip install -e .)"
        if os.environ.get("RECIPE_REQUIRE_EDITORS") == "1":
            pytest.fail(f"RECIPE_REQUIRE_EDITORS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return exe


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{BIN}{os.pathsep}{e.get('PATH', '')}"  # `recipe` for language: system
    e["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    e["HOME"] = str(tmp_path / "home")
    e["XDG_CACHE_HOME"] = str(tmp_path / "xdg-cache")
    e["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    e["GIT_CONFIG_NOSYSTEM"] = "1"
    e["PRE_COMMIT_COLOR"] = "never"
    for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        e.pop(k, None)
    e.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
             GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    Path(e["HOME"]).mkdir()
    return e


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True, timeout=60).stdout.strip()


@pytest.fixture
def hook_repo(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A temp clone of this repo plus a commit with the working tree's hook manifest."""
    hooks = tmp_path / "hooks"
    if (REPO / ".git").exists():
        git(tmp_path, env, "clone", "--quiet", "--no-hardlinks", str(REPO), str(hooks))
    else:  # an exported tree: a fresh repository does just as well
        hooks.mkdir()
        git(hooks, env, "init", "--quiet")
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
    git(hooks, env, "add", ".pre-commit-hooks.yaml")
    git(hooks, env, "commit", "--quiet", "--allow-empty", "-m", "hooks under test")
    return hooks, git(hooks, env, "rev-parse", "HEAD")


def consumer(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str], hook_id: str,
             files: dict[str, str]) -> Path:
    repo, rev = hook_repo
    work = tmp_path / "consumer"
    work.mkdir()
    git(work, env, "init", "--quiet")
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n"
        f"      - id: {hook_id}\n        language: system\n")
    for name, text in files.items():
        (work / name).write_text(text)
    git(work, env, "add", ".")
    return work


def run_hooks(work: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    pre_commit = _need("pre-commit")
    args = ["--files", *files] if files else ["--all-files"]
    return subprocess.run([pre_commit, "run", *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_manifest_declares_both_hooks():
    import yaml  # installed with pre-commit

    _need("pre-commit")
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["recipe-lint"]["entry"] == "recipe lint"
    assert hooks["recipe-fmt"]["entry"] == "recipe fmt"
    assert hooks["recipe-lint"]["files"] == r"\.recipe$"
    assert hooks["recipe-fmt"]["files"] == r"\.recipe$"


def test_lint_hook_fails_on_bad_recipe_and_passes_on_good(tmp_path, env, hook_repo):
    _need("recipe")
    work = consumer(tmp_path, env, hook_repo, "recipe-lint",
                    {"bad.recipe": BAD, "good.recipe": GOOD, "notes.txt": "(map-async not a recipe"})
    bad = run_hooks(work, env, "bad.recipe", "notes.txt")
    out = bad.stdout + bad.stderr
    assert bad.returncode == 1, out
    assert "C001" in out and "bad.recipe" in out, out
    assert "notes.txt" not in out, out
    good = run_hooks(work, env, "good.recipe", "notes.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "recipe lint" in good.stdout and "Passed" in good.stdout, good.stdout


def test_fmt_hook_rewrites_then_passes(tmp_path, env, hook_repo):
    _need("recipe")
    work = consumer(tmp_path, env, hook_repo, "recipe-fmt", {"messy.recipe": UNFORMATTED})
    first = run_hooks(work, env, "messy.recipe")
    assert first.returncode == 1, first.stdout + first.stderr  # files were modified by this hook
    assert (work / "messy.recipe").read_text() != UNFORMATTED
    second = run_hooks(work, env, "messy.recipe")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout, second.stdout
