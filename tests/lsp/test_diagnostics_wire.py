"""DocState.diagnostics_wire reuses the JSON text of diagnostics an edit did not move in line
or column (the same objects, or the incremental linter's moved copies); whatever it
reuses must read exactly as a fresh conversion of the same lint would."""

from __future__ import annotations

import json
import random
import re

import pytest
from recipe.runtime.lang.config import Config
from recipe.server.lsp.convert import Positions, diagnostic_json
from recipe.server.lsp.state import DocState

UNIT = ('(define (summarise-{i} doc)\n'
        '  (llm-query-async #:instruction "Summarise {i}: é𝄞" #:data doc #:max-tokens 50))\n'
        '(define parts-{i} (map-async summarise-{i} (list "a" "b")))\n'
        '(define joined-{i} (string-join parts-{i} "\\n")) (define spare-{i} 1)\n'
        '(define label-{i} "plain é text") (define other-{i} 2)\n')


def fresh_wire(st: DocState, encoding: str) -> list[str]:
    pos = Positions(st.document, encoding)
    return [json.dumps(diagnostic_json(d, pos, st.uri), separators=(",", ":"))
            for d in st.lint().diagnostics]


@pytest.mark.parametrize(("seed", "encoding", "newline"),
                         [(1, "utf-16", "\n"), (2, "utf-8", "\r\n"), (3, "utf-32", "\n")])
def test_reused_text_equals_a_fresh_conversion(seed: int, encoding: str, newline: str) -> None:
    rng = random.Random(seed)
    text = "".join(UNIT.format(i=i) for i in range(24)).replace("\n", newline) + "(finish 1)"
    st = DocState("untitled:wire.recipe", 1, text, Config())
    st.diagnostics_wire(st.lint(), encoding)
    reused = 0
    for _ in range(160):
        text = st.document.text
        # mostly inside a string or a name (the findings of the other forms move), now and
        # then anywhere
        spots = [m.start() + 1 for m in re.finditer(r'"[^"\n]+"|spare', text)]
        at = rng.choice(spots) if spots and rng.random() < 0.8 else rng.randint(0, len(text))
        removed = rng.choice([0, 0, 1])
        new = rng.choice(["x", "é", "𝄞", "", " ", "y z", newline, "7"])
        st.version += 1
        st.apply_change(at, min(len(text), at + removed), new)
        result = st.lint()
        before = {id(d.origin or d) for d in result.diagnostics}
        got = st.diagnostics_wire(result, encoding)
        assert got == fresh_wire(st, encoding)
        reused += len(before)
    assert reused > 1000  # (the linter did move findings around: the reuse was exercised)


def test_an_edit_on_the_line_of_a_kept_finding_moves_its_column() -> None:
    # Two forms on one line: an edit of the same length in the first (`a` → `𝄞`, one code
    # point, two UTF-16 units) leaves the second's finding the very same object, at the same
    # offsets, but its UTF-16 column moved.
    text = '(define (f) (llm-query #:instruction "a" #:max-tokens 5)) (define unused-thing 1)\n' \
        "(finish (f))\n"
    st = DocState("untitled:line.recipe", 1, text, Config())
    first = st.diagnostics_wire(st.lint(), "utf-16")
    at = text.index('"a"') + 1
    st.version += 1
    st.apply_change(at, at + 1, "𝄞")
    got = st.diagnostics_wire(st.lint(), "utf-16")
    assert got == fresh_wire(st, "utf-16") and got != first
