"""Error reports: location, kind, Scheme backtrace (never a Python traceback), did-you-mean."""

from __future__ import annotations

import pytest
from recipe.runtime.engine.errors import BACKTRACE_LIMIT, RecipeError

from .fakes import FakeServices, run


def error_of(src: str, **kw: object) -> RecipeError:
    with pytest.raises(RecipeError) as info:
        run(src, **kw)  # type: ignore[arg-type]
    return info.value


def test_unbound_identifier_with_did_you_mean_before_running() -> None:
    svc = FakeServices()
    err = error_of('(llm-query #:data "first")\n(llm-querry #:data "x")', services=svc)
    assert err.message == "unbound identifier `llm-querry`; did you mean `llm-query`?"
    assert err.location == "test.recipe:2:2"
    assert err.kind == "unbound"
    assert svc.requests == []  # nothing ran


def test_backtrace_lists_active_frames_most_recent_last() -> None:
    src = "(define (g x) (car x))\n(define (f y) (+ 1 (g y)))\n(f 5)"
    err = error_of(src)
    assert err.location == "test.recipe:1:15"
    assert err.backtrace == ["test.recipe:3:1 in top level", "test.recipe:2:20 in f",
                             "test.recipe:1:15 in g"]
    text = err.format()
    assert text.startswith("test.recipe:1:15: car: contract violation")
    assert "Traceback" not in text and ".py" not in text


def test_backtrace_is_bounded() -> None:
    src = "(define (deep n) (if (= n 0) (car '()) (+ 1 (deep (- n 1)))))\n(deep 500)"
    err = error_of(src)
    bt = err.backtrace
    assert len(bt) == BACKTRACE_LIMIT + 1
    assert any("more frames" in line for line in bt)
    assert bt[-1].endswith("in deep") and bt[0].endswith("in top level")


def test_arity_errors_name_the_procedure() -> None:
    err = error_of("(define (f x) x)\n(f 1 2)")
    assert err.message == "f: arity mismatch; expected 1 argument, given 2"
    assert err.location == "test.recipe:2:1"
    err = error_of("(define (f x [y 1]) x)\n(f)")
    assert "f: arity mismatch; expected 1 to 2 arguments, given 0" == err.message
    err = error_of("(define (f #:k k) k)\n(f #:q 1)")
    assert err.message.startswith("f: unknown keyword #:q")
    err = error_of("(define (f #:k k) k)\n(f)")
    assert err.message == "f: required keyword argument #:k not supplied"


def test_tail_call_arity_error_has_location() -> None:
    err = error_of("(define (f x) x)\n(define (g) (f 1 2))\n(g)")
    assert err.location == "test.recipe:2:13"


def test_calling_a_non_procedure_names_the_value() -> None:
    err = error_of('(define x "text")\n(x 1)')
    assert "not a procedure" in err.message and '"text"' in err.message
    assert err.location == "test.recipe:2:1"
    err = error_of('((llm-query #:data "x"))')
    assert "syntax object is LLM text" in err.message


def test_keyword_type_and_range_errors_come_from_catalogue() -> None:
    err = error_of("(map-async (lambda (x) x) '() #:max-concurrent -1)")
    assert err.message == "map-async: #:max-concurrent must be >= 1, given -1"
    err = error_of("(tree-reduce + '(1) #:branch-factor \"x\")")
    assert err.message == 'tree-reduce: #:branch-factor expects an exact integer, given "x"'
    err = error_of('(llm-query #:data 5)')
    assert err.message == "llm-query: #:data expects a string, given 5"


def test_error_inside_higher_order_builtin_is_located() -> None:
    err = error_of("(define (f x) (car x))\n(map f (list 1))")
    assert err.location == "test.recipe:1:15"
    assert err.backtrace[-1] == "test.recipe:1:15 in f"


def test_errors_keep_kind_and_handler_value() -> None:
    err = error_of("(error 'my-proc \"went ~a\" 'wrong)")
    assert err.message == "my-proc: went wrong"
    assert err.kind == "error"
    err = error_of("(/ 5 0)")
    assert err.value.kind == "exn:fail:contract:divide-by-zero"


def test_syntax_errors_report_reader_code() -> None:
    err = error_of("(define x 1))")
    assert err.kind == "syntax" and err.message.startswith("S003")
    assert err.location == "test.recipe:1:13"
