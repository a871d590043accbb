"""The reader: tokens, tree shape, spans, every syntax error with recovery, incremental
re-reading, and agreement with parsimonious' own parse of grammar.peg."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from recipe.runtime.lang import grammar
from recipe.runtime.lang.reader import read, reread
from recipe.runtime.lang.syntax import (
    BOOLEAN,
    CHAR,
    KEYWORD,
    NUMBER,
    STRING,
    SYMBOL,
    Atom,
    Document,
    ListNode,
    Node,
    Quote,
    moved_line_starts,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def shape(node: Node | None) -> object:
    """A comparable picture of a tree: kinds, texts, spans."""
    if node is None:
        return None
    if isinstance(node, Atom):
        return ("atom", node.kind, node.text, node.start, node.end)
    if isinstance(node, ListNode):
        return ("list", node.opener, node.closed, node.start, node.end, [shape(i) for i in node.items])
    if isinstance(node, Quote):
        return ("quote", node.prefix, node.start, node.end, shape(node.datum))
    raise AssertionError(node)


def doc_shape(doc: Document) -> object:
    return (
        [shape(f) for f in doc.forms],
        [(c.kind, c.text, c.start, c.end, shape(c.datum)) for c in doc.comments],
        [(e.code, e.message, e.start, e.end, e.related) for e in doc.errors],
    )


def codes(text: str) -> list[str]:
    return [e.code for e in read(text).errors]


# -- atoms and values -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "value"), [
    ("42", NUMBER, 42), ("-7", NUMBER, -7), ("3.14", NUMBER, 3.14), (".5", NUMBER, 0.5),
    ("1e-3", NUMBER, 0.001), ("1/2", NUMBER, Fraction(1, 2)), ("4/2", NUMBER, 2),
    ("+inf.0", NUMBER, float("inf")), ("#t", BOOLEAN, True), ("#false", BOOLEAN, False),
    ("#\\a", CHAR, "a"), ("#\\space", CHAR, " "), ("#\\newline", CHAR, "\n"),
    ("#:model", KEYWORD, "model"), ("map-async", SYMBOL, "map-async"),
    ("string->number", SYMBOL, "string->number"), ("λ", SYMBOL, "λ"), ("...", SYMBOL, "..."),
    ("+", SYMBOL, "+"), ("null?", SYMBOL, "null?"),
    ('"a \\"quoted\\" word\\n"', STRING, 'a "quoted" word\n'), ('"\\u03bb"', STRING, "λ"),
    ('"tab\\there"', STRING, "tab\there"),
])
def test_atoms(text: str, kind: str, value: object) -> None:
    doc = read(text)
    assert doc.errors == []
    (atom,) = doc.forms
    assert isinstance(atom, Atom) and atom.kind == kind and atom.value == value
    assert (atom.start, atom.end) == (0, len(text))


def test_lists_brackets_quotes_vectors() -> None:
    doc = read("(f [x 1] {y 2}) '(1 2) `(a ,b ,@c) #(1 2 3)")
    assert doc.errors == []
    f, quoted, quasi, vec = doc.forms
    assert isinstance(f, ListNode) and f.head_name() == "f"
    assert [i.opener for i in f.items[1:]] == ["[", "{"]  # type: ignore[attr-defined]
    assert isinstance(quoted, Quote) and quoted.name == "quote"
    assert isinstance(quasi, Quote) and quasi.name == "quasiquote"
    inner = quasi.datum
    assert isinstance(inner, ListNode)
    assert [q.name for q in inner.items[1:]] == ["unquote", "unquote-splicing"]  # type: ignore[attr-defined]
    assert isinstance(vec, ListNode) and vec.is_vector and len(vec.items) == 3


def test_comments_are_kept() -> None:
    text = "#lang recipe\n; line\n#| block #| nested |# still |#\n#;(gone 1) (kept)\n"
    doc = read(text)
    assert doc.errors == []
    assert [c.kind for c in doc.comments] == ["lang", "line", "block", "datum"]
    assert doc.comments[2].text == "#| block #| nested |# still |#"
    datum = doc.comments[3].datum
    assert isinstance(datum, ListNode) and datum.head_name() == "gone"
    assert [shape(f)[0] for f in doc.forms] == ["list"]  # type: ignore[index]


def test_spans_reconstruct_text_losslessly() -> None:
    text = (EXAMPLES / "ace2_fan_out.recipe").read_text(encoding="utf-8") \
        if (EXAMPLES / "ace2_fan_out.recipe").exists() else "(define x 1) ; c\n(finish x)"
    doc = read(text)
    pieces = sorted([(n.start, n.end) for n in doc.forms] + [(c.start, c.end) for c in doc.comments])
    pos = 0
    for start, end in pieces:
        assert text[pos:start].strip() == "", "only whitespace between spans"
        pos = end
    assert text[pos:].strip() == ""


def test_positions_and_utf16() -> None:
    doc = read('(a "😀" b)\n(c)')
    b = doc.forms[0].items[2]  # type: ignore[attr-defined]
    assert doc.position(b.start) == (0, 7)
    assert doc.utf16_position(b.start) == (0, 8)  # the emoji is two UTF-16 units
    assert doc.offset_at(0, 8, utf16=True) == b.start
    assert doc.position(doc.forms[1].start) == (1, 0)


# -- errors and recovery --------------------------------------------------------------

def test_s001_unclosed_recovers_at_column_zero() -> None:
    text = "(define (f x)\n  (+ x 1)\n(define g 2)\n(finish g)\n"
    doc = read(text)
    assert [e.code for e in doc.errors] == ["S001"]
    err = doc.errors[0]
    assert (err.start, err.end) == (0, 1)
    assert "3:1" in err.message  # says where the next top-level form starts
    assert [f.head_name() for f in doc.forms] == ["define", "define", "finish"]  # type: ignore[attr-defined]
    assert doc.forms[0].closed is False  # type: ignore[attr-defined]


def test_s001_at_end_of_file_names_outermost() -> None:
    doc = read("(a (b (c")
    (err,) = doc.errors
    assert err.code == "S001" and "3 lists are open" in err.message


def test_s002_mismatched_names_expected() -> None:
    doc = read("(let [x 1) x)")
    (err,) = doc.errors
    assert err.code == "S002" and "expected `]`" in err.message
    assert (err.start, err.end) == (9, 10)


def test_s003_stray_closer() -> None:
    assert codes("(a))") == ["S003"]


@pytest.mark.parametrize("text", ['(define s "abc)', "#| never closed\n(a)"])
def test_s004_unterminated(text: str) -> None:
    assert codes(text) == ["S004"] or codes(text)[-1] == "S004" or "S004" in codes(text)


@pytest.mark.parametrize("text", ["#:", "#\\abc", "1.2.3", '"\\q"', "'", "(a #;)", "#foo", ".", "1/0"])
def test_s005_malformed(text: str) -> None:
    assert "S005" in codes(text)


def test_one_error_does_not_hide_the_rest() -> None:
    text = "(define a 1.2.3)\n(define b (oops\n(define c \"ok\")\n(finish c)"
    doc = read(text)
    assert [e.code for e in doc.errors] == ["S005", "S001"]
    assert [f.items[1].text for f in doc.forms] == ["a", "b", "c"][: 3] or len(doc.forms) == 4  # type: ignore[attr-defined]
    assert doc.forms[-1].head_name() == "finish"  # type: ignore[attr-defined]


def test_deep_nesting_does_not_recurse() -> None:
    depth = 10_000
    doc = read("(" * depth + ")" * depth)
    assert doc.errors == []
    node = doc.forms[0]
    count = 0
    while isinstance(node, ListNode) and node.items:
        node = node.items[0]
        count += 1
    assert count == depth - 1
    assert sum(1 for _ in doc.walk()) == depth
    unclosed = read("(" * depth)
    assert [e.code for e in unclosed.errors] == ["S001"]


# -- incremental re-reading -----------------------------------------------------------

SAMPLE = """#lang recipe
;; a sample
(define papers (py-eval "[1, 2, 3][:3]"))
(define (analyse p)
  (llm-query-async #:instruction "Find ACE2." #:data p #:max-tokens 50))
#| block
   comment |#
(define results (map-async analyse papers #:max-concurrent 10))
'(quoted list) #;(skipped)
(finish (string-join results "\\n"))
"""


def _check_reread(text: str, start: int, end: int, new: str) -> None:
    old = read(text)
    assert old.line_starts  # computed, so that reread carries them over instead of rescanning
    expected = read(text[:start] + new + text[end:])
    got = reread(old, start, end, new)
    assert got.text == expected.text
    assert doc_shape(got) == doc_shape(expected)
    assert got.line_starts == expected.line_starts


@pytest.mark.parametrize(("start", "end", "new"), [
    (0, 0, "("), (30, 30, ")"), (40, 45, ""), (len(SAMPLE), len(SAMPLE), "(x"),
    (SAMPLE.index("#|"), SAMPLE.index("#|") + 2, ""), (SAMPLE.index('"Find'), SAMPLE.index('"Find') + 1, ""),
    (SAMPLE.index("map-async"), SAMPLE.index("map-async") + 3, "MAP"), (5, 5, '"'),
])
def test_reread_matches_full_read(start: int, end: int, new: str) -> None:
    _check_reread(SAMPLE, start, end, new)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_reread_property(data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(SAMPLE)))
    end = data.draw(st.integers(start, min(len(SAMPLE), start + 20)))
    new = data.draw(st.text(alphabet='()[]{}"#|;\' \nabc1.:\\', max_size=6))
    _check_reread(SAMPLE, start, end, new)


def test_reread_reuses_untouched_forms() -> None:
    old = read(SAMPLE)
    last = old.forms[-1]
    edit_at = SAMPLE.index("analyse p") + 2
    new = reread(old, edit_at, edit_at, "x")
    assert new.forms[-1] is last  # reused, shifted, not re-read
    assert new.forms[-1].start == SAMPLE.rindex("(finish") + 1


# -- the grammar is the source ------------------------------------------------------

def test_scanner_cache_matches_grammar() -> None:
    cached = json.loads((Path(grammar.__file__).parent / grammar.CACHE_FILE).read_text())
    text = grammar.grammar_text()
    assert cached["grammar_sha256"] == grammar.grammar_hash(text), \
        "grammar.peg changed: run `python -m recipe.runtime.lang.grammar`"
    assert [tuple(t) for t in cached["tokens"]] == grammar.build_token_table()


def _parsimonious_tokens(text: str) -> list[tuple[str, str]]:
    tree = grammar.parsimonious_grammar().parse(text)
    return [(child.children[0].expr_name, child.text) for child in tree.children]


def _scanner_tokens(text: str) -> list[tuple[str, str]]:
    from recipe.runtime.lang.reader import _Reader

    out = []
    pos = 0
    match = grammar.scanner().match
    reader = _Reader(text)
    while pos < len(text):
        m = match(text, pos)
        assert m is not None
        kind, end = m.lastgroup, m.end()
        if kind == "block_comment":
            end = reader.block_comment_end(pos)
            if end < 0:
                kind, end = "block_comment_error", len(text)
        out.append((kind, text[pos:end]))
        pos = end
    return out


@pytest.mark.parametrize("text", [
    SAMPLE, "#| a #| b |# c |# x", "#| open", '"unterminated', "1.2.3 #: #\\abc #foo ,@x #'y",
    "(λ (x) x) #t #true #f 1/2 -inf.0 ...", "#;#;a b c", "#lang racket\n(a)",
])
def test_scanner_agrees_with_parsimonious(text: str) -> None:
    assert _scanner_tokens(text) == _parsimonious_tokens(text)


def test_scanner_agrees_with_parsimonious_on_random_text() -> None:
    rng = random.Random(7)
    alphabet = '()[]{}"#|;\' \n\tabc1.:\\,@`λ-+/e'
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert _scanner_tokens(text) == _parsimonious_tokens(text), repr(text)


def test_reread_typing_an_unclosed_form_char_by_char() -> None:
    doc = read("(define x 1)\n")
    text = doc.text
    for ch in "(finish (":
        doc = reread(doc, len(text), len(text), ch)
        text += ch
        assert doc_shape(doc) == doc_shape(read(text))
    assert [e.code for e in doc.errors] == ["S001"]


def test_reread_chained_random_edits_match_full_reads() -> None:
    rng = random.Random(11)
    pieces = ["(", ")", "[", "]", '"', "#|", "|#", "'", "#;", ";", "\n", " ", "x", "(define y 2)",
              "\n(finish y)", "1.2.3", "#:k", "λ", "\r", "\r\n"]
    text = SAMPLE
    doc = read(text)
    for _ in range(2000):
        start = rng.randint(0, len(text))
        end = min(len(text), start + rng.choice([0, 0, 1, 3, 10]))
        new = "".join(rng.choice(pieces) for _ in range(rng.choice([0, 1, 1, 2])))
        if rng.random() < 0.5:
            assert doc.line_starts  # carried over by reread when known
        doc = reread(doc, start, end, new)
        text = text[:start] + new + text[end:]
        expected = read(text)
        assert doc_shape(doc) == doc_shape(expected), (start, end, new)
        assert doc.line_starts == expected.line_starts, (start, end, new)


def test_dangling_prefixes_nest_and_keep_source_order() -> None:
    doc = read("(f ',`,@ ) (g #;')")
    f, _g = doc.forms
    assert isinstance(f, ListNode) and len(f.items) == 2
    quote = f.items[1]
    assert isinstance(quote, Quote) and quote.prefix == "'" and quote.datum is not None
    assert [e.code for e in doc.errors] == ["S005", "S005"]
    for node in doc.walk():
        assert node.start <= node.end
    for parent in doc.walk():
        if isinstance(parent, ListNode):
            assert [i.start for i in parent.items] == sorted(i.start for i in parent.items)


def test_balanced_file_is_read_as_written_whatever_the_indentation() -> None:
    text = "(define (f x)\n(+ x\n1))   ; sloppy, generated\n(finish (f 1))\n"
    doc = read(text)
    assert doc.errors == []
    assert [f.head_name() for f in doc.forms] == ["define", "finish"]  # type: ignore[attr-defined]
    # deleting the last closer unbalances it: now column 0 starts a new form
    broken = read(text.replace("1))", "1)", 1))
    assert [e.code for e in broken.errors] == ["S001"]
    assert [f.head_name() for f in broken.forms] == ["define", "+", "finish"]  # type: ignore[attr-defined]
    again = reread(broken, text.index("1))") + 2, text.index("1))") + 2, ")")
    assert doc_shape(again) == doc_shape(read(text))


def test_reader_balance_decision_agrees_with_brackets_balance() -> None:
    from recipe.runtime.lang.reader import brackets_balance

    rng = random.Random(5)
    alphabet = '()[]{}"#|;\' \nab'
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert read(text).recovering == (not brackets_balance(text)), repr(text)


def test_a_byte_order_mark_is_whitespace() -> None:
    # editors on Windows save UTF-8 with a BOM; it must not read as an invisible symbol
    doc = read('\ufeff(finish "hi")\n')
    assert not doc.errors
    assert len(doc.forms) == 1 and doc.forms[0].start == 1


# -- the dot -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "at", "words"), [
    ("(list 1 . 2 3)", 8, "exactly one datum and then `)`"),
    ("[1 . 2 3]", 3, "exactly one datum and then `]`"),
    ("(. 1)", 1, "after at least one datum"),
    ("(.)", 1, "after at least one datum"),
    ("(1 .)", 3, "followed by one datum before `)`"),
    ("(1 . 2 . 3)", 7, "only one `.`"),
    ("(1 . 2 3 . 4)", 9, "only one `.`"),
    ("#(1 . 2)", 4, "not allowed in a vector"),
    ("(a '. b)", 4, "`'` must be followed by a form"),
    ("(a . #;. b)", 7, "`#;` must be followed by a form"),
    (". 1", 0, "only allowed inside a list"),
    ("(a (b . c d) e)", 6, "exactly one datum"),
    ("(1 . 2", 3, ""),  # unclosed (S001) but legal so far: the dot is not reported
])
def test_s005_misplaced_dot(text: str, at: int, words: str) -> None:
    doc = read(text)
    dots = [e for e in doc.errors if e.code == "S005"]
    if not words:
        assert dots == []
        return
    (err,) = dots
    assert (err.start, err.end) == (at, at + 1) and text[at] == "."
    assert words in err.message


@pytest.mark.parametrize("text", [
    "'(1 . 2)", "'(a b . c)", "(define (f . r) r)", "(define (g a #:k [k 1] . r) r)",
    "(lambda (a . r) r)", "'((1 . 2) . (3 . 4))", "'(1 . #;x 2)", "'(1 . 2 #;x)",
    "'(1 #;x . 2)", "`(a . ,b)", "'(a . 'b)", "'[a . b]", "'(a . (b . ()))", "'(1 . .5)",
    "'(... . ...)",
])
def test_legal_dots_are_not_errors(text: str) -> None:
    assert read(text).errors == []


def test_reader_and_evaluator_agree_on_quoted_dots() -> None:
    # A datum the reader accepts, the evaluator can quote; one it rejects with the dot
    # message, the evaluator rejects too ("illegal use of `.`" / "bad datum").
    from recipe.runtime.engine.errors import RecipeError
    from recipe.runtime.engine.evaluator import Compiler

    rng = random.Random(3)
    pieces = ["1", "a", ".", ".", "(", ")", "#(", "'", "#;x"]
    checked = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + " " for _ in range(rng.randint(1, 8)))
        doc = read(f"'({text})")
        if any(e.code != "S005" or "`.`" not in e.message for e in doc.errors) \
                or len(doc.forms) != 1:
            continue  # unbalanced or otherwise broken: not about the dot
        try:
            Compiler(doc, "t.recipe", None).datum(doc.forms[0])  # type: ignore[arg-type]
            accepted = True
        except RecipeError:
            accepted = False
        assert accepted == (not doc.errors), (text, doc.errors)
        checked += 1
    assert checked > 500


DOTTED = """(define pairs '((a . 1) (b . 2) (c 3 . 4)))
(define (f x . rest) (cons x rest))
(define bad '(1 . 2 3))
(define v #(1 2 3))
(finish (f pairs bad v))
"""


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_reread_property_with_dots(data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(DOTTED)))
    end = data.draw(st.integers(start, min(len(DOTTED), start + 12)))
    new = data.draw(st.text(alphabet="() .#'ab1;\n", max_size=5))
    _check_reread(DOTTED, start, end, new)


def test_lint_reports_a_misplaced_dot_at_its_line_and_column() -> None:
    from recipe.runtime.lang.config import Config
    from recipe.server.analysis.lint import lint_text

    text = "(define a (list 1 . 2 3))\n(finish a)\n"
    result = lint_text(text, Config(), "t.recipe")
    doc = result.analysis.document
    found = [(d.code, doc.position(d.start)) for d in result.diagnostics if d.code.startswith("S")]
    assert found == [("S005", (0, 18))]


def test_line_starts_moved_by_an_edit_equal_a_rescan() -> None:
    # \n, \r\n and a lone \r each end a line (as LSP counts them); an edit next to a \r can
    # join it to a \n or split a \r\n.
    rng = random.Random(5)
    text = "a\r\nb\rc\n\r\n\r"
    starts = read(text).line_starts
    for _ in range(3000):
        start = rng.randint(0, len(text))
        end = min(len(text), start + rng.choice([0, 0, 1, 2, 4]))
        new = "".join(rng.choice("a\r\n") for _ in range(rng.choice([0, 1, 1, 2, 3])))
        text = text[:start] + new + text[end:]
        starts = moved_line_starts(starts, text, start, end, len(new))
        assert starts == read(text).line_starts, (start, end, new)
    assert read("a\rb\r\nc\nd").position(len("a\rb\r\nc\n")) == (3, 0)


def test_a_lone_carriage_return_ends_a_line_comment_and_a_line() -> None:
    # (as in Racket: `recipe run`, which reads files with universal newlines, saw this code)
    doc = read("(define x 1) ; one\r(define y 2)\r(finish y)\r")
    assert [form.start for form in doc.forms] == [0, 19, 32]
    assert doc.where(doc.forms[2].start) == "3:1"
