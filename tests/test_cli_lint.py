"""`recipe lint` as users and CI call it: formats, selection, exit codes, bad input, fixes,
configuration, noqa — through the real console entry point in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BAD = """(define answer (llm-querry #:instruction "Say hi." #:max-tokens 10))
(finish (syntax-e answer))
"""
CLEAN = """(define answer (llm-query #:instruction "Say hi." #:max-tokens 10))
(finish (syntax-e answer))
"""


def recipe(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "recipe.server", *args], cwd=cwd,
                          capture_output=True, text=True, input=stdin, timeout=120)


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    (tmp_path / "bad.recipe").write_text(BAD)
    (tmp_path / "clean.recipe").write_text(CLEAN)
    return tmp_path


def test_text_format_and_exit_code(work: Path) -> None:
    out = recipe("lint", "bad.recipe", cwd=work)
    assert out.returncode == 1
    assert "bad.recipe:1:17: N001 unbound identifier `llm-querry`; did you mean `llm-query`?" in out.stdout
    assert "Traceback" not in out.stderr
    clean = recipe("lint", "clean.recipe", cwd=work)
    assert clean.returncode == 0 and "All checks passed!" in clean.stdout


def test_directory_search_and_json(work: Path) -> None:
    out = recipe("lint", ".", "--format", "json", cwd=work)
    data = json.loads(out.stdout)
    assert out.returncode == 1
    (item,) = data
    assert item["code"] == "N001" and item["filename"] == "bad.recipe"
    assert item["location"] == {"row": 1, "column": 17}
    assert item["end_location"] == {"row": 1, "column": 27}
    assert item["severity"] == "error"
    assert item["fix"]["applicability"] == "unsafe"
    assert item["fix"]["edits"][0]["content"] == "llm-query"


def test_github_annotations(work: Path) -> None:
    out = recipe("lint", "bad.recipe", "--format", "github", cwd=work)
    assert out.stdout.startswith("::error file=bad.recipe,line=1,col=17,endLine=1,endColumn=27,title=N001::")


def test_sarif_is_valid_2_1_0(work: Path) -> None:
    out = recipe("lint", "bad.recipe", "--format", "sarif", cwd=work)
    sarif = json.loads(out.stdout)
    from sarif_check import validate_sarif

    validate_sarif(sarif)
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "N001" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 17, "endLine": 1, "endColumn": 27}


def test_select_and_ignore(work: Path) -> None:
    assert recipe("lint", "bad.recipe", "--ignore", "N", cwd=work).returncode == 0
    assert recipe("lint", "bad.recipe", "--select", "S,C001", cwd=work).returncode == 0
    assert recipe("lint", "bad.recipe", "--select", "N001", cwd=work).returncode == 1
    out = recipe("lint", "bad.recipe", "--select", "Q123", cwd=work)
    assert out.returncode == 2 and "unknown rule code or prefix `Q123`" in out.stderr


def test_fail_on(work: Path) -> None:
    (work / "info.recipe").write_text('(define unused 1)\n(finish "x")\n')
    assert recipe("lint", "info.recipe", cwd=work).returncode == 0  # N008 is info
    assert recipe("lint", "info.recipe", "--fail-on", "info", cwd=work).returncode == 1


def test_bad_inputs(work: Path) -> None:
    (work / "latin1.recipe").write_bytes(b'(finish "caf\xe9")\n' + b"x" * 3)
    out = recipe("lint", "latin1.recipe", "bad.recipe", "missing.recipe", cwd=work)
    assert out.returncode == 2
    assert "latin1.recipe: not UTF-8 text (byte 0xe9 at offset 12)" in out.stderr
    assert "missing.recipe: no such file or directory" in out.stderr
    assert "bad.recipe:1:17: N001" in out.stdout  # the other files are still linted
    empty = work / "empty"
    empty.mkdir()
    out = recipe("lint", "empty", cwd=work)
    assert out.returncode == 0 and "no *.recipe files" in out.stderr
    out = recipe("fmt", "latin1.recipe", "bad.recipe", cwd=work)
    assert out.returncode == 2
    assert "latin1.recipe: not UTF-8 text" in out.stderr
    assert "1 left unchanged, 1 not formatted (see above)" in out.stderr


def test_noqa(work: Path) -> None:
    (work / "q.recipe").write_text(BAD.replace("10))", "10)) ; noqa: N001"))
    assert recipe("lint", "q.recipe", cwd=work).returncode == 0
    (work / "q2.recipe").write_text(BAD.replace("10))", "10)) ; noqa: C004"))
    assert recipe("lint", "q2.recipe", cwd=work).returncode == 1
    (work / "q3.recipe").write_text(BAD.replace("10))", "10)) ; noqa"))
    assert recipe("lint", "q3.recipe", cwd=work).returncode == 0


def test_configuration(work: Path) -> None:
    (work / "pyproject.toml").write_text('[tool.recipe]\nignore = ["N001"]\n')
    assert recipe("lint", "bad.recipe", cwd=work).returncode == 0
    (work / "pyproject.toml").write_text('[tool.recipe]\nseverity = { N001 = "info" }\n')
    assert recipe("lint", "bad.recipe", cwd=work).returncode == 0
    (work / "pyproject.toml").write_text('[tool.recipe]\nper-file-ignores = { "bad.recipe" = ["N"] }\n')
    assert recipe("lint", "bad.recipe", cwd=work).returncode == 0
    (work / "pyproject.toml").write_text('[tool.recipe]\nselcet = ["N"]\n')
    out = recipe("lint", "bad.recipe", cwd=work)
    assert out.returncode == 2 and "unknown key `selcet`" in out.stderr
    # a selector that matches no rule turned every rule off without a word
    (work / "pyproject.toml").write_text('[tool.recipe]\nselect = ["NOPE9"]\n')
    out = recipe("lint", "bad.recipe", cwd=work)
    assert out.returncode == 2 and "`select`: 'NOPE9' matches no rule" in out.stderr
    (work / "recipe.toml").write_text('select = ["S"]\n')
    assert recipe("lint", "bad.recipe", cwd=work).returncode == 0


def test_fix_and_unsafe_fixes(work: Path) -> None:
    (work / "kw.recipe").write_text('(finish (syntax-e (llm-query #:instruction "x" #:max-token 5)))\n')
    out = recipe("lint", "kw.recipe", "--fix", cwd=work)
    assert out.returncode == 0, out.stdout
    assert "#:max-tokens 5" in (work / "kw.recipe").read_text()
    assert "Fixed 1 problem." in out.stdout
    out = recipe("lint", "bad.recipe", "--fix", cwd=work)
    assert out.returncode == 1 and "llm-querry" in (work / "bad.recipe").read_text()
    out = recipe("lint", "bad.recipe", "--fix", "--unsafe-fixes", cwd=work)
    assert out.returncode == 0 and "(llm-query " in (work / "bad.recipe").read_text()


def test_rule_command(work: Path) -> None:
    out = recipe("rule", "N003", cwd=work)
    assert out.returncode == 0 and "## What it does" in out.stdout
    listing = recipe("rule", "--all", cwd=work)
    assert "N001" in listing.stdout and "unbound-identifier" in listing.stdout
    assert recipe("rule", "Z999", cwd=work).returncode == 2


def test_lint_imports_no_protocol_or_network_layers(work: Path) -> None:
    code = ("import sys\nfrom recipe.server.cli import main\nmain(['lint', 'bad.recipe'])\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('lsprotocol', 'pygls', 'openai', 'anyio', 'rich', 'httpx', 'parsimonious') "
            "or m.startswith('recipe.runtime.engine') or m.startswith('recipe.server.lsp'))\n"
            "print('IMPORTED', bad)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True,
                         timeout=60)
    assert "IMPORTED []" in out.stdout, out.stdout + out.stderr


def test_many_files_are_linted_in_parallel_with_the_same_output(work: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    big = "\n".join(p.read_text() for p in sorted(p for p in examples.glob("*.recipe") if p.is_file())) * 4
    corpus = work / "corpus"
    corpus.mkdir()
    for i in range(12):  # ≥ 8 files and ≥ 200 KB: the parallel path
        (corpus / f"f{i:02}.recipe").write_text(big + (BAD if i % 5 == 0 else ""))
    out = recipe("lint", "corpus", "--format", "json", cwd=work)
    data = json.loads(out.stdout)
    files = [d["filename"] for d in data if d["code"] == "N001"]
    assert files == ["corpus/f00.recipe", "corpus/f05.recipe", "corpus/f10.recipe"]
    single = recipe("lint", "corpus/f05.recipe", "--format", "json", cwd=work)
    assert [d for d in data if d["filename"] == "corpus/f05.recipe"] == json.loads(single.stdout)


def test_cost_command(work: Path) -> None:
    (work / "fan.recipe").write_text(
        '(define docs (range 50))\n'
        '(define out (map-async (lambda (d) (llm-query-async #:instruction "Tag." #:data "x"\n'
        '  #:model "gpt-4.1-nano" #:max-tokens 100)) docs))\n(finish (string-join out))\n')
    out = recipe("cost", "fan.recipe", cwd=work)
    assert out.returncode == 0
    assert "gpt-4.1-nano" in out.stdout and "50" in out.stdout and "total: 50 LLM calls" in out.stdout
    data = json.loads(recipe("cost", "fan.recipe", "--format", "json", cwd=work).stdout)
    (row,) = data["calls"]
    assert row["calls"] == 50 and row["model"] == "gpt-4.1-nano" and row["tokens_out"] == 100
    assert data["total"]["calls"] == 50 and data["total"]["cost_high"] > data["total"]["cost_low"] > 0
    missing = recipe("cost", "missing.recipe", cwd=work)
    assert missing.returncode == 2 and "missing.recipe" in missing.stderr
    # a recipe that cannot run has no cost to show: its syntax errors, located, and exit 2
    (work / "broken.recipe").write_text(
        '(define x (llm-query #:instruction "Hi" #:max-tokens 5)\n(finish x\n')
    broken = recipe("cost", "broken.recipe", cwd=work)
    assert broken.returncode == 2 and broken.stdout == ""
    assert "broken.recipe:1:1: S001 unclosed `(`" in broken.stderr
    assert "no estimate: fix the syntax errors first" in broken.stderr


def test_unreadable_input_is_not_a_pass(work: Path) -> None:
    """A path that cannot be read was not checked: `path: message` on stderr, exit 2, and
    no "All checks passed!" (as ruff does)."""
    out = recipe("lint", "does-not-exist.recipe", cwd=work)
    assert out.returncode == 2
    assert out.stderr == "does-not-exist.recipe: no such file or directory\n"
    assert "All checks passed" not in out.stdout and out.stdout == ""
    out = recipe("lint", "clean.recipe", "does-not-exist.recipe", cwd=work)
    assert out.returncode == 2 and "All checks passed" not in out.stdout
    assert out.stderr == "does-not-exist.recipe: no such file or directory\n"
    out = recipe("lint", "bad.recipe", "does-not-exist.recipe", cwd=work)
    assert out.returncode == 2 and "Found 1 problem." in out.stdout
    out = recipe("lint", "--format", "json", "does-not-exist.recipe", cwd=work)
    assert out.returncode == 2 and json.loads(out.stdout) == []


@pytest.mark.parametrize("command", [
    ["cost"], ["fmt"], ["fmt", "--check"], ["run"], ["run", "--format", "json"],
])
def test_missing_file_is_one_line_and_exit_2(work: Path, command: list[str]) -> None:
    out = recipe(*command, "does-not-exist.recipe", cwd=work)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    (line,) = out.stderr.splitlines()
    assert "does-not-exist.recipe" in line
    assert "no such file" in line.lower()
    if command[-1] == "json":
        assert json.loads(out.stdout)["error"]["type"] == "usage"
    else:
        assert out.stdout == ""
