"""Values that reach each other by many paths (each form joins the two before it) are
followed once per node, not once per path: 2^n paths made a 34-line recipe take 10 s."""

from __future__ import annotations

import pytest
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.syntax import ListNode
from recipe.server.analysis import python_code
from recipe.server.analysis.lint import lint_text
from recipe.server.rules import x003_llm_output_as_code as x003


def ladder(count: int, first: str) -> str:
    lines = [f"(define x0 {first})", f"(define x1 {first})"]
    lines += [f"(define x{i} (string-append x{i - 1} x{i - 2}))" for i in range(2, count)]
    return "\n".join([*lines, f"(py-exec x{count - 1})", "(finish 1)"]) + "\n"


@pytest.mark.parametrize("first", ["(get-context)", '"a"'])
def test_a_ladder_of_joins_is_read_once_per_form(first: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"code": 0, "taint": 0}
    code_text = python_code.EmbeddedPython._code_text
    follow = x003._Taint._follow

    def counted_code_text(self: python_code.EmbeddedPython, *args: object) -> object:
        calls["code"] += 1
        return code_text(self, *args)  # type: ignore[arg-type]

    def counted_follow(self: x003._Taint, *args: object) -> object:
        calls["taint"] += 1
        return follow(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(python_code.EmbeddedPython, "_code_text", counted_code_text)
    monkeypatch.setattr(x003._Taint, "_follow", counted_follow)
    result = lint_text(ladder(24, first), Config())
    assert not result.internal_errors
    # 2^24 paths before; a few calls per form now
    assert calls["code"] < 200 and calls["taint"] < 400, calls


def test_a_ladder_of_literal_joins_is_put_together_once_per_form(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from recipe.server.analysis import facts

    calls = [0]
    literal_string = facts.Facts.literal_string

    def counted(self: facts.Facts, node: object) -> object:
        calls[0] += 1
        return literal_string(self, node)  # type: ignore[arg-type]

    monkeypatch.setattr(facts.Facts, "literal_string", counted)
    text = ladder(24, '"a"').replace("(py-exec x23)", '(llm-query #:instruction x23)')
    assert not lint_text(text, Config()).internal_errors
    assert calls[0] < 2000, calls  # 2^24 before


def test_a_string_past_the_limit_is_not_put_together() -> None:
    # fib(60) characters: the run could not build it either; the lint gives up on it
    from recipe.server.analysis.facts import MAX_LITERAL

    result = lint_text(ladder(60, '"a"'), Config())
    assert not result.internal_errors
    facts = result.analysis.facts
    values = {form.items[1].text: form.items[2]  # type: ignore[attr-defined]
              for form in result.analysis.document.forms
              if isinstance(form, ListNode) and form.head_name() == "define"}
    assert facts.literal_string(values["x59"]) is None
    joined = facts.literal_string(values["x20"])  # fib(21) = 10,946 characters: within it
    assert joined is not None and 10_000 < len(joined) <= MAX_LITERAL
