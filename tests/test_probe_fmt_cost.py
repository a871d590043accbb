"""Regression tests for bugs found by probing `recipe fmt` and `recipe cost` with recipes
written from scratch (comments in odd places, CRLF files, edge-case fan-outs)."""

from __future__ import annotations

from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.estimate import format_usd
from recipe.server.cost import cost_rows, render_cost_text
from recipe.server.format import format_text
from test_format import tree


def _fmt_ok(text: str) -> str:
    out = format_text(text)
    assert format_text(out) == out
    assert not read(out).errors
    assert tree(read(out))[0] == tree(read(text))[0]
    assert sorted(tree(read(out))[1]) == sorted(tree(read(text))[1])
    return out


def test_list_of_only_a_line_comment_keeps_its_closer() -> None:
    out = _fmt_ok("(define y ( ; just a comment\n ))\n")
    assert out == "(define y\n  (; just a comment\n   ))\n"


def test_comment_inside_a_quote_is_not_swallowed_by_a_line_comment() -> None:
    text = "(list ' ; c\n #| m\nl |# x 2)\n' ; top\n(k)\n(finish 1)\n"
    out = _fmt_ok(text)
    assert "\n\n" not in out  # no blank line appears


def test_blank_line_before_a_distinguished_part_is_idempotent() -> None:
    out = _fmt_ok("(define \n\n  (f)\n  1)\n")
    assert out == "(define (f) 1)\n"


def test_for_fold_clauses_go_on_their_own_line() -> None:
    text = ("(define r (for/fold ([accumulator-one '()] [accumulator-two 0] "
            "[accumulator-three \"start-value\"]) ([element (in-list (list 1 2 3))] "
            "[index (in-naturals)]) (values element accumulator-two accumulator-three)))\n")
    out = _fmt_ok(text)
    assert all(len(line) <= 100 for line in out.splitlines()), out


def test_crlf_files_keep_crlf() -> None:
    text = "#lang recipe\r\n; c\r\n(define (f a)\r\n  (+ a 1))\r\n(define s \"a\r\nb\")\r\n(finish (f 2))\r\n"
    out = _fmt_ok(text)
    assert out == ("#lang recipe\r\n; c\r\n(define (f a) (+ a 1))\r\n(define s\r\n  \"a\r\nb\")\r\n"
                   "(finish (f 2))\r\n")
    assert "\n" not in out.replace("\r\n", "")


def _rows(text: str, context_tokens: int | None = None):  # type: ignore[no-untyped-def]
    analysis = Analysis(read(text), Config(), "t.recipe", context_tokens)
    rows = cost_rows(analysis)
    render_cost_text(rows)  # never raises
    return rows


def test_negative_take_does_not_crash_and_is_unknown() -> None:
    rows = _rows('(define out (map-async (lambda (x) (llm-query-async #:instruction "t" #:data x '
                 '#:model "gpt-4o" #:max-tokens 10)) (take (list "a" "b") -1)))\n(finish out)\n')
    assert rows[0].calls is None
    assert format_usd(-1.0) == "?"


def test_fan_out_over_an_empty_list_costs_nothing() -> None:
    rows = _rows('(define hs (map-async (lambda (i) (llm-query-async #:instruction "n" '
                 '#:data (number->string i) #:max-tokens 10)) (range 5 5)))\n(finish hs)\n')
    assert rows[0].calls == 0
    assert rows.total is not None and rows.total.complete and rows.total.high == 0


def test_tree_reduce_leaf_fn_runs_once_per_item() -> None:
    rows = _rows('(define (summ d) (syntax-e (llm-query #:instruction "leaf" #:data "d" #:max-tokens 10)))\n'
                 '(define (combine . ps) (syntax-e (llm-query #:instruction "c" #:data "x" #:max-tokens 10)))\n'
                 '(finish (tree-reduce combine (range 30) #:branch-factor 3 #:leaf-fn summ))\n')
    assert [r.calls for r in rows] == [30, 17]


def test_thunks_made_in_a_loop_elsewhere_run_once_each() -> None:
    rows = _rows('(define ts (for/list ([i (in-range 12)]) (lambda () (llm-query-async '
                 '#:instruction "p" #:data "x" #:max-tokens 10))))\n'
                 '(define hs (parallel ts #:max-concurrent 4))\n(finish (await-all hs))\n')
    assert rows[0].calls == 12
    rows = _rows('(define models (list "a" "b" "c"))\n'
                 '(define (ask-all q)\n  (define ts (for/list ([m (in-list models)]) (lambda () '
                 '(llm-query-async #:instruction "q" #:data q #:max-tokens 10))))\n'
                 '  (await-all (parallel ts)))\n(define a (ask-all "x"))\n(define b (ask-all "y"))\n'
                 '(for ([i (in-range 4)])\n  (define t2 (list (lambda () (llm-query-async '
                 '#:instruction "s" #:max-tokens 10))))\n  (await-all (parallel t2)))\n(finish a)\n')
    assert [r.calls for r in rows] == [6, 4]


def test_async_calls_started_in_a_loop_overlap() -> None:
    rows = _rows('(define hs (for/list ([i (in-range 6)]) (llm-query-async #:instruction "a" '
                 '#:data "x" #:model "gpt-4o" #:max-tokens 10)))\n(finish (await-all hs))\n')
    assert rows.total is not None and rows.total.latency_s == 10


def test_loop_over_literal_strings_is_priced() -> None:
    rows = _rows("""(define topics '("cats" "dogs"))
(define rs (for/list ([t (in-list topics)])
  (syntax-e (llm-query #:instruction "Write" #:data t #:max-tokens 100))))
(define r (for/fold ([acc '("a" "b")]) ([i (in-range 3)])
  (syntax-e (llm-query #:instruction "f" #:data acc #:max-tokens 10))))
(finish rs)
""")
    assert rows[0].tokens_in is not None and rows[0].input_basis == "literal"
    assert rows[1].tokens_in is None  # a for/fold accumulator is not an item


def test_a_lambda_returned_by_a_let_is_the_fan_out_function() -> None:
    rows = _rows('(define go (let ([m "gpt-4o-mini"])\n'
                 '  (lambda (x) (llm-query-async #:instruction "S." #:data x #:model m '
                 '#:max-tokens 20))))\n'
                 '(finish (map-async go (list "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k")))\n')
    assert [r.calls for r in rows] == [11]
    assert rows[0].model == "gpt-4o-mini"
