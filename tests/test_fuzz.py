"""Fuzzing: the reader and the analyser never raise, whatever the input.

The normal run covers more than 2,000 cases (hypothesis-generated text plus mutations of
every example: deletions, insertions, truncations, random bytes); bench/fuzz.py runs the
same generators for 100,000.
"""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.runtime.lang.syntax import ListNode
from recipe.server.analysis.lint import lint_document

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parent.parent / "examples").rglob("*.recipe")
                  if p.is_file())  # not the run state folder `.recipe/` a run leaves
TOKENS = ["(", ")", "[", "]", "{", "}", '"', "'", "`", ",", ",@", "#:", "#|", "|#", "#;", ";",
          "\n", " ", "\\", "#\\", "#t", "1.2", "define", "lambda", "let", "map-async",
          "llm-query", "llm-query-async", "#:model", '"gpt-4"', "#:max-tokens", "syntax-e",
          "finish", "py-exec", '"print(1)"', "for/list", "x", "λ", ".", "...", "😀", "\x00", "\r"]
CONFIG = Config()


def check(text: str) -> None:
    doc = read(text)
    for node in doc.walk():
        assert 0 <= node.start <= node.end <= len(text)
        if isinstance(node, ListNode):
            starts = [item.start for item in node.items]
            assert starts == sorted(starts)
    result = lint_document(doc, CONFIG, "fuzz.recipe")
    assert not result.internal_errors, result.internal_errors
    for diag in result.diagnostics:
        assert 0 <= diag.start <= diag.end <= len(text), diag


def mutate(text: str, rng: random.Random) -> str:
    kind = rng.randrange(5)
    if not text:
        return rng.choice(TOKENS)
    at = rng.randrange(len(text) + 1)
    if kind == 0:  # delete a span
        return text[:at] + text[at + rng.randint(1, 40):]
    if kind == 1:  # insert tokens
        return text[:at] + "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 4))) + text[at:]
    if kind == 2:  # truncate
        return text[:at]
    if kind == 3:  # random bytes, decoded as an editor would show them
        noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        return text[:at] + noise.decode("utf-8", errors="replace") + text[at:]
    start = rng.randrange(len(text))  # duplicate a span elsewhere
    return text[:at] + text[start:start + rng.randint(1, 60)] + text[at:]


def mutation_cases(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    sources = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    cases = []
    for _ in range(count):
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 3)):
            text = mutate(text, rng)
        cases.append(text)
    return cases


def test_mutations_of_examples() -> None:
    cases = mutation_cases(1600, seed=20261126)
    for text in cases:
        check(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup(tokens: list[str]) -> None:
    check("".join(tokens))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check(text)


def test_deep_nesting_through_the_whole_analyser() -> None:
    for text in ("(" * 10_000 + ")" * 10_000,
                 "(define (f x) " + "(g " * 5_000 + "x" + ")" * 5_000 + ")\n(finish (f 1))",
                 "(map-async (lambda (d) " + "(llm-query-async #:data " * 3_000 + "d" + ")" * 3_000
                 + ") items)",
                 "'" * 5_000 + "x", "(" * 10_000):
        check(text)
