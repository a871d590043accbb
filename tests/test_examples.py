"""The shipped examples lint clean; each file in examples/mistakes reports the rules it shows
(the codes named in its comments) and the run of the linter over them never crashes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.server.analysis.lint import lint_text

ROOT = Path(__file__).resolve().parent.parent / "examples"
GOOD = sorted(p for p in ROOT.glob("*.recipe") if p.is_file())
MISTAKES = sorted(p for p in (ROOT / "mistakes").glob("*.recipe") if p.is_file())
_CODE = re.compile(r"\b([SNTCJPFX]\d{3})\b")


def test_there_are_enough_examples() -> None:
    assert len(GOOD) >= 8
    assert {p.stem for p in MISTAKES} >= {"syntax", "names", "types", "cost", "api", "python",
                                          "flow", "security"}


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_example_lints_clean(path: Path) -> None:
    result = lint_text(path.read_text(encoding="utf-8"), Config(), path.name)
    assert not result.internal_errors
    assert [(d.code, d.message) for d in result.diagnostics] == []


@pytest.mark.parametrize("path", MISTAKES, ids=lambda p: p.name)
def test_mistakes_report_what_they_show(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = read(text)
    expected = set()
    for comment in doc.comments:
        expected.update(_CODE.findall(comment.text))
    assert expected, "each mistakes file names the codes it shows in comments"
    result = lint_text(text, Config(), path.name)
    assert not result.internal_errors
    reported = {d.code for d in result.diagnostics}
    assert expected <= reported, f"missing {sorted(expected - reported)}"
