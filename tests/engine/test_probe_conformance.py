"""Runtime conformance with LANGUAGE.md / Racket, found by probing recipes nobody had
written: let-values rest formals, `do`, deep data printing, deep non-tail recursion,
`apply` with keywords and in tail position, `keyword-apply`, string->number edge cases,
`format ~c`, char comparisons, symbols written with bars, string ports, and bignum/float
overflow."""

from __future__ import annotations

import pytest
from recipe.runtime.engine.errors import RecipeError

from .fakes import FakeServices, run, value


@pytest.mark.parametrize(("src", "expected"), [
    # let-values / define-values take Racket's full formals: (id ... . rest) and a lone id
    ("(let-values ([(a . rest) (values 1 2 3)] [all (values 4 5)]) (list a rest all))",
     "(1 (2 3) (4 5))"),
    ("(let*-values ([(a . r) (values 1)] [(b) (values (length r))]) (list a r b))", "(1 () 0)"),
    ("(define-values (a . more) (values 1 2 3)) (define-values all (values 4 5)) (list a more all)",
     "(1 (2 3) (4 5))"),
    ("(define (f) (define-values (x . y) (values 1 2)) (define-values z (values)) (list x y z)) (f)",
     "(1 (2) ())"),
    # do loops (racket/base)
    ("(do ([i 0 (add1 i)] [acc '() (cons i acc)]) ((= i 3) acc))", "(2 1 0)"),
    ("(define v (make-vector 3 0)) (do ([i 0 (+ i 1)]) ((= i 3)) (vector-set! v i (* i i))) v",
     "#(0 1 4)"),
    ("(list (do ([i 0 (add1 i)]) ((= i 2))) (do ([i 0 (add1 i)] [x 'k]) ((= i 2) 'ignored x)))",
     "(#<void> k)"),
    ("(do ([i 0 (add1 i)] [s 0 (+ s i)]) ((= i 200000) s))", "19999900000"),
])
def test_binding_forms(src: str, expected: str) -> None:
    assert value(src) == expected


def test_let_values_rest_arity_error() -> None:
    with pytest.raises(RecipeError, match="expected at least 2 values, received 1"):
        run("(let-values ([(a b . c) (values 1)]) a)")


def test_deeply_nested_data_prints_in_full() -> None:
    src = """(define (nest n) (let loop ([i 0] [acc '()]) (if (= i n) acc (loop (add1 i) (list acc)))))
             (define d (nest 20000))
             (list (string-length (format "~a" d)) (string-length (format "~s" d)) (equal? d (nest 20000)))"""
    assert value(src) == "(40002 40002 #t)"
    assert value("(let loop ([i 0] [acc \"x\"]) (if (= i 5000) acc (loop (add1 i) (list acc))))") \
        == "(" * 5000 + "x" + ")" * 5000


def test_deep_non_tail_recursion() -> None:
    src = "(define (sum-to n) (if (= n 0) 0 (+ n (sum-to (- n 1))))) (sum-to 100000)"
    assert value(src) == "5000050000"


@pytest.mark.parametrize(("src", "expected"), [
    ("(define (f a #:k [k 1]) (list a k)) (list (apply f '(5) #:k 2) (apply f #:k 3 '(6)) (apply f '(7)))",
     "((5 2) (6 3) (7 1))"),
    ("(define (f a #:k [k 1] #:m [m 0]) (list a k m)) (keyword-apply f '(#:k #:m) '(3 4) '(5))", "(5 3 4)"),
    ("(define (f a #:k [k 1]) (list a k)) (keyword-apply f '(#:k) '(9) 1 '())", "(1 9)"),
    # apply in tail position is a tail call
    ("(define (f n) (if (= n 0) 'done (apply f (list (- n 1))))) (f 300000)", "done"),
    ("(define (f n . r) (if (= n 0) (length r) (apply f (- n 1) r))) (f 300000 1 2)", "2"),
    ("(define (f n #:acc [acc 0]) (if (= n 0) acc (apply f (list (- n 1)) #:acc (+ acc 1)))) (f 300000)",
     "300000"),
])
def test_apply_keywords_and_tail_calls(src: str, expected: str) -> None:
    assert value(src) == expected


def test_apply_unknown_keyword_is_reported_by_the_callee() -> None:
    with pytest.raises(RecipeError, match="#:z"):
        run("(define (f a #:k [k 1]) a) (apply f '(1) #:z 2)")


@pytest.mark.parametrize(("text", "expected"), [
    ("\"#xff\"", "255"), ("\"#b101\"", "5"), ("\"#o17\"", "15"), ("\"#e1.5\"", "3/2"),
    ("\"#i3\"", "3.0"), ("\"#x#e10\"", "16"),
    ("\"1_000\"", "#f"), ("\"inf\"", "#f"), ("\"nan\"", "#f"), ("\"infinity\"", "#f"),
    ("\"\u0661\u0662\"", "#f"), ("\"0x10\"", "#f"), ("\" 42\"", "#f"), ("\"1/0\"", "#f"),
    ("\"ff\" 16", "255"), ("\" ff\" 16", "#f"), ("\"0xff\" 16", "#f"), ("\"1_0\" 16", "#f"),
    ("\"z\" 16", "#f"), ("\"12\" 3", "5"), ("\"ff/3\" 16", "85"), ("\"1e3\"", "1000.0"),
])
def test_string_to_number_follows_racket_reader(text: str, expected: str) -> None:
    assert value(f"(string->number {text})") == expected


@pytest.mark.parametrize(("src", "expected"), [
    ("(format \"~c|~C\" #\\z #\\λ)", "z|λ"),
    ("(list (char<? #\\a #\\b #\\c) (char>? #\\b #\\a) (char<=? #\\a #\\a) (char>=? #\\a #\\b) "
     "(char-ci=? #\\a #\\A) (char-ci<? #\\a #\\B))", "(#t #t #t #f #t #t)"),
    ("(list (char-upcase #\\ß) (char-numeric? #\\½) (char-upcase #\\a))", "(ß #t A)"),
    ("(format \"~s ~s ~s ~s ~s\" (string->symbol \"a b\") (string->symbol \"1\") (string->symbol \"\") "
     "'abc (string->symbol \"#foo\"))", "|a b| |1| || abc |#foo|"),
    ("(format \"~v\" (string->symbol \"a b\"))", "'|a b|"),
    ("(format \"~a\" (string->symbol \"a b\"))", "a b"),
])
def test_format_chars_and_symbols(src: str, expected: str) -> None:
    assert value(src) == expected


def test_format_c_needs_a_char() -> None:
    with pytest.raises(RecipeError, match="char\\?"):
        run("(format \"~c\" 5)")


def test_string_ports() -> None:
    src = """(define o (open-output-string))
             (write 'a o) (display " b" o) (fprintf o "~a" 3) (newline o) (write-string "!" o)
             (get-output-string o)"""
    svc = FakeServices()
    assert run(src, svc).display_text == "a b3\n!"
    assert svc.stdout.getvalue() == ""


def test_output_to_a_non_port_is_an_error() -> None:
    with pytest.raises(RecipeError, match="display: contract violation: expected output-port"):
        run("(display \"x\" 5)")


@pytest.mark.parametrize(("src", "expected"), [
    ("(exact->inexact (expt 10 400))", "+inf.0"),
    ("(exact->inexact (- (expt 10 400)))", "-inf.0"),
    ("(+ (expt 10 400) 1.0)", "+inf.0"),
    ("(* 1.5 (expt 10 400))", "+inf.0"),
    ("(- 1.0 (expt 10 400))", "-inf.0"),
    ("(/ (expt 10 400) 2.0)", "+inf.0"),
    ("(max (expt 10 400) 1.0)", "+inf.0"),
    ("(+ 1 (expt 10 400))", "1" + "0" * 399 + "1"),
])
def test_bignum_meeting_a_float_overflows_to_infinity(src: str, expected: str) -> None:
    assert value(src) == expected
