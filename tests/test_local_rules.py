"""Rules with ``LOCAL = True`` keep their promise: run over some top-level forms only (a
:class:`Focus`), they report exactly what a whole run reports inside those forms. The
incremental linter relies on it to re-check only the forms an edit can affect."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.server.analysis.context import Analysis, Focus, RuleContext
from recipe.server.analysis.diagnostics import Diagnostic
from recipe.server.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.recipe") if p.is_file())
_BLOCK = re.compile(r"```scheme\n(.*?)```", re.S)
LOCAL_RULES = [rule for rule in all_rules() if rule.local]


def _sources() -> list[object]:
    params: list[object] = [pytest.param(p.read_text(), id=p.stem) for p in EXAMPLES]
    for rule in all_rules():
        for k, block in enumerate(_BLOCK.findall(rule.doc)):
            params.append(pytest.param(block, id=f"{rule.code}-doc{k}"))
    return params


def _key(d: Diagnostic) -> tuple[object, ...]:
    return (d.code, d.message, d.start, d.end, d.fix, list(d.related))


def test_the_cheap_and_costly_rules_are_local() -> None:
    assert len(LOCAL_RULES) >= 30


@pytest.mark.parametrize("text", _sources())
def test_a_local_rule_reports_inside_its_focus_what_a_whole_run_does(text: str) -> None:
    config = Config()
    config.max_cost = 0.0001
    document = read(text)
    forms = document.forms
    if not forms:
        return
    rng = random.Random(text)
    focuses = [[i] for i in range(len(forms))]
    focuses += [sorted(rng.sample(range(len(forms)), k=rng.randint(1, len(forms))))
                for _ in range(3)]
    analysis = Analysis(document, config, "t.recipe")
    for rule in LOCAL_RULES:
        whole = list(rule.check(RuleContext(analysis, rule.code, rule.severity)))
        for indices in focuses:
            focus = Focus(analysis, indices)
            spans = [(forms[i].start, forms[i].end) for i in indices]
            expected = sorted(_key(d) for d in whole if any(s <= d.start < e for s, e in spans))
            got = sorted(_key(d) for d in rule.check(
                RuleContext(analysis, rule.code, rule.severity, focus)))
            assert got == expected, (rule.code, indices)
