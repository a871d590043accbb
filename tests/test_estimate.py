"""Cost and latency estimates (server/analysis/estimate.py) and the `recipe cost` report
(server/cost.py), with exact figures on small recipes."""

from __future__ import annotations

import json
import math

import pytest
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.models import builtin_table
from recipe.runtime.lang.reader import read
from recipe.runtime.lang.syntax import ListNode
from recipe.runtime.lang.tokens import chat_prompt_tokens
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.estimate import (
    CallEstimate,
    Estimates,
    format_seconds,
    format_usd,
)
from recipe.server.cost import cost_rows, cost_total, render_cost_json, render_cost_text

NANO = builtin_table()["gpt-4.1-nano"]
GPT4 = builtin_table()["gpt-4"]
GPT4O = builtin_table()["gpt-4o"]


def analyse(text: str, context_tokens: int | None = None,
            config: Config | None = None) -> Analysis:
    doc = read(text)
    assert not doc.errors, doc.errors
    return Analysis(doc, config or Config(), "t.recipe", context_tokens)


def estimates(text: str, context_tokens: int | None = None,
              config: Config | None = None) -> Estimates:
    return analyse(text, context_tokens, config).estimates


def only_call(est: Estimates) -> CallEstimate:
    assert len(est.calls) == 1, est.calls
    return est.calls[0]


def fan_out(items: str, *, model: str = "gpt-4.1-nano", max_tokens: str = "#:max-tokens 500",
            extra: str = "") -> str:
    return (f"(define items {items})\n"
            "(define out (map-async (lambda (x)\n"
            f"  (llm-query-async #:instruction \"Tag it.\" #:data x #:model \"{model}\" {max_tokens}))\n"
            f"  items{extra}))\n"
            "(finish (string-join out \",\"))\n")


FIFTY = "'(" + " ".join(f'"item {i}"' for i in range(50)) + ")"


# -- one call ---------------------------------------------------------------------------
def test_literal_call_tokens_cost_and_latency() -> None:
    est = estimates('(finish (syntax-e (llm-query #:instruction "Say hi." #:model "gpt-4o" '
                    '#:max-tokens 10)))')
    call = only_call(est)
    tokens = chat_prompt_tokens("Say hi.", "(no data provided)")
    assert call.tokens_in == tokens and call.input_basis == "literal"
    assert call.tokens_out == 10 and call.multiplicity == 1
    assert call.model_name == "gpt-4o" and call.tier == "expensive"
    assert call.cost_high == pytest.approx((tokens * 2.50 + 10 * 10.00) / 1e6)
    assert call.cost_low == pytest.approx((tokens * 2.50 + 2.5 * 10.00) / 1e6)
    assert call.latency_s == GPT4O.latency_s
    total = est.total()
    assert total.complete and total.calls == 1
    assert total.high == pytest.approx(call.cost_high)
    assert total.latency_s == GPT4O.latency_s
    assert call.site == "1:19"


def test_literal_data_and_constants_are_followed() -> None:
    est = estimates('(define M "gpt-4")\n(define task "Translate to French.")\n'
                    '(define text "Good morning")\n'
                    '(finish (syntax-e (llm-query #:instruction task #:data text #:model M '
                    '#:max-tokens 20)))')
    call = only_call(est)
    assert call.model_name == "gpt-4" and call.model == GPT4
    assert call.tokens_in == chat_prompt_tokens("Translate to French.", "Good morning")


def test_default_model_comes_from_configuration() -> None:
    config = Config()
    config.models = config.models.with_overrides({}, default_model="gpt-4o-mini")
    call = only_call(estimates('(llm-query #:instruction "x" #:max-tokens 5)', config=config))
    assert call.model_name == "gpt-4o-mini"


def test_computed_model_is_unknown() -> None:
    est = estimates('(define (ask v) (llm-query #:instruction "x" #:model (string-append "gpt-" v)'
                    ' #:max-tokens 5))\n(ask "4o")')
    call = only_call(est)
    assert call.model_name is None and call.model is None
    assert call.cost_high is None and call.latency_s is None
    assert est.total().high is None and est.total().unknown == [call]


def test_unbounded_output_uses_the_model_limit_as_worst_case() -> None:
    call = only_call(estimates('(llm-query #:instruction "Write." #:model "gpt-4.1-nano")'))
    assert call.tokens_out is None
    assert call.output_bound == NANO.max_output == 32768
    tokens = chat_prompt_tokens("Write.", "(no data provided)")
    assert call.cost_high == pytest.approx((tokens * 0.10 + 32768 * 0.40) / 1e6)


def test_unknown_input_is_per_1000_tokens() -> None:
    est = estimates('(define notes (py-exec "print(1)"))\n'
                    '(llm-query #:instruction "Sum up." #:data notes #:model "gpt-4" '
                    '#:max-tokens 100)')
    call = only_call(est)
    assert call.tokens_in is None and call.input_basis == "unknown" and call.per_1k_input
    assert call.cost_high == pytest.approx((1000 * 30 + 100 * 60) / 1e6)
    assert call.input_floor == chat_prompt_tokens("Sum up.", "")
    assert call.cost_high_floor == pytest.approx((call.input_floor * 30 + 100 * 60) / 1e6)
    total = est.total()
    assert total.high is None and total.known_high == 0
    assert total.floor_high == pytest.approx(call.cost_high_floor)


def test_context_data_uses_the_context_size() -> None:
    text = '(llm-query #:instruction "Summarise." #:data context #:max-tokens 200)'
    assert only_call(estimates(text)).tokens_in is None
    call = only_call(estimates(text, context_tokens=5000))
    assert call.input_basis == "context"
    assert call.tokens_in == chat_prompt_tokens("Summarise.", "") + 5000
    config = Config(context_size=1234)
    assert only_call(estimates(text, config=config)).tokens_in == \
        chat_prompt_tokens("Summarise.", "") + 1234


def test_llm_output_as_data_is_not_context() -> None:
    text = ('(define a (syntax-e (llm-query #:instruction "Draft." #:data context #:max-tokens 50)))\n'
            '(llm-query #:instruction "Improve." #:data a #:max-tokens 50)')
    est = estimates(text, context_tokens=1000)
    assert [c.input_basis for c in est.calls] == ["context", "unknown"]


# -- fan-out sizes ------------------------------------------------------------------------
def test_fifty_literal_items_times_nano() -> None:
    est = estimates(fan_out(FIFTY), context_tokens=1000)
    call = only_call(est)
    # literal items are priced by their own size (the longest), not the context's
    tokens = chat_prompt_tokens("Tag it.", "item 10")
    assert call.tokens_in == tokens and call.multiplicity == 50
    per_high = (tokens * 0.10 + 500 * 0.40) / 1e6
    per_low = (tokens * 0.10 + 125 * 0.40) / 1e6
    assert call.cost_high == pytest.approx(per_high)
    total = est.total()
    assert total.calls == 50
    assert total.high == pytest.approx(50 * per_high)
    assert total.low == pytest.approx(50 * per_low)
    (fo,) = est.fan_outs
    assert (fo.size, fo.window, fo.batches) == (50, 10, 5)
    assert fo.item_latency_s == NANO.latency_s
    assert fo.latency_s == 5 * NANO.latency_s == total.latency_s == 15
    assert est.for_node(fo.node) is fo
    assert est.for_node(call.node.items[0]) is call  # the head symbol, for hover


@pytest.mark.parametrize(("items", "size"), [
    ("(range 20)", 20),
    ("(range 5 25 5)", 4),
    ("(take (string-split context) 5)", 5),  # at most 5
    (f"(take {FIFTY} 5)", 5),
    ("(chunk '(1 2 3 4 5 6 7) 3)", 3),
    ('(py-eval "context.split(\'\\\\n\')[:50]")', 50),
    ('(py-eval "context.split()")', None),
    ("(list \"a\" \"b\" \"c\")", 3),
])
def test_fan_out_sizes(items: str, size: int | None) -> None:
    est = estimates(fan_out(items))
    call = only_call(est)
    assert call.multiplicity == size
    (fo,) = est.fan_outs
    assert fo.size == size
    if size is None:
        assert fo.latency_s is None and est.total().calls is None
        assert est.total().unknown == [call]
    else:
        assert fo.latency_s == math.ceil(size / 10) * NANO.latency_s


def test_window_and_all_at_once() -> None:
    est = estimates(fan_out("(range 20)", extra=" #:max-concurrent 4"))
    assert est.fan_outs[0].batches == 5 and est.latency_s == 5 * NANO.latency_s
    est = estimates(fan_out("(range 20)", extra=" #:max-concurrent #f"))
    assert est.fan_outs[0].window is None and est.latency_s == NANO.latency_s


def test_nested_fan_outs_and_loops_multiply() -> None:
    text = ("(define (tag-all doc)\n"
            "  (map-async (lambda (part) (llm-query-async #:instruction \"Tag.\" #:data part"
            " #:max-tokens 5)) (chunk '(1 2 3 4 5 6 7 8) 4)))\n"
            "(for/list ([d (in-range 3)])\n"
            "  (tag-all d))\n")
    call = only_call(estimates(text))
    assert call.multiplicity == 3 * 2


def test_sequential_map_and_for_multiply_and_add_latency() -> None:
    text = ("(define docs '(\"a\" \"b\" \"c\" \"d\"))\n"
            "(define xs (map (lambda (d) (syntax-e (llm-query #:instruction \"x\" #:data d"
            " #:model \"gpt-4\" #:max-tokens 5))) docs))\n"
            "(for ([d (in-list docs)] [i (in-range 10)])\n"
            "  (displayln (syntax-e (llm-query #:instruction \"y\" #:data d #:max-tokens 5))))\n")
    est = estimates(text)
    assert [c.multiplicity for c in est.calls] == [4, 4]
    assert est.latency_s == 4 * GPT4.latency_s + 4 * NANO.latency_s


def test_a_sequential_map_that_only_starts_calls_waits_for_one() -> None:
    # (await-all (map ask xs)): map starts each llm-query-async and goes on — the twelve
    # calls run together (a run with simulated latency: peak concurrency 12), as the same
    # loop written with for/list was already estimated
    items = "(list " + " ".join(f'"{c}"' for c in "abcdefghijkl") + ")"
    ask = ('(define (ask x) (llm-query-async #:instruction "Tag." #:data x'
           ' #:model "gpt-4.1-nano" #:max-tokens 5))\n')
    est = estimates(f"(define xs {items})\n{ask}(finish (await-all (map ask xs)))\n")
    (fo,) = est.fan_outs
    assert fo.size == 12 and fo.latency_s == NANO.latency_s
    assert est.latency_s == NANO.latency_s
    looped = estimates(f"(define xs {items})\n{ask}"
                       "(finish (await-all (for/list ([x xs]) (ask x))))\n")
    assert looped.latency_s == est.latency_s


def test_user_function_calls_add_up_and_unused_is_zero() -> None:
    text = ("(define (ask q) (syntax-e (llm-query #:instruction \"Answer.\" #:data q"
            " #:max-tokens 50)))\n"
            "(define (unused q) (llm-query #:instruction \"never\" #:max-tokens 5))\n"
            "(define a (ask \"one\"))\n(define b (ask \"two\"))\n(finish (string-append a b))\n")
    est = estimates(text)
    assert [c.multiplicity for c in est.calls] == [2, 0]
    assert est.latency_s == 2 * NANO.latency_s


def test_recursion_is_unknown() -> None:
    text = ("(define (refine t n) (if (= n 0) t (refine (syntax-e (llm-query #:instruction"
            " \"Better.\" #:data t #:max-tokens 50)) (- n 1))))\n(finish (refine context 3))\n")
    call = only_call(estimates(text))
    assert call.multiplicity is None


def test_named_let_over_a_known_list() -> None:
    text = ("(let loop ([xs '(\"a\" \"b\" \"c\")] [acc '()])\n"
            "  (if (null? xs) (reverse acc)\n"
            "      (loop (cdr xs) (cons (syntax-e (llm-query #:instruction \"x\" #:data (car xs)"
            " #:max-tokens 5)) acc))))\n")
    est = estimates(text)
    assert only_call(est).multiplicity == 3
    assert est.latency_s == 3 * NANO.latency_s


def test_parallel_thunks_run_once_each_and_overlap() -> None:
    text = ("(define hs (parallel (list\n"
            "  (lambda () (llm-query-async #:instruction \"a\" #:model \"gpt-4.1-nano\" #:max-tokens 5))\n"
            "  (lambda () (llm-query-async #:instruction \"b\" #:model \"gpt-4o\" #:max-tokens 5)))))\n"
            "(finish (string-join (await-all hs) \" \"))\n")
    est = estimates(text)
    assert [c.multiplicity for c in est.calls] == [1, 1]
    assert est.latency_s == max(NANO.latency_s, GPT4O.latency_s)


def test_thunks_built_by_for_list() -> None:
    text = ("(define hs (parallel (for/list ([d (in-range 6)])\n"
            "  (lambda () (llm-query-async #:instruction \"a\" #:data d #:max-tokens 5)))"
            " #:max-concurrent 3))\n(await-all hs)\n")
    est = estimates(text)
    assert only_call(est).multiplicity == 6
    assert est.latency_s == 2 * NANO.latency_s


def test_async_calls_overlap_until_awaited() -> None:
    text = ("(define h1 (llm-query-async #:instruction \"a\" #:model \"gpt-4\" #:max-tokens 5))\n"
            "(define h2 (llm-query-async #:instruction \"b\" #:model \"gpt-4o\" #:max-tokens 5))\n"
            "(define r (await-all (list h1 h2)))\n"
            "(define s (syntax-e (llm-query #:instruction \"c\" #:max-tokens 5)))\n")
    assert estimates(text).latency_s == GPT4.latency_s + NANO.latency_s


def test_if_takes_the_slowest_branch() -> None:
    text = ("(if (> (string-length context) 100)\n"
            "  (llm-query #:instruction \"a\" #:model \"gpt-4\" #:max-tokens 5)\n"
            "  (llm-query #:instruction \"b\" #:max-tokens 5))\n")
    assert estimates(text).latency_s == GPT4.latency_s


def test_combinator_worst_case_counts() -> None:
    text = ("(define parts (range 25))\n"
            "(tree-reduce (lambda xs (syntax-e (llm-query #:instruction \"merge\" #:max-tokens 5)))"
            " parts #:branch-factor 5)\n"
            "(critique-refine (lambda () (syntax-e (llm-query #:instruction \"draft\" #:max-tokens 5)))\n"
            "  (lambda (d) (syntax-e (llm-query #:instruction \"critique\" #:max-tokens 5)))\n"
            "  (lambda (d c) (syntax-e (llm-query #:instruction \"refine\" #:max-tokens 5)))"
            " #:max-iter 2)\n")
    est = estimates(text)
    assert [c.multiplicity for c in est.calls] == [6, 1, 2, 2]


# -- formatting and the report ------------------------------------------------------------
def test_formatting() -> None:
    assert format_usd(2.5) == "$2.50"
    assert format_usd(0.0003) == "$0.0003"
    # two significant digits below a dime: a worst case of $0.015 is not "$0.01"
    assert [format_usd(v) for v in (0.015, 0.0132, 0.06, 0.35, 0.0996, 1234.5)] == \
        ["$0.015", "$0.013", "$0.06", "$0.35", "$0.10", "$1,234.50"]
    assert format_usd(None) == "?"
    assert format_seconds(1500) == "25 min"
    assert format_seconds(150) == "2.5 min"
    assert format_seconds(30) == "30 s"


def test_cost_report_text_and_json() -> None:
    text = fan_out(FIFTY) + ('(define s (syntax-e (llm-query #:instruction "Synthesise."'
                             ' #:data (string-join out "\\n") #:model "gpt-4" #:max-tokens 800)))\n')
    analysis = analyse(text, context_tokens=1000)
    rows = cost_rows(analysis)
    total = cost_total(analysis)
    assert [r.calls for r in rows] == [50, 1]
    assert rows[0].fan_out == "map-async ×50, 10 in flight at 2:13"
    assert rows[1].per_1k_input and rows[1].tokens_in is None
    out = render_cost_text(rows, total, "t.recipe")
    lines = out.splitlines()
    assert lines[0] == "t.recipe"
    assert lines[1].split()[:3] == ["site", "call", "model"]
    assert "gpt-4.1-nano (cheap)" in lines[2] and "≤500" in lines[2]
    assert "/1k in" in lines[3] and "gpt-4 (expensive)" in lines[3]
    assert lines[-1].startswith("total: 51 LLM calls, $")
    assert "1 site not priced" in lines[-1] and lines[-1].endswith("~45 s")
    # the columns line up
    assert lines[2].index("llm-query-async") == lines[1].index("call")
    data = json.loads(render_cost_json(rows, total, "t.recipe"))
    assert data["file"] == "t.recipe"
    assert data["calls"][0]["calls"] == 50 and data["calls"][0]["model"] == "gpt-4.1-nano"
    assert data["total"]["calls"] == 51 and data["total"]["unknown_sites"] == [rows[1].site]
    assert data["total"]["latency_s"] == 45


def test_estimates_never_raise_on_odd_code() -> None:
    for text in ["(map-async)", "(llm-query #:model)", "(let loop)", "(for/list ([x]) )",
                 "(define (f) (f))\n(f)", "(lambda)", "(parallel (list))", "((lambda (x) x) 1)",
                 "(define)", "(let loop ([x 1]) (loop x))"]:
        est = analyse(text).estimates
        est.total()
        for node in analyse(text).document.walk():
            if isinstance(node, ListNode):
                est.for_node(node)


def test_cost_rows_carry_their_total() -> None:
    analysis = analyse(fan_out("(range 20)"), context_tokens=100)
    rows = cost_rows(analysis)
    assert render_cost_text(rows) == render_cost_text(rows, cost_total(analysis))
    assert json.loads(render_cost_json(rows))["total"]["calls"] == 20


def test_latency_counts_a_named_function_handed_to_a_combinator() -> None:
    text = ('(define (shorten text)\n'
            '  (syntax-e (llm-query #:instruction "Shorten." #:data text #:model "gpt-4o"\n'
            '                       #:max-tokens 50)))\n'
            '(finish (iterate-until shorten (lambda (t) (< (string-length t) 100)) "long"\n'
            '                       #:max-iter 3))\n')
    analysis = Analysis(read(text), Config())
    (call,) = analysis.estimates.calls
    assert call.multiplicity == 3 and call.latency_s is not None
    assert analysis.estimates.total().latency_s == pytest.approx(3 * call.latency_s)


def test_a_fan_out_of_unresolved_functions_has_unknown_latency() -> None:
    # the thunks come from calling a function that returns a lambda: not resolved
    text = ('(define (classifier model)\n'
            '  (lambda () (syntax-e (llm-query #:instruction "Label it." #:data "x"\n'
            '                                  #:model model #:max-tokens 5))))\n'
            '(finish (vote (list (classifier "gpt-4.1-nano") (classifier "gpt-4o-mini"))))\n')
    assert Analysis(read(text), Config()).estimates.total().latency_s is None


@pytest.mark.parametrize("function", ["string-upcase", "add1", "displayln", "syntax-e"])
def test_a_built_in_handed_to_map_costs_no_time(function: str) -> None:
    text = (f'(define xs (map {function} (list "a" "b")))\n'
            '(define r (syntax-e (llm-query #:instruction "Hi." #:model "gpt-4.1"\n'
            '                               #:max-tokens 20)))\n'
            '(finish (list xs r))\n')
    if function == "add1":
        text = text.replace('(list "a" "b")', "(list 1 2)")
    analysis = Analysis(read(text), Config())
    (call,) = analysis.estimates.calls
    assert call.latency_s is not None
    assert analysis.estimates.total().latency_s == pytest.approx(call.latency_s)


def test_a_user_function_rebinding_a_built_in_name_is_not_free() -> None:
    text = ('(define (string-upcase s) (syntax-e (llm-query #:instruction "Up." #:data s\n'
            '                                               #:max-tokens 5)))\n'
            '(finish (map string-upcase (list "a" "b")))\n')
    analysis = Analysis(read(text), Config())
    (call,) = analysis.estimates.calls
    assert call.multiplicity == 2
    assert analysis.estimates.total().latency_s == pytest.approx(2 * call.latency_s)


def test_recursive_spawn_counts_one_call_per_use_of_its_procedure() -> None:
    text = ('(define solve (recursive-spawn "Break it down and solve it." #:depth 2))\n'
            '(define partial (map (lambda (q) (solve q)) (list "a" "b" "c")))\n'
            '(finish (syntax-e (solve "What is the 10th prime?")))\n')
    analysis = Analysis(read(text), Config())
    (call,) = analysis.estimates.calls
    assert call.primitive == "recursive-spawn" and call.site == "1:15"
    assert call.model_name == Config().default_model
    assert call.multiplicity == 4 and call.tokens_out is None
    assert call.input_floor == chat_prompt_tokens("Break it down and solve it.", "")
    assert analysis.estimates.total().latency_s == pytest.approx(4 * call.latency_s)
    assert cost_total(analysis).calls == 4


def test_recursive_spawn_handed_on_has_an_unknown_count() -> None:
    text = ('(define solve (recursive-spawn "Solve."))\n'
            '(finish (map solve (list "a" "b")))\n')
    (call,) = Analysis(read(text), Config()).estimates.calls
    assert call.multiplicity is None


@pytest.mark.parametrize("items", ['(list "cats" "dogs" "a much longer topic")',
                                   "'(\"cats\" \"dogs\" \"a much longer topic\")", "topics"])
@pytest.mark.parametrize("named", [False, True])
def test_items_of_a_fan_out_over_literal_strings_are_priced_by_their_size(
        items: str, named: bool) -> None:
    function = "(lambda (t) (llm-query-async #:instruction \"Write one fact.\" #:data t " \
               "#:model \"gpt-4o\" #:max-tokens 40))"
    text = '(define topics (list "cats" "dogs" "a much longer topic"))\n'
    if named:
        text += ('(define (fact t) (llm-query-async #:instruction "Write one fact." #:data t\n'
                 '                                  #:model "gpt-4o" #:max-tokens 40))\n')
        function = "fact"
    text += f"(define rs (map-async {function} {items}))\n(finish (string-join rs))\n"
    (call,) = estimates(text, context_tokens=50_000).calls
    assert call.input_basis == "literal"
    assert call.tokens_in == chat_prompt_tokens("Write one fact.", "a much longer topic")
    assert call.input_floor == chat_prompt_tokens("Write one fact.", "cats")
    assert call.multiplicity == 3


def test_items_not_all_literal_still_count_as_the_context() -> None:
    text = ('(define rs (map-async (lambda (t) (llm-query-async #:instruction "Fact." #:data t\n'
            '                                                 #:max-tokens 40))\n'
            '                      (list "cats" (get-context))))\n(finish (string-join rs))\n')
    (call,) = estimates(text, context_tokens=5_000).calls
    assert call.input_basis == "context"


def test_a_fan_out_function_also_called_directly_counts_as_the_context() -> None:
    text = ('(define (fact t) (llm-query-async #:instruction "Fact." #:data t #:max-tokens 40))\n'
            '(define one (fact (get-context)))\n'
            '(define rs (map-async fact (list "cats" "dogs")))\n(finish (string-join rs))\n')
    (call,) = estimates(text, context_tokens=5_000).calls
    assert call.input_basis == "context"
