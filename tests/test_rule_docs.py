"""Every rule: its four-part doc, and its own Example / Use instead blocks under test.

The bad example must report the rule and the good one must not, so removing or breaking a
rule fails here. The list of codes comes from RULES.md's contract (kept in EXPECTED_CODES),
so a rule that disappears from the registry fails too.
"""

from __future__ import annotations

import re

import pytest
from recipe.runtime.lang.config import Config
from recipe.server.analysis.lint import lint_text
from recipe.server.rules import all_rules, rule_by_code

EXPECTED_CODES = (
    "S001 S002 S003 S004 S005 N001 N002 N003 N004 N005 N006 N007 N008 "
    "T001 T002 T003 T004 T005 T006 C001 C002 C003 C004 C005 C006 C007 C008 "
    "J001 J002 J003 J004 J005 J006 J007 P001 P002 P003 P004 P005 P006 "
    "F001 F002 F003 F004 F005 X001 X002 X003"
).split()

_BLOCK = re.compile(r"## (Example|Use instead)\s*\n```scheme\n(.*?)```", re.S)


def _blocks(doc: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in _BLOCK.finditer(doc)}


def _config_for(code: str) -> Config:
    config = Config()
    if code == "C007":
        config.max_cost = 0.05
    return config


def test_every_rule_of_rules_md_is_registered() -> None:
    assert sorted(rule_by_code()) == sorted(EXPECTED_CODES)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_doc_has_four_parts(rule) -> None:  # type: ignore[no-untyped-def]
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in rule.doc, f"{rule.code} doc lacks {heading!r}"
    assert rule.severity in ("error", "warning", "info")
    assert re.fullmatch(r"[a-z0-9-]+", rule.name)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_bad_example_reports_the_rule(rule) -> None:  # type: ignore[no-untyped-def]
    bad = _blocks(rule.doc)["Example"]
    result = lint_text(bad, _config_for(rule.code), "example.recipe")
    assert not result.internal_errors, result.internal_errors
    codes = [d.code for d in result.diagnostics]
    assert rule.code in codes, f"{rule.code} not reported on its example; got {codes}"
    diag = next(d for d in result.diagnostics if d.code == rule.code)
    assert diag.message and 0 <= diag.start <= diag.end <= len(bad)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_good_example_is_clean_of_the_rule(rule) -> None:  # type: ignore[no-untyped-def]
    good = _blocks(rule.doc)["Use instead"]
    result = lint_text(good, _config_for(rule.code), "example.recipe")
    assert not result.internal_errors, result.internal_errors
    codes = [d.code for d in result.diagnostics]
    assert rule.code not in codes, f"{rule.code} reported on its good example: {result.diagnostics}"


def test_readme_rule_table_is_generated_from_the_docs() -> None:
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "gen_readme_rules.py"
    spec = importlib.util.spec_from_file_location("gen_readme_rules", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.README.read_text(encoding="utf-8")
    assert module.render(text) == text, "run `python scripts/gen_readme_rules.py`"
