"""The formatter: layout, idempotence, comments kept, meaning unchanged, refusal."""

from __future__ import annotations

import random

import pytest
from recipe.runtime.lang.reader import read
from recipe.runtime.lang.syntax import Atom, Document, ListNode, Node, Quote
from recipe.server.format import WIDTH, format_result, format_text

SAMPLE = '''#lang recipe
; Summarise documents.

(define docs (list "a" "b"))   ; inputs
;; the per-item call
(define (summarise doc) (llm-query-async #:instruction "Summarise this document carefully, in two sentences, for a busy reader." #:data doc #:model "gpt-4.1-nano" #:max-tokens 100))


(define summaries (map-async summarise docs #:max-concurrent 4))
#| a block
   comment |#
(define code "import json
print(json.dumps([1, 2]))")
(let loop ([i 0] [acc '()])
  (if (< i 3) (loop (add1 i) (cons i acc)) ; recurse
      (reverse acc)))
(cond [(null? docs) 'empty] ; nothing
      [else #;(ignored) `(a ,@docs)])
(finish (string-join summaries "\\n"))
'''


def shape(node: Node) -> object:
    if isinstance(node, Atom):
        return (node.kind, node.text)
    if isinstance(node, Quote):
        return ("quote", node.prefix, shape(node.datum) if node.datum is not None else None)
    if isinstance(node, ListNode):
        return ("list", node.opener, [shape(item) for item in node.items])
    return ("?",)


def tree(doc: Document) -> tuple[list[object], list[tuple[str, str]]]:
    return [shape(f) for f in doc.forms], [(c.kind, c.text.rstrip()) for c in doc.comments]


def test_layout() -> None:
    out = format_text(SAMPLE)
    assert "(define (summarise doc)\n  (llm-query-async #:instruction" in out
    assert '\n                   #:data doc\n' in out  # aligned under the first argument
    assert "(define summaries (map-async summarise docs #:max-concurrent 4))\n" in out
    assert "(define docs (list \"a\" \"b\")) ; inputs\n" in out
    assert "\n\n\n" not in out  # at most one blank line
    assert "(loop (add1 i) (cons i acc)) ; recurse\n" in out
    assert all(len(line) <= WIDTH for line in out.splitlines() if '"' not in line)


def test_idempotent_and_meaning_preserved() -> None:
    out = format_text(SAMPLE)
    assert format_text(out) == out
    assert tree(read(out)) == tree(read(SAMPLE))
    assert not read(out).errors


def test_short_forms_join_one_line() -> None:
    assert format_text("(define  (f x)\n    (+ x   1))\n") == "(define (f x) (+ x 1))\n"


def test_body_indent_and_keyword_pairs() -> None:
    text = ("(define (f x) (let ([a (string-append x x x x x x x x x x x x x x x x x)]) "
            "(when (> (string-length a) 10) (displayln a) (llm-query #:data a #:model "
            "\"gpt-4.1\" #:max-tokens 10))))\n")
    out = format_text(text)
    lines = out.splitlines()
    assert lines[0] == "(define (f x)"
    assert lines[1].startswith("  (let ([a ")
    assert any(line.startswith("    (when ") for line in lines)
    assert format_text(out) == out
    assert tree(read(out)) == tree(read(text))


def test_refuses_documents_with_syntax_errors() -> None:
    text = "(define (f x)\n  (+ x 1)\n"
    result = format_result(text)
    assert result.text == text and not result.changed
    assert result.refused is not None and "S001" in result.refused
    assert format_text(text) == text


def test_empty_and_comment_only() -> None:
    assert format_text("") == ""
    assert format_text("; only a comment\n\n\n") == "; only a comment\n"


ATOMS = ["x", "map-async", "42", "#t", '"s"', '"multi\nline"', "#:model", "'q", "#\\a", "1/2"]


def random_form(rng: random.Random, depth: int = 0) -> str:
    if depth > 4 or rng.random() < 0.35:
        return rng.choice(ATOMS)
    opener, closer = rng.choice([("(", ")"), ("[", "]")])
    n = rng.randint(0, 6)
    parts = []
    for _ in range(n):
        parts.append(random_form(rng, depth + 1))
        if rng.random() < 0.1:
            parts.append("; c\n")
        if rng.random() < 0.05:
            parts.append("#| b |#")
    head = rng.choice(["define", "let", "f", "llm-query", "when", ""]) if n else ""
    sep = rng.choice([" ", "\n", "  \n   "])
    return opener + head + (" " if head else "") + sep.join(parts) + closer


@pytest.mark.parametrize("seed", range(60))
def test_random_forms_keep_meaning_and_are_idempotent(seed: int) -> None:
    rng = random.Random(seed)
    text = "\n".join(random_form(rng) for _ in range(rng.randint(1, 5))) + "\n"
    if read(text).errors:
        assert format_text(text) == text
        return
    out = format_text(text)
    assert tree(read(out)) == tree(read(text)), out
    assert format_text(out) == out


# -- comments after a head ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("(finish ; the final answer\n (list 1 2))\n", "(finish ; the final answer\n (list 1 2))\n"),
    ("(finish ; the final answer\n          (list 1 2))\n", "(finish ; the final answer\n (list 1 2))\n"),
    ("(define x '(1 ; one\n 2 3))\n", "(define x\n  '(1 ; one\n    2\n    3))\n"),
    ("(string-append ; joined\n \"a\" \"b\")\n", "(string-append ; joined\n \"a\"\n \"b\")\n"),
    ("(f ; c\n)\n", "(f ; c\n )\n"),
    ("(define (f x) ; doc\n (g x))\n", "(define (f x) ; doc\n  (g x))\n"),
    ("(let ; c\n ([x 1]) x)\n", "(let ; c\n    ([x 1])\n  x)\n"),
    ("(map-async ; fan out\n summarise docs #:max-concurrent 4) ; go\n",
     "(map-async ; fan out\n summarise\n docs\n #:max-concurrent 4) ; go\n"),
])
def test_comment_after_head_does_not_push_the_arguments_right(text: str, expected: str) -> None:
    out = format_text(text)
    assert out == expected
    assert format_text(out) == out
    assert tree(read(out)) == tree(read(text))


def test_comment_after_head_nested_aligns_under_the_head() -> None:
    text = "(define (f x)\n  (when x\n    (display ; to stdout\n     x)))\n"
    out = format_text(text)
    assert "    (display ; to stdout\n     x)))\n" in out
    assert format_text(out) == out and tree(read(out)) == tree(read(text))
