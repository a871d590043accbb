"""Combinators (LANGUAGE.md §8) and the concurrency of map-async, parallel, race."""

from __future__ import annotations

import time

import pytest
from recipe.runtime.engine.errors import RecipeError
from recipe.runtime.engine.services import LLMCallError, LLMRequest

from .fakes import FakeServices, run, value


def test_map_async_keeps_order_and_window() -> None:
    # later items answer faster: results must still come back in input order
    svc = FakeServices(responder=lambda r: (f"r{r.data}", 0.02 * (10 - int(r.data))))
    src = """(map-async (lambda (i) (llm-query-async #:data (number->string i))) (range 10)
               #:max-concurrent 3)"""
    assert value(src, services=svc) == "(r0 r1 r2 r3 r4 r5 r6 r7 r8 r9)"
    assert svc.max_in_flight == 3
    assert len(svc.requests) == 10
    assert svc.progress_log.count("map-async:start") == 10
    assert svc.progress_log.count("map-async:done") == 10
    assert svc.progress_log[-1] == "map-async:close"


def test_map_async_default_window_is_10_and_false_means_all() -> None:
    # (replies slow enough that every call of a window has started before the first ends,
    # even on a loaded machine)
    svc = FakeServices(responder=lambda r: (r.data, 0.3))
    run('(map-async (lambda (i) (llm-query-async #:data (number->string i))) (range 25))', services=svc)
    assert svc.max_in_flight == 10
    svc = FakeServices(responder=lambda r: (r.data, 0.3))
    run('(map-async (lambda (i) (llm-query-async #:data (number->string i))) (range 25) #:max-concurrent #f)',
        services=svc)
    assert svc.max_in_flight == 25


def test_map_async_error_cancels_the_rest() -> None:
    svc = FakeServices(responder=lambda r: (r.data, 0.01 if r.data == "1" else 0.5),
                       fail_with=lambda r: LLMCallError("boom") if r.data == "1" else None)
    start = time.perf_counter()
    with pytest.raises(RecipeError, match="boom"):
        run('(map-async (lambda (i) (llm-query-async #:data (number->string i))) (range 4))', services=svc)
    assert time.perf_counter() - start < 0.45
    assert svc.cancelled >= 2


def test_fan_out_aggregate() -> None:
    src = """(fan-out-aggregate (lambda (x) (llm-query-async #:data x)) (lambda (rs) (string-join rs "+"))
               (list "a" "b") #:max-concurrent 2)"""
    assert value(src) == "echo:a+echo:b"


def test_parallel_runs_thunks_concurrently_in_order() -> None:
    start = time.perf_counter()
    src = "(parallel (for/list ([i 5]) (lambda () (sleep 0.2) (* i i))))"
    assert value(src) == "(0 1 4 9 16)"
    assert time.perf_counter() - start < 0.8


def test_parallel_max_concurrent_bounds_llm_calls() -> None:
    svc = FakeServices(responder=lambda r: (r.data, 0.05))
    src = "(parallel (for/list ([i 6]) (lambda () (syntax-e (llm-query #:data (number->string i))))) #:max-concurrent 2)"
    assert value(src, services=svc) == "(0 1 2 3 4 5)"
    assert svc.max_in_flight == 2


def test_parallel_thunk_returning_handles_and_errors() -> None:
    assert value('(await-all (parallel (list (lambda () (llm-query-async #:data "h")))))') == "(echo:h)"
    with pytest.raises(RecipeError, match="car: contract violation"):
        run("(parallel (list (lambda () 1) (lambda () (car 5))))")


def test_parallel_inherits_budget_scope() -> None:
    svc = FakeServices()
    run('(parameterize ([token-budget 999]) (parallel (list (lambda () (llm-query #:data "x")))))', services=svc)
    assert [b.limit for b in svc.requests[0].budgets] == [999]


def test_race_returns_first_and_cancels_losers() -> None:
    delays = {"slow1": 2.0, "fast": 0.02, "slow2": 2.0}
    svc = FakeServices(responder=lambda r: (r.data, delays[r.data]))
    start = time.perf_counter()
    src = """(race (list (lambda () (llm-query-async #:data "slow1"))
                         (lambda () (llm-query-async #:data "fast"))
                         (lambda () (llm-query-async #:data "slow2"))))"""
    assert value(src, services=svc) == "fast"
    assert time.perf_counter() - start < 1.5
    assert svc.cancelled == 2
    assert svc.completed == ["fast"]


def test_race_runs_its_thunks_concurrently_and_stops_the_losers() -> None:
    # a hedge whose thunk waits before it calls: the race does not wait for it (it called
    # the thunks one after another, 1 s here), and the stopped thunk starts no call
    svc = FakeServices(responder=lambda r: (r.data, 0.02))
    start = time.perf_counter()
    src = """(race (list (lambda () (sleep 1.0) (llm-query-async #:data "late"))
                         (lambda () (llm-query-async #:data "fast"))))"""
    assert value(src, services=svc) == "fast"
    assert time.perf_counter() - start < 0.8
    time.sleep(1.3)  # (the slow thunk wakes up: it is stopped before its call)
    assert [r.data for r in svc.requests] == ["fast"]
    # a thunk's error does not end the race while another may still win
    src = """(race (list (lambda () (error "no")) (lambda () "plain")))"""
    assert value(src) == "plain"
    with pytest.raises(RecipeError, match="no"):
        run('(race (list (lambda () (error "no"))))')
    # finish-error in a thunk ends the run at once, as in parallel
    start = time.perf_counter()
    with pytest.raises(RecipeError, match="stop here"):
        run('(race (list (lambda () (finish-error "stop here")) (lambda () (sleep 3) "late")))')
    assert time.perf_counter() - start < 2.0


def test_a_thunk_that_finishes_the_run_does_not_wait_for_its_siblings() -> None:
    # parallel waited for every thunk before it raised the first error, also when a thunk
    # ended the run (finish-error): 3 s here instead of 0.2
    start = time.perf_counter()
    with pytest.raises(RecipeError, match="thunk failed"):
        run('(parallel (list (lambda () (sleep 0.2) (finish-error "thunk failed"))'
            ' (lambda () (sleep 3) "slow")))')
    assert time.perf_counter() - start < 2.0
    start = time.perf_counter()
    assert value('(parallel (list (lambda () (sleep 0.2) (finish "early"))'
                 ' (lambda () (sleep 3) "slow")))') == "early"
    assert time.perf_counter() - start < 2.0


def test_race_skips_failed_calls() -> None:
    svc = FakeServices(responder=lambda r: (r.data, 0.01 if r.data == "bad" else 0.1),
                       fail_with=lambda r: LLMCallError("x") if r.data == "bad" else None)
    src = '(race (list (lambda () (llm-query-async #:data "bad")) (lambda () (llm-query-async #:data "good"))))'
    assert value(src, services=svc) == "good"
    with pytest.raises(RecipeError, match="non-empty"):
        run("(race '())")


def test_vote_methods() -> None:
    assert value('(vote (list (lambda () "a") (lambda () "b") (lambda () "a")))') == "a"
    assert value("(vote (list (lambda () \"a\") (lambda () \"b\") (lambda () \"b\") (lambda () \"c\"))"
                 " #:method 'plurality)") == "b"
    assert value('(vote (list (lambda () "x") (lambda () " x ")) #:method \'consensus)') == "x"
    with pytest.raises(RecipeError, match="no majority"):
        run('(vote (list (lambda () "a") (lambda () "b")))')
    with pytest.raises(RecipeError, match="no consensus"):
        run("(vote (list (lambda () \"a\") (lambda () \"b\")) #:method 'consensus)")
    with pytest.raises(RecipeError, match="#:method"):
        run("(vote (list (lambda () \"a\")) #:method 'best)")


def test_vote_awaits_handles_and_unwraps_llm_text() -> None:
    def respond(r: LLMRequest) -> str:
        return "yes" if r.data != "2" else "no"
    svc = FakeServices(responder=respond)
    src = """(vote (list (lambda () (llm-query-async #:data "1")) (lambda () (llm-query #:data "2"))
                         (lambda () (llm-query-async #:data "3"))))"""
    assert value(src, services=svc) == "yes"


def test_ensemble() -> None:
    assert value('(ensemble (list (lambda () "x") (lambda () "y")))') == "1. x\n\n2. y"
    assert value('(ensemble (list (lambda () "x") (lambda () "y")) #:aggregator (lambda (rs) (string-join rs "|")))') == "x|y"


def test_sequential_combinators() -> None:
    assert value("((sequence add1 (lambda (x) (* x 10))) 1)") == "20"
    assert value("(fold-sequential (lambda (acc x) (string-append acc x)) \"\" (list \"a\" \"b\"))") == "ab"
    assert value("(tree-reduce + (range 1 8) #:branch-factor 2)") == "28"
    assert value("(tree-reduce (lambda xs (apply + xs)) (list 1 2 3) #:leaf-fn (lambda (x) (* x 10)))") == "60"
    assert value("(tree-reduce string-append (list \"only\"))") == "only"
    with pytest.raises(RecipeError, match="tree-reduce: cannot reduce an empty list"):
        run("(tree-reduce + '())")
    with pytest.raises(RecipeError, match="branch-factor"):
        run("(tree-reduce + '(1 2) #:branch-factor 1)")
    assert value("(iterate-until (lambda (x) (* x 2)) (lambda (x) (> x 100)) 1)") == "128"
    assert value("(iterate-until add1 (lambda (x) #f) 0 #:max-iter 4)") == "4"


def test_critique_refine() -> None:
    src = """
    (define n 0)
    (critique-refine (lambda () "d0")
                     (lambda (d) (set! n (add1 n)) (if (= n 2) "APPROVED" "needs work"))
                     (lambda (d c) (string-append d "+"))
                     #:max-iter 5 #:quality-threshold 0.8)
    """
    assert value(src) == "d0+"
    src2 = """(critique-refine (lambda () "d") (lambda (d) "approved") (lambda (d c) (string-append d "+"))
                                #:max-iter 2)"""
    assert value(src2) == "d++"


def test_with_validation_memoized_choose_try_fallback() -> None:
    assert value("((with-validation add1 positive?) 1)") == "2"
    with pytest.raises(RecipeError, match="with-validation: validation failed"):
        run("((with-validation add1 negative?) 1)")
    src = """
    (define calls 0)
    (define slow (lambda (x) (set! calls (add1 calls)) (* x x)))
    (define fast (memoized slow))
    (list (fast 3) (fast 3) (fast 4) calls)
    """
    assert value(src) == "(9 9 16 2)"
    assert value("(define f (memoized (lambda (s) (string-length s)) #:key-fn string-downcase))"
                 " (list (f \"AB\") (f \"ab\"))") == "(2 2)"
    assert value("(list ((choose odd? add1 sub1) 3) ((choose odd? add1 sub1) 4))") == "(4 3)"
    assert value("((try-fallback car (lambda (x) 'fallback)) 5)") == "fallback"
    assert value("((try-fallback car (lambda (x) 'fallback)) '(1))") == "1"


def test_tiered_and_active_learning() -> None:
    assert value("(tiered add1 (lambda (xs) (apply + xs)) '(1 2 3))") == "9"
    src = """(active-learning (lambda (x) (* x 10)) (lambda (x) 'expensive) (lambda (r) (if (> r 15) 0.9 0.1))
                               '(1 2 3))"""
    assert value(src) == "(expensive 20 30)"


def test_recursive_spawn() -> None:
    svc = FakeServices(responder=lambda r: '(finish (string-append "sub:" context))')
    assert value('(syntax-e ((recursive-spawn "strategy") "data"))', services=svc) == "sub:data"
    assert svc.requests[0].instruction == "strategy"


def test_combinator_argument_errors_name_the_combinator() -> None:
    with pytest.raises(RecipeError, match="parallel: contract violation: expected"):
        run("(parallel (list 1 2))")
    with pytest.raises(RecipeError, match="fold-sequential: contract violation: expected list"):
        run("(fold-sequential + 0 5)")
    with pytest.raises(RecipeError, match="unknown keyword #:max-iterations"):
        run("(iterate-until add1 odd? 0 #:max-iterations 3)")
