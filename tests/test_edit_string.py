"""Document.edit_string: typing inside a string literal edits the tree in place (the server's
fastest path); the result must read exactly as a fresh read of the new text."""

from __future__ import annotations

import random

import pytest
from recipe.runtime.lang.reader import read, reread
from recipe.runtime.lang.syntax import STRING, Atom, Document, ListNode
from test_reader import doc_shape

TEXT = "(define papers (list \"a\" \"b\"))\n; notes\n" + (
    '(define (ask q)\n  (llm-query #:instruction "Answer briefly, in one line." #:data q\n'
    '             #:max-tokens 50))\n'
    '(define x (list "alpha" "beta gamma" ""))  ; a comment after\n'
    '#| block |# (finish (ask "why?"))\n')


def edit(doc: Document, text: str, start: int, end: int, new: str) -> tuple[Document, str]:
    got = doc.edit_string(start, end, new)
    if got is None:
        got = reread(doc, start, end, new)
    return got, text[:start] + new + text[end:]


def string_spans(doc: Document) -> list[tuple[int, int]]:
    return [(n.start, n.end) for n in doc.walk() if isinstance(n, Atom) and n.kind == STRING]


def test_typing_in_a_string_keeps_the_form_and_reads_as_new() -> None:
    doc = read(TEXT)
    assert doc.line_starts
    at = TEXT.index("one line") + 3
    form = next(f for f in doc.forms if f.start <= at < f.end)
    last = doc.forms[-1]
    new = doc.edit_string(at, at, "xé𝄞")
    assert new is not None
    expected = read(TEXT[:at] + "xé𝄞" + TEXT[at:])
    assert doc_shape(new) == doc_shape(expected)
    assert new.line_starts == expected.line_starts
    assert new.forms[doc.forms.index(form)] is form and new.forms[-1] is last
    assert isinstance(form, ListNode) and form.generation == 1 and form.edit is not None
    assert form.edit.delta == 3 and form.edit.atom.value == "Answer briefly, in onexé𝄞 line."


def test_edits_that_could_change_the_reading_are_refused() -> None:
    doc = read(TEXT)
    inside = TEXT.index("one line")
    for start, end, new in [(inside, inside, '"'), (inside, inside, "\\"), (inside, inside, "\n"),
                            (inside, inside + 20, ""),  # runs past the closing quote
                            (TEXT.index("(ask q)"), TEXT.index("(ask q)"), "x"),  # not a string
                            (TEXT.index('"alpha"'), TEXT.index('"alpha"'), "x")]:  # at the quote
        assert doc.edit_string(start, end, new) is None, (start, end, new)
    escaped = read('(f "a\\nb")\n')
    assert escaped.edit_string(5, 5, "x") is None
    unbalanced = read('(f "ab"\n')
    assert unbalanced.edit_string(5, 5, "x") is None


def test_syntax_errors_elsewhere_move_with_the_text() -> None:
    # A syntax error (here a mismatched closer, whose message quotes where its list opened,
    # and a malformed number) does not stop typing in a string from editing in place: it
    # is read the same, and moves like the nodes.
    text = '(f "ab" 12x)\n(g "cd" (h "ef" ])\n(k "gh")\n'
    doc = read(text)
    assert [e.code for e in doc.errors] == ["S005", "S002"] and not doc.recovering
    for marker in ('"a', '"c', '"e', '"g'):
        for new_text, length in (("xyz", 0), ("", 2)):
            at = text.index(marker) + 2
            end = at + length
            got = doc.edit_string(at, end, new_text)
            assert got is not None, at
            expected = read(text[:at] + new_text + text[end:])
            assert doc_shape(got) == doc_shape(expected), (at, new_text)
            doc, text = got, text[:at] + new_text + text[end:]


@pytest.mark.parametrize("base", [TEXT, TEXT + '(g "in a list" ]\n(h 12x "after")\n'])
def test_random_edits_inside_strings_equal_fresh_reads(base: str) -> None:
    rng = random.Random(3)
    text = base
    doc = read(text)
    assert not doc.recovering
    in_place = 0
    for _ in range(600):
        spans = string_spans(doc)
        if spans and rng.random() < 0.8:
            s, e = rng.choice(spans)
            start = rng.randint(s, e)
        else:
            start = rng.randint(0, len(text))
        end = min(len(text), start + rng.choice([0, 0, 1, 3]))
        new = rng.choice(["", "x", "ab", " ", "é", "𝄞", ";", "#|"]) if rng.random() < 0.95 \
            else rng.choice(['"', "\\", "\n", ")", "("])
        if rng.random() < 0.5:
            assert doc.line_starts
        before = doc
        doc, text = edit(doc, text, start, end, new)
        in_place += doc.forms == before.forms and doc is not before
        expected = read(text)
        assert doc_shape(doc) == doc_shape(expected), (start, end, new)
        assert doc.line_starts == expected.line_starts
    assert in_place > 50
