"""Primitives (LANGUAGE.md §5–§7): LLM calls, handles, syntax objects, Python, finish, store."""

from __future__ import annotations

import pytest
from recipe.runtime.engine.errors import FinishError, RecipeError
from recipe.runtime.engine.services import LLMCallError, LLMRequest
from recipe.runtime.engine.values import SyntaxObj

from .fakes import FakeServices, run, value


def test_llm_query_builds_the_request() -> None:
    svc = FakeServices(default_model="gpt-4.1-nano")
    out = run('(define r (llm-query #:instruction "Summarise as json" #:data "text" #:temperature 0.2'
              ' #:max-tokens 50 #:json #t #:images (list "a.png")))\n(syntax-e r)', services=svc)
    assert out.display_text == "echo:text"
    (req,) = svc.requests
    assert req == LLMRequest(instruction="Summarise as json", data="text", model="gpt-4.1-nano",
                             temperature=0.2, max_tokens=50, json=True, images=("a.png",),
                             site="test.recipe:1:11", budgets=())
    assert svc.unwraps == ["test.recipe:2:1"]


def test_empty_data_is_sent_as_no_data_provided_and_model_keyword() -> None:
    svc = FakeServices()
    run('(llm-query #:instruction "hi" #:model "gpt-4o")', services=svc)
    assert svc.requests[0].data == "(no data provided)"
    assert svc.requests[0].model == "gpt-4o"


def test_llm_query_returns_syntax_object_and_unsafe_raw_query_a_string() -> None:
    out = run('(llm-query #:data "x")')
    assert isinstance(out.value, SyntaxObj)
    assert out.display_text == '#<syntax "echo:x">'
    with pytest.raises(RecipeError, match="unwrap it with syntax-e"):
        run('(finish (llm-query #:data "x"))')
    assert value('(string-append "raw " (unsafe-raw-query #:data "x"))') == "raw echo:x"


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ('(string-append "a" (llm-query #:data "x"))', "unwrap it with syntax-e"),
        ('(string-length (llm-query #:data "x"))', "unwrap it with syntax-e"),
        ('(format "~a" (llm-query #:data "x"))', "unwrap it with syntax-e"),
        ('(py-set! "v" (llm-query #:data "x"))', "unwrap it with syntax-e"),
        ('(llm-query #:data (llm-query #:data "x"))', "#:data expects a string but got a syntax object"),
        ('(finish (list "ok" (llm-query #:data "x")))', "unwrap it with syntax-e"),
        ('(llm-query #:modle "m")', "unknown keyword #:modle; did you mean #:model?"),
        ('(llm-query #:temperature 3)', "#:temperature must be <= 2"),
        ('(llm-query #:max-tokens 0)', "#:max-tokens must be >= 1"),
        ('(llm-query #:max-tokens "x")', "#:max-tokens expects an exact integer"),
        ('(llm-query #:json #t #:instruction "hi")', "requires the word \"json\""),
        ('(llm-query #:model "o3-mini" #:temperature 0.5)', "not accepted by the o-series"),
        ('(llm-query "positional")', "arity mismatch"),
        ('(llm-query-async #:data "x" #:recursive #t)', "#:recursive is not supported here"),
        ('(await "text")', "expected an async handle"),
        ('(await (llm-query #:data "x"))', "use llm-query-async for a handle"),
        ('(await-any (list))', "non-empty list"),
        ('(syntax-e 5)', "syntax-e: contract violation"),
        ('(map-async (lambda (x) "not a handle") (list 1))', "must return an async handle"),
        ('(map-async (lambda (x) (llm-query-async #:data x)) (list "a") #:max-concurrent 0)',
         "#:max-concurrent must be >= 1"),
    ],
)
def test_primitive_errors(src: str, message: str) -> None:
    with pytest.raises(RecipeError) as info:
        run(src)
    assert message in info.value.message
    assert info.value.location is not None


def test_syntax_e_is_identity_on_strings_and_datum_to_syntax_wraps() -> None:
    svc = FakeServices()
    assert value('(syntax-e "plain")', services=svc) == "plain"
    assert svc.unwraps == []
    assert value('(syntax-e (datum->syntax #f "w"))') == "w"
    assert value('(syntax? (datum->syntax #f "w"))') == "#t"


def test_async_handles_await_await_all_and_syntax() -> None:
    src = """
    (define hs (map (lambda (x) (llm-query-async #:data x)) (list "a" "b" "c")))
    (list (await-all hs) (map syntax-e (await-all-syntax hs)) (syntax-e (await (car hs))) (await-all '()))
    """
    assert value(src) == "((echo:a echo:b echo:c) (echo:a echo:b echo:c) echo:a ())"


def test_llm_query_async_returns_at_once() -> None:
    svc = FakeServices(responder=lambda r: (f"r:{r.data}", 0.3))
    src = """
    (define t0 (current-inexact-milliseconds))
    (define hs (for/list ([i 5]) (llm-query-async #:data (number->string i))))
    (define started (- (current-inexact-milliseconds) t0))
    (define rs (await-all hs))
    (list (< started 250) rs)
    """
    assert value(src, services=svc) == "(#t (r:0 r:1 r:2 r:3 r:4))"
    assert svc.max_in_flight == 5


def test_await_any_keeps_handles_that_finished_together() -> None:
    svc = FakeServices(responder=lambda r: (f"r:{r.data}", 0.01))
    src = """
    (define hs (list (llm-query-async #:data "a") (llm-query-async #:data "b") (llm-query-async #:data "c")))
    (sleep 0.3)
    (define-values (first-text rest) (await-any hs))
    (define-values (second-text rest2) (await-any rest))
    (list first-text second-text (length rest2) (await-all rest2))
    """
    assert value(src, services=svc) == "(r:a r:b 1 (r:c))"


def test_await_any_returns_the_first_to_finish() -> None:
    delays = {"slow": 0.5, "fast": 0.01}
    svc = FakeServices(responder=lambda r: (r.data, delays[r.data]))
    src = """
    (define-values (t rest) (await-any (list (llm-query-async #:data "slow") (llm-query-async #:data "fast"))))
    (list t (await-all rest))
    """
    assert value(src, services=svc) == "(fast (slow))"


def test_budget_scopes_are_plumbed_into_requests() -> None:
    svc = FakeServices()
    src = """
    (llm-query #:data "outside")
    (parameterize ([token-budget 1000])
      (llm-query #:data "outer")
      (parameterize ([token-budget 500])
        (llm-query #:data "inner")
        (await (llm-query-async #:data "inner-async")))
      (llm-query #:data "outer-again"))
    """
    run(src, services=svc)
    by_data = {r.data: [b.limit for b in r.budgets] for r in svc.requests}
    assert by_data == {"outside": [], "outer": [1000], "inner": [1000, 500], "inner-async": [1000, 500],
                       "outer-again": [1000]}
    outer = svc.requests[1].budgets[0]
    inner = svc.requests[2].budgets[1]
    assert outer.spent == 60 and inner.spent == 30  # nested scopes are independent


def test_budget_exhausted_is_exit_code_3_and_keeps_cause() -> None:
    with pytest.raises(RecipeError) as info:
        run('(parameterize ([token-budget 20]) (llm-query #:data "a") (llm-query #:data "b"))')
    err = info.value
    assert err.exit_code == 3 and err.kind == "budget"
    assert err.location == "test.recipe:1:58"
    assert type(err.__cause__).__name__ == "BudgetExhausted"
    with pytest.raises(RecipeError, match="positive integer"):
        run("(parameterize ([token-budget -1]) 1)")


def test_token_budget_reports_remaining() -> None:
    assert value('(parameterize ([token-budget 100]) (llm-query #:data "x") (token-budget))') == "85"
    assert value("(token-budget)") == "+inf.0"


def test_llm_call_error_becomes_recipe_error() -> None:
    svc = FakeServices(fail_with=lambda r: LLMCallError("provider refused"))
    with pytest.raises(RecipeError) as info:
        run('(define x 1)\n(llm-query #:data "x")', services=svc)
    assert "provider refused" in info.value.message
    assert info.value.location == "test.recipe:2:1"
    assert isinstance(info.value.__cause__, LLMCallError)
    assert value('(try (llm-query #:data "x") on-error (lambda (m) "fallback"))', services=FakeServices(
        fail_with=lambda r: LLMCallError("down"))) == "fallback"


def test_recursive_llm_query_runs_the_reply_as_a_recipe() -> None:
    svc = FakeServices(responder=lambda r: "```scheme\n(define n 6)\n(finish (string-append context \"!\" (number->string (* n 7))))\n```")
    assert value('(syntax-e (llm-query #:instruction "write code" #:data "ctx" #:recursive #t))',
                 services=svc) == "ctx!42"


def test_recursive_llm_query_depth_limit() -> None:
    reply = '(syntax-e (llm-query #:instruction "again" #:recursive #t))'
    svc = FakeServices(responder=lambda r: reply, max_recursion_depth=2)
    with pytest.raises(RecipeError, match=r"depth limit \(2\) exceeded"):
        run(reply, services=svc)
    assert len(svc.requests) == 3


def test_python_bridge_exec_eval_set_call() -> None:
    src = """
    (define out (py-exec "x = 41\\nprint(x + 1)"))
    (py-set! "data" (list 1 2.5 "s" #t (hash 'k "v" "s" 'null) (void)))
    (define d (py-eval "{'total': 3, 'items': (1, 2), 'none': None}"))
    (define ref (py-eval "[3, 1, 2].__iter__()"))
    (list out (py-eval "data") (hash-ref d 'total) (hash-ref d 'items) (hash-ref d 'none)
          (py-eval "sorted([3, 1, 2])"))
    """
    assert value(src) == "(42\n (1 2.5 s #t #hash((k . v) (s . null)) null) 3 (1 2) null (1 2 3))"


def test_py_call_on_python_references() -> None:
    src = """
    (py-exec "class C:\\n    def add(self, a, b):\\n        return a + b\\nobj = C()")
    (define ref (py-eval "obj"))
    (py-call ref "add" 2 3)
    """
    assert value(src) == "5"


def test_python_error_carries_traceback_and_line_inside_the_string() -> None:
    src = '(define a 1)\n(py-exec "x = 1\ny = undefined_name\n")'
    with pytest.raises(RecipeError) as info:
        run(src)
    err = info.value
    assert err.kind == "python"
    assert "NameError" in err.message
    assert err.location == "test.recipe:3:1"  # line 2 of the code string
    assert "undefined_name" in err.python_traceback
    assert "Python traceback" in err.format()


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ('(py-set! "not an id" 1)', "is not a Python identifier"),
        ('(py-set! "f" (lambda (x) x))', "cannot convert a procedure"),
        ('(py-eval "1/0")', "ZeroDivisionError"),
        ('(py-call 5 "m")', "py-call: contract violation"),
    ],
)
def test_python_bridge_errors(src: str, message: str) -> None:
    with pytest.raises(RecipeError, match=message):
        run(src)


def test_finish_finish_var_and_last_value() -> None:
    out = run('(display "before") (finish (list 1 "two" #t 3.5)) (display "after")')
    assert out.finished and out.display_text == "(1 two #t 3.5)"
    out = run('(define answer "forty-two") (finish-var "answer")')
    assert out.finished and out.value == "forty-two"
    out = run("(define x 1) (+ x 1)")
    assert not out.finished and out.display_text == "2"
    assert run("(define x 1)").display_text == ""
    assert run('(displayln "x")').display_text == ""
    # the result displays as Racket's `display` does (LANGUAGE.md §1): void is #<void>
    out = run("(finish (void))")
    assert out.finished and out.display_text == "#<void>"
    assert run("(define (f) (finish (void))) (f) 1").display_text == "#<void>"
    with pytest.raises(RecipeError, match="no variable named `nope`"):
        run('(finish-var "nope")')


def test_finish_error_raises_finish_error() -> None:
    with pytest.raises(FinishError) as info:
        run('(define x 1)\n(finish-error "could not do it")')
    assert info.value.message == "could not do it"
    assert info.value.location == "test.recipe:2:1"
    assert info.value.exit_code == 1
    # finish-error is not caught by try/with-handlers? It is an error: handlers may catch it.
    assert value('(try (finish-error "x") on-error (lambda (m) (string-append "caught " m)))') == "caught x"


def test_finish_is_not_caught_by_handlers() -> None:
    out = run('(try (finish "done") on-error (lambda (m) "caught")) "after"')
    assert out.finished and out.value == "done"


def test_checkpoint_and_restore() -> None:
    svc = FakeServices()
    src = """
    (checkpoint "k" (list 1 "two" (hash 'a 1.5)))
    (list (restore "k") (restore "missing"))
    """
    assert value(src, services=svc) == "((1 two #hash((a . 1.5))) #f)"
    assert svc.fake_store.data == {"k": [1, "two", {"a": 1.5}]}
    with pytest.raises(RecipeError, match="cannot convert a procedure"):
        run('(checkpoint "k" car)')
    with pytest.raises(RecipeError, match="not JSON-able"):
        run('(checkpoint "k" (py-eval "object()"))')


def test_run_information_hashes_have_symbol_keys() -> None:
    src = """
    (llm-query #:data "a")
    (define t (tokens-used))
    (list (hash-ref t 'calls) (hash-ref t 'total-tokens) (hash-ref (rate-limits) 'remaining-requests) (heartbeat))
    """
    assert value(src) == "(1 15 99 #<void>)"


def test_context_and_named_contexts() -> None:
    assert value("context", context="the input") == "the input"
    assert value("(hash-ref context 'n)", context={"n": [1, 2]}) == "(1 2)"
    assert value('(list (get-context "doc") (get-context "missing"))', named={"doc": "D"}) == "(D #f)"


@pytest.mark.parametrize("prim", ['(unsafe-interpolate "x")', "(unsafe-overwrite 'llm-query 5)",
                                  '(unsafe-exec-sub-output "(+ 1 2)")'])
def test_unsafe_primitives_are_disabled_by_default(prim: str) -> None:
    with pytest.raises(RecipeError, match="is disabled; run with --allow-unsafe"):
        run(prim)


def test_unsafe_primitives_when_allowed() -> None:
    svc = FakeServices(allow_unsafe=True)
    src = """
    (define s (unsafe-interpolate (llm-query #:data "x")))
    (unsafe-overwrite 'chunk (lambda (l n) 'mine))
    (list s (chunk '(1 2) 1) (unsafe-exec-sub-output "(+ 1 2)"))
    """
    assert value(src, services=svc) == "(echo:x mine 3)"
    assert svc.unwraps == []


def test_sleep_suspends_only_this_strand() -> None:
    svc = FakeServices()
    assert value("(sleep 0.01) 'ok", services=svc) == "ok"
    with pytest.raises(RecipeError, match="sleep: contract violation"):
        run('(sleep "x")')


def test_syntax_error_in_document_raises_before_running() -> None:
    svc = FakeServices()
    with pytest.raises(RecipeError) as info:
        run('(llm-query #:data "x")\n(display "unclosed"', services=svc)
    assert info.value.message.startswith("S001")
    assert info.value.location == "test.recipe:2:1"
    assert svc.requests == []
