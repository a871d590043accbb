"""Built-ins whose results must be Racket's, case by case (racket/base, racket/format).

Each case runs a small recipe through the real evaluator; the expected text is what the
recipe's result displays as (Racket's `display`), so a string result shows raw.
"""

from __future__ import annotations

import pytest
from recipe.runtime.engine.errors import RecipeError

from .fakes import run, value


def error_of(src: str) -> RecipeError:
    with pytest.raises(RecipeError) as info:
        run(src)
    assert info.value.location is not None and info.value.location.startswith("test.recipe:")
    return info.value


# ------------------------------------------------------------------ memq memv assq assv

@pytest.mark.parametrize(("src", "expected"), [
    ("(memv 1.0 '(1 2))", "#f"),
    ("(memv 1.0 '(1 1.0 2))", "(1.0 2)"),
    ("(memv 1/2 (list 0.5 1/2))", "(1/2)"),
    ("(memq 2 '(1 2 3))", "(2 3)"),
    ("(memq 'c '(a b c d))", "(c d)"),
    # literal strings are interned (as Racket's reader does): equal literals are eq?
    ("(memq \"a\" (list \"a\"))", "(a)"),
    ("(memq \"abc\" (list \"x\" \"abc\"))", "(abc)"),
    # a string built at run time is a new object
    ("(memq (string-append \"ab\" \"c\") (list \"abc\"))", "#f"),
    ("(member (string-append \"ab\" \"c\") (list \"abc\"))", "(abc)"),
    ("(memv (string-append \"ab\" \"c\") (list \"abc\"))", "#f"),
    ("(memq (list 1) (list (list 1)))", "#f"),
    ("(let ([k (list 1)]) (memq k (list 0 k)))", "((1))"),
    ("(assq 'b '((a . 1) (b . 2)))", "(b . 2)"),
    ("(assq (string-append \"k\" \"ey\") '((\"key\" . 1)))", "#f"),
    ("(assq \"key\" '((\"key\" . 1)))", "(key . 1)"),
    ("(assv 2.0 '((2 . exact) (2.0 . float)))", "(2.0 . float)"),
    ("(assv 2 '((2.0 . float) (2 . exact)))", "(2 . exact)"),
    ("(assoc 2.0 '((2 . exact)))", "#f"),
    ("(remq (string-append \"a\" \"b\") (list \"ab\" \"x\"))", "(ab x)"),
    ("(remq 'x '(a x b x))", "(a b x)"),
    # eq? / eqv? themselves, kept consistent with the list procedures
    ("(list (eq? \"abc\" \"abc\") (eq? (string-append \"ab\" \"c\") \"abc\") (equal? (string-append \"ab\" \"c\") \"abc\"))",
     "(#t #f #t)"),
    ("(list (eqv? 1.0 1.0) (eqv? 1 1.0) (eqv? 0.0 -0.0) (eqv? +nan.0 (/ 0.0 0.0)) (= 0.0 -0.0))",
     "(#t #f #f #t #t)"),
    ("(list (eq? 'a 'a) (eq? 5 5) (eq? #\\a #\\a) (eq? '() '()))", "(#t #t #t #t)"),
])
def test_memq_memv_assq_assv_compare_with_eq_and_eqv(src: str, expected: str) -> None:
    assert value(src) == expected


# ------------------------------------------------------------------ hash tables

@pytest.mark.parametrize(("src", "expected"), [
    # hasheq / make-hasheq: eq? keys, so a string built at run time is its own key
    ("(define h (make-hasheq)) (hash-set! h (string-append \"a\" \"b\") 1) (hash-ref h \"ab\" 'none)", "none"),
    ("(define k (string-append \"a\" \"b\")) (define h (make-hasheq)) (hash-set! h k 1) (hash-ref h k)", "1"),
    ("(define h (make-hasheq)) (hash-set! h 'a 1) (hash-set! h 7 2) (list (hash-ref h 'a) (hash-ref h 7))", "(1 2)"),
    ("(hash-ref (hasheq \"lit\" 1) \"lit\")", "1"),
    ("(hash-ref (hasheq (list 1) 'v) (list 1) #f)", "#f"),
    ("(hash-count (hasheq (string-append \"a\" \"b\") 1 (string-append \"a\" \"b\") 2))", "2"),
    ("(hash-ref (make-hasheq '((a . 1))) 'a)", "1"),
    ("(hash-ref (make-immutable-hasheq '((a . 1))) 'a)", "1"),
    # hasheqv / make-hasheqv: numbers by value and exactness
    ("(list (hash-ref (hasheqv 1 'one) 1) (hash-ref (hasheqv 1 'one) 1.0 #f))", "(one #f)"),
    ("(define h (make-hasheqv)) (hash-set! h (string-append \"a\" \"b\") 1) (hash-ref h \"ab\" 'none)", "none"),
    # hash / make-hash: equal? keys
    ("(define h (make-hash)) (hash-set! h (string-append \"a\" \"b\") 1) (hash-ref h \"ab\" 'none)", "1"),
    ("(hash-ref (hash (list 1 2) 'v) (list 1 2))", "v"),
    ("(define h (make-hash)) (hash-set! h 0.0 'pos) (hash-set! h -0.0 'neg) (hash-set! h +nan.0 'nan)"
     " (list (hash-ref h 0.0) (hash-ref h -0.0) (hash-ref h (/ 0.0 0.0)))", "(pos neg nan)"),
    # the comparison survives functional updates and copies
    ("(hash-ref (hash-set (hasheq 'a 1) (string-append \"b\" \"c\") 2) \"bc\" 'none)", "none"),
    ("(define h (hash-copy (hasheq))) (hash-set! h (string-append \"b\" \"c\") 2) (hash-ref h \"bc\" 'none)", "none"),
    # equal? on tables: same comparison and same mutability, as in Racket
    ("(list (equal? (hash 'a 1) (hash 'a 1)) (equal? (hash 'a 1) (hasheq 'a 1))"
     " (equal? (make-hash '((a . 1))) (hash 'a 1)))", "(#t #f #f)"),
    ("(hasheq 'a 1)", "#hasheq((a . 1))"),
    ("(make-hasheqv '((1 . x)))", "#hasheqv((1 . x))"),
])
def test_hasheq_compares_keys_with_eq_and_hash_with_equal(src: str, expected: str) -> None:
    assert value(src) == expected


# ------------------------------------------------------------------ nan? infinite?

@pytest.mark.parametrize(("src", "expected"), [
    ("(list (nan? +nan.0) (nan? 1.0) (nan? 1) (nan? 1/2))", "(#t #f #f #f)"),
    ("(list (infinite? +inf.0) (infinite? -inf.0) (infinite? 1e308) (infinite? 5))", "(#t #t #f #f)"),
])
def test_nan_and_infinite(src: str, expected: str) -> None:
    assert value(src) == expected


@pytest.mark.parametrize("name", ["nan?", "infinite?"])
def test_nan_and_infinite_reject_non_reals(name: str) -> None:
    err = error_of(f"({name} \"1.0\")")
    assert err.message == f"{name}: contract violation: expected real?, given \"1.0\" as argument 1"
    assert err.location == "test.recipe:1:1"
    assert value(f"(with-handlers ([exn:fail:contract? (lambda (e) 'contract)]) ({name} 'x))") == "contract"


# ------------------------------------------------------------------ exact in, exact out

@pytest.mark.parametrize(("src", "expected"), [
    ("(sin 0)", "0"), ("(cos 0)", "1"), ("(tan 0)", "0"), ("(asin 0)", "0"), ("(acos 1)", "0"),
    ("(atan 0)", "0"), ("(atan 0 1)", "0"), ("(exp 0)", "1"), ("(log 1)", "0"),
    ("(sin 0.0)", "0.0"), ("(cos 0.0)", "1.0"), ("(exp 0.0)", "1.0"), ("(log 1.0)", "0.0"),
    ("(exact? (sin 0))", "#t"), ("(inexact? (sin 1))", "#t"), ("(inexact? (cos 1/2))", "#t"),
    ("(sqrt 4)", "2"), ("(sqrt 1/4)", "1/2"), ("(exact? (sqrt 4))", "#t"),
    ("(sqrt 2)", "1.4142135623730951"), ("(sqrt 4.0)", "2.0"),
    ("(expt 2 10)", "1024"), ("(expt 2 -2)", "1/4"), ("(expt 2.0 10)", "1024.0"),
    ("(expt 2.5 0)", "1"), ("(expt 1 0.5)", "1"), ("(expt 0 0)", "1"), ("(expt 2.5 0.0)", "1.0"),
    ("(expt 0.0 -1)", "+inf.0"),
    ("(log 1 10)", "0"), ("(log 100 10)", "2.0"),
    ("(atan 0 -1)", "3.141592653589793"),
    ("(sin +inf.0)", "+nan.0"),
    # an exact 0 wins over a float in * and /, as in Racket
    ("(* 0 1.5)", "0"), ("(* 1.5 2 0)", "0"), ("(/ 0 2.0)", "0"), ("(* 1 1.5)", "1.5"),
])
def test_transcendental_functions_keep_racket_exactness(src: str, expected: str) -> None:
    assert value(src) == expected


@pytest.mark.parametrize(("src", "message"), [
    ("(atan 0 0)", "atan: undefined for 0 and 0"),
    ("(log 0)", "log: undefined for 0"),
    ("(asin 2)", "asin: complex results are not supported"),
    ("(expt 0 -1)", "expt: division by zero"),
])
def test_transcendental_errors(src: str, message: str) -> None:
    assert message in error_of(src).message


# ------------------------------------------------------------------ errors name the called procedure

@pytest.mark.parametrize(("name", "expected"), [
    ("exact", "number?"), ("inexact->exact", "number?"), ("inexact", "number?"),
    ("exact->inexact", "number?"), ("real->double-flonum", "number?"),
    ("exact-round", "rational?"), ("exact-floor", "rational?"), ("exact-ceiling", "rational?"),
    ("exact-truncate", "rational?"),
])
def test_conversion_errors_name_the_called_procedure(name: str, expected: str) -> None:
    err = error_of(f"({name} \"2.5\")")
    assert err.message == f"{name}: contract violation: expected {expected}, given \"2.5\" as argument 1"
    assert err.location == "test.recipe:1:1"


@pytest.mark.parametrize(("src", "message"), [
    ("(exact +inf.0)", "exact: no exact representation for +inf.0"),
    ("(inexact->exact +nan.0)", "inexact->exact: no exact representation for +nan.0"),
    ("(exact-round +inf.0)", "exact-round: contract violation: expected rational?, given +inf.0"),
    ("(exact-floor +nan.0)", "exact-floor: contract violation: expected rational?, given +nan.0"),
])
def test_conversion_of_non_finite_floats(src: str, message: str) -> None:
    assert error_of(src).message.startswith(message)


def test_conversions_still_convert() -> None:
    assert value("(list (exact 2.5) (inexact 1/4) (exact-round 2.5) (exact-round 3.5) (exact-floor -1/2))") == (
        "(5/2 0.25 2 4 -1)")


# ------------------------------------------------------------------ ~v and print

@pytest.mark.parametrize(("src", "expected"), [
    ("(~v \"a\")", "\"a\""),
    ("(~s \"a\")", "\"a\""),
    ("(~v 'a)", "'a"),
    ("(~s 'a)", "a"),
    ("(~v '(1 \"two\" #\\c))", "'(1 \"two\" #\\c)"),
    ("(~s '(1 \"two\" #\\c))", "(1 \"two\" #\\c)"),
    ("(~v '())", "'()"),
    ("(~v (cons 1 2))", "'(1 . 2)"),
    ("(~v (vector 1 'a))", "'#(1 a)"),
    ("(~v (hash 'a 1))", "'#hash((a . 1))"),
    ("(~v (hasheq 'a 1))", "'#hasheq((a . 1))"),
    ("(~v ''x)", "''x"),
    ("(~v 42)", "42"),
    ("(~v 1.5)", "1.5"),
    ("(~v #t)", "#t"),
    ("(~v car)", "#<procedure:car>"),
    ("(~v (void))", "#<void>"),
    # ~s and ~v separate their values with a space (~a does not)
    ("(~v \"yes\" 'no)", "\"yes\" 'no"),
    ("(~s \"yes\" 'no)", "\"yes\" no"),
    ("(~a \"yes\" 'no)", "yesno"),
    ("(~v 1 2 #:separator \", \")", "1, 2"),
    ("(format \"~v|~s|~a|~e\" 'x 'x 'x 'x)", "'x|x|x|'x"),
])
def test_tilde_v_prints_like_print(src: str, expected: str) -> None:
    assert value(src) == expected


def test_print_quotes_lists_and_symbols() -> None:
    from .fakes import FakeServices

    svc = FakeServices()
    run("(print '(1 \"a\" b)) (print 'x) (print \"s\") (print 7)", services=svc)
    assert svc.stdout.getvalue() == "'(1 \"a\" b)'x\"s\"7"


# ------------------------------------------------------------------ ~r

@pytest.mark.parametrize(("src", "expected"), [
    ("(~r 3.14159265)", "3.141593"),
    ("(~r 2.0)", "2"),
    ("(~r 42)", "42"),
    ("(~r 10.5)", "10.5"),
    ("(~r 1/3)", "0.333333"),
    ("(~r 1/3 #:precision 2)", "0.33"),
    ("(~r 2/3 #:precision 2)", "0.67"),
    ("(~r 2.5 #:precision '(= 3))", "2.500"),
    ("(~r 2 #:precision '(= 2))", "2.00"),
    ("(~r 3.14159 #:precision 2)", "3.14"),
    ("(~r 0.125 #:precision 2)", "0.13"),
    ("(~r 1.5 #:precision 0)", "2"),
    ("(~r 0.999999 #:precision 2)", "1"),
    ("(~r 2.0000001)", "2"),
    ("(~r -1.25 #:precision 1)", "-1.3"),
    ("(~r 1e21)", "1000000000000000000000"),
    ("(~r 5 #:min-width 4)", "   5"),
    ("(~r 5 #:min-width 4 #:pad-string \"0\")", "0005"),
    ("(~r -5 #:min-width 4 #:pad-string \"0\")", "-0005"),
    ("(~r 3.5 #:min-width 6 #:precision '(= 2))", "  3.50"),
    ("(~r 255 #:base 16)", "ff"),
    ("(~r 255 #:base '(up 16))", "FF"),
    ("(~r 5 #:base 2)", "101"),
    ("(~r 0.5 #:base 2)", "0.1"),
    ("(~r 3 #:sign '+)", "+3"),
    ("(~r -3 #:sign 'parens)", "(3)"),
])
def test_tilde_r(src: str, expected: str) -> None:
    assert value(src) == expected


@pytest.mark.parametrize(("src", "message"), [
    ("(~r +inf.0)", "~r: contract violation: expected rational?, given +inf.0"),
    ("(~r \"1\")", "~r: contract violation: expected rational?"),
    ("(~r 1 #:precision -1)", "exact-nonnegative-integer?"),
    ("(~r 1 #:precision '(< 2))", "~r: contract violation"),
    ("(~r 1 #:base 40)", "(integer-in 2 36)"),
    ("(~r 1 #:pad-string \"\")", "non-empty-string?"),
    ("(~r 1 #:notation 'exponential)", "~r: unknown keyword #:notation"),
])
def test_tilde_r_errors(src: str, message: str) -> None:
    assert message in error_of(src).message


# ------------------------------------------------------------------ make-string

def test_make_string_fills_with_nul_by_default() -> None:
    assert value("(map char->integer (string->list (make-string 3)))") == "(0 0 0)"
    assert value("(make-string 3 #\\-)") == "---"
    assert value("(string-length (make-string 0))") == "0"
    err = error_of("(make-string 2 \"x\")")
    assert err.message == "make-string: contract violation: expected char?, given \"x\" as argument 2"


# ------------------------------------------------------------------ procedure-arity

@pytest.mark.parametrize(("src", "expected"), [
    ("(procedure-arity car)", "1"),
    ("(procedure-arity cons)", "2"),
    ("(procedure-arity (lambda (x y) x))", "2"),
    ("(procedure-arity (lambda () 1))", "0"),
    ("(define (f a b . more) a) (procedure-arity f)", "#(struct:arity-at-least 2)"),
    ("(~v (procedure-arity +))", "(arity-at-least 0)"),
    ("(~v (procedure-arity (lambda args 1)))", "(arity-at-least 0)"),
    ("(procedure-arity (lambda (x [y 1] [z 2]) x))", "(1 2 3)"),
    ("(~v (procedure-arity (lambda (x [y 1]) x)))", "'(1 2)"),
    ("(procedure-arity (lambda (x [y 1] . r) x))", "#(struct:arity-at-least 1)"),
    ("(procedure-arity (lambda (x #:k [k 1]) x))", "1"),
    ("(procedure-arity number->string)", "(1 2)"),
    # apply registers a looser arity and checks the count itself: the catalogue's is Racket's
    ("(~v (procedure-arity apply))", "(arity-at-least 2)"),
    ("(let ([a (procedure-arity max)]) (list (arity-at-least? a) (arity-at-least-value a)))", "(#t 1)"),
    ("(list (arity-at-least? 2) (equal? (procedure-arity +) (procedure-arity *)))", "(#f #t)"),
])
def test_procedure_arity_is_racket_s(src: str, expected: str) -> None:
    assert value(src) == expected


def test_procedure_arity_is_never_false_for_a_builtin() -> None:
    from recipe.runtime.engine.builtins import all_builtins

    names = sorted(n for n in all_builtins() if n[0].isalpha() and "!" not in n)
    src = "(list " + " ".join(f"(procedure-arity {n})" for n in names) + ")"
    assert "#f" not in value(src).split()


def test_arity_at_least_value_needs_one() -> None:
    err = error_of("(arity-at-least-value 3)")
    assert err.message == "arity-at-least-value: contract violation: expected arity-at-least?, given 3 as argument 1"


# ------------------------------------------------------------------ ~a / ~s padding and truncation

@pytest.mark.parametrize(("src", "expected"), [
    ("(~a \"x\" #:min-width 5 #:pad-string \"ab\" #:align 'right)", "ababx"),
    ("(~a \"x\" #:min-width 5 #:pad-string \"ab\")", "xabab"),
    ("(~a \"x\" #:min-width 6 #:pad-string \"ab\")", "xbabab"),
    ("(~a \"x\" #:min-width 4 #:pad-string \"ab\" #:align 'center)", "axab"),
    ("(~s \"abcdefgh\" #:max-width 6)", "\"ab..."),
    ("(~a \"abcdefgh\" #:max-width 6)", "abcdef"),
    ("(~a \"abcdef\" #:width 3 #:max-width 5)", "abcde"),
    ("(~a \"ab\" #:width 4)", "ab  "),
])
def test_tilde_padding_and_truncation(src: str, expected: str) -> None:
    assert value(src) == expected


# ------------------------------------------------------------------ several lists, improper append

@pytest.mark.parametrize(("src", "expected"), [
    ("(count < '(1 5) '(2 3))", "1"),
    ("(count odd? '(1 2 3))", "2"),
    ("(count (lambda (a b c) (= (+ a b) c)) '(1 2) '(3 4) '(4 7))", "1"),
    ("(filter-map (lambda (x y) (and (< x y) (+ x y))) '(1 5 2) '(2 3 4))", "(3 6)"),
    ("(append-map list '(1 2) '(a b))", "(1 a 2 b)"),
    ("(vector-map + #(1 2) #(10 20))", "#(11 22)"),
    ("(andmap < '(1 2) '(2 3))", "#t"),
    ("(ormap = '(1 2) '(3 2))", "#t"),
    ("(map cons '(1 2) '(a b))", "((1 . a) (2 . b))"),
    ("(foldl (lambda (a b acc) (+ acc (* a b))) 0 '(1 2) '(3 4))", "11"),
    ("(~v (append '(1) 2))", "'(1 . 2)"),
    ("(~v (append '(1) '(2) 'x))", "'(1 2 . x)"),
    ("(append 3)", "3"),
    ("(append)", "()"),
    ("(append '(1) '(2))", "(1 2)"),
    ("(append* '(1) '((2 3) (4)))", "(1 2 3 4)"),
    ("(append* '((1) (2)))", "(1 2)"),
    ("(~v (append* '((1) 5)))", "'(1 . 5)"),
    ("(append* '())", "()"),
])
def test_list_procedures_take_several_lists_and_an_improper_tail(src: str, expected: str) -> None:
    assert value(src) == expected


@pytest.mark.parametrize(("src", "message"), [
    ("(count < '(1) '(1 2))", "count: all lists must have the same size"),
    ("(filter-map + '(1) '(1 2))", "filter-map: all lists must have the same size"),
    ("(append-map list '(1) '(1 2))", "append-map: all lists must have the same size"),
    ("(vector-map + #(1) #(1 2))", "vector-map: all vectors must have the same size"),
    ("(count < '(1) 5)", "count: contract violation: expected list?, given 5 as argument 3"),
    ("(append 1 '(2))", "append: contract violation: expected list?, given 1 as argument 1"),
    ("(append '(1) 2 '(3))", "append: contract violation: expected list?, given 2 as argument 2"),
    ("(append* 1 '((2)))", "append*: contract violation: expected list?, given 1 as argument 1"),
    ("(append* '(1) 2)", "append*: contract violation: expected list?, given 2 as argument 2"),
    ("(append* '(1 2 3))",
     "append*: contract violation: expected (listof list?), given (1 2 3) as argument 1"),
    ("(append*)", "append*: arity mismatch; expected at least 1 argument, given 0"),
])
def test_several_lists_errors(src: str, message: str) -> None:
    assert error_of(src).message == message


# ------------------------------------------------------------------ errors name the procedure called

@pytest.mark.parametrize(("src", "message"), [
    ("(hash-update! (make-hash) 'missing add1)", "hash-update!: no value found for key missing"),
    ("(hash-update (hash) 'missing add1)", "hash-update: no value found for key missing"),
    ("(hash-update! (make-hash) 'missing 5)",
     "hash-update!: contract violation: expected procedure?, given 5 as argument 3"),
    ("(hash-ref (hash) 'missing)", "hash-ref: no value found for key missing"),
    ("(range 'a)", "range: contract violation: expected number?, given a as argument 1"),
    ("(range 1 'b)", "range: contract violation: expected number?, given b as argument 2"),
    ("(range 0 5 0)", "range: step must not be zero"),
    ("(for/list ([x (in-range 'a)]) x)",
     "in-range: contract violation: expected number?, given a as argument 1"),
    ("(fan-out-aggregate 5 identity '(1))",
     "fan-out-aggregate: contract violation: expected procedure?, given 5 as argument 1"),
    ("(fan-out-aggregate (lambda (x) x) identity 7)",
     "fan-out-aggregate: contract violation: expected list?, given 7 as argument 3"),
    ("(fan-out-aggregate (lambda (x) x) identity '(1))",
     "fan-out-aggregate: the function must return an async handle (use llm-query-async), "
     "got integer"),
    ("((recursive-spawn \"Solve it.\") 5)", "recursive-spawn: #:data expects a string, given 5"),
    ("(for/sum ([x '(1 a)]) x)", "+: contract violation: expected number?, given a as argument 2"),
])
def test_errors_name_the_procedure_the_recipe_called(src: str, message: str) -> None:
    assert error_of(src).message == message


def test_hash_update_with_a_failure_value_still_works() -> None:
    assert value("(define h (make-hash)) (hash-update! h 'n add1 0) (hash-update! h 'n add1) "
                 "(list (hash-ref h 'n) (hash-ref (hash-update (hash) 'k add1 (lambda () 9)) 'k))") \
        == "(2 10)"


# ------------------------------------------------------------------ string-append*, quotient/remainder, symbol<?

@pytest.mark.parametrize(("src", "expected"), [
    ("(string-append* \"a\" \"b\" '(\"c\" \"d\"))", "abcd"),
    ("(string-append* '(\"x\" \"y\"))", "xy"),
    ("(~s (string-append* '()))", "\"\""),
    ("(call-with-values (lambda () (quotient/remainder 17 5)) list)", "(3 2)"),
    ("(call-with-values (lambda () (quotient/remainder -17 5)) list)", "(-3 -2)"),
    ("(call-with-values (lambda () (quotient/remainder 17 -5)) list)", "(-3 2)"),
    ("(call-with-values (lambda () (quotient/remainder 17.0 5)) list)", "(3.0 2.0)"),
    ("(let-values ([(q r) (quotient/remainder 7 2)]) (+ (* q 2) r))", "7"),
    ("(list (symbol<? 'a 'b) (symbol<? 'b 'a) (symbol<? 'a 'a) (symbol<? 'a) (symbol<? 'a 'b 'c))",
     "(#t #f #f #t #t)"),
    ("(symbol<? 'Zebra 'apple)", "#t"),  # by the bytes of the names, as Racket
    ("(sort '(pear apple fig) symbol<?)", "(apple fig pear)"),
])
def test_string_append_star_quotient_remainder_symbol_lt(src: str, expected: str) -> None:
    assert value(src) == expected


@pytest.mark.parametrize(("src", "message"), [
    ("(string-append* \"a\" '(1))",
     "string-append*: contract violation: expected (listof string?), given (1) as argument 2"),
    ("(string-append* 5 '())",
     "string-append*: contract violation: expected string?, given 5 as argument 1"),
    ("(string-append* \"a\")",
     "string-append*: contract violation: expected (listof string?), given \"a\" as argument 1"),
    ("(string-append* (list (datum->syntax #f \"x\")))",
     "string-append*: expected a string (argument 1) but got a syntax object (LLM text); "
     "unwrap it with syntax-e first"),
    # (the list itself, as Racket shows it: the element alone pointed at the wrong value)
    ("(string-join (list (list \"a\" \"b\")) \",\")",
     "string-join: contract violation: expected (listof string?), given ((\"a\" \"b\")) as argument 1"),
    ("(string-join (list \"a\" (datum->syntax #f \"x\")))",
     "string-join: expected a string (argument 1) but got a syntax object (LLM text); "
     "unwrap it with syntax-e first"),
    ("(parallel (list (lambda () 1) 2))",
     "parallel: contract violation: expected (listof procedure?), given (#<procedure:lambda> 2) as argument 1"),
    ("(quotient/remainder 1 0)", "quotient/remainder: undefined for 0"),
    ("(quotient/remainder 1.5 1)",
     "quotient/remainder: contract violation: expected integer?, given 1.5 as argument 1"),
    ("(symbol<? 'a \"b\")", "symbol<?: contract violation: expected symbol?, given \"b\" as argument 2"),
])
def test_string_append_star_quotient_remainder_symbol_lt_errors(src: str, message: str) -> None:
    assert error_of(src).message == message
