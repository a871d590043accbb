"""Built-in procedures (LANGUAGE.md §4) with Racket semantics."""

from __future__ import annotations

import pytest
from recipe.runtime.engine.errors import RecipeError

from .fakes import FakeServices, run, value

LISTS = [
    ("(list 1 \"two\" #t 3.5)", "(1 two #t 3.5)"),
    ("(cons 1 2)", "(1 . 2)"),
    ("(cons 1 '(2))", "(1 2)"),
    ("(list (car '(1 2)) (cdr '(1 2)) (cadr '(1 2 3)) (caddr '(1 2 3)))", "(1 (2) 2 3)"),
    ("(list (first '(1 2 3)) (second '(1 2 3)) (third '(1 2 3)) (rest '(1 2 3)) (last '(1 2 3)))",
     "(1 2 3 (2 3) 3)"),
    ("(list (empty? '()) (null? '(1)) (pair? '(1)) (pair? '()) (list? '(1 . 2)) (list? '()))",
     "(#t #f #t #f #f #t)"),
    ("(length '(1 2 3))", "3"),
    ("(append '(1) '(2 3) '() '(4))", "(1 2 3 4)"),
    ("(reverse '(1 2 3))", "(3 2 1)"),
    ("(list (list-ref '(a b c) 2) (list-tail '(a b c) 1))", "(c (b c))"),
    ("(list (take '(1 2 3) 2) (drop '(1 2 3) 2) (take-right '(1 2 3) 2) (drop-right '(1 2 3) 2))",
     "((1 2) (3) (2 3) (1))"),
    ("(let-values ([(a b) (split-at '(1 2 3 4) 1)]) (list a b))", "((1) (2 3 4))"),
    ("(map (lambda (x) (* x x)) '(1 2 3))", "(1 4 9)"),
    ("(map + '(1 2) '(10 20))", "(11 22)"),
    ("(let ([n 0]) (for-each (lambda (x) (set! n (+ n x))) '(1 2 3)) n)", "6"),
    ("(filter odd? '(1 2 3 4 5))", "(1 3 5)"),
    ("(filter-map (lambda (x) (and (odd? x) (* x 10))) '(1 2 3))", "(10 30)"),
    ("(remove 2 '(1 2 3 2))", "(1 3 2)"),
    ("(foldl cons '() '(1 2 3))", "(3 2 1)"),
    ("(foldr cons '() '(1 2 3))", "(1 2 3)"),
    ("(foldl + 0 '(1 2) '(10 20))", "33"),
    ("(apply + 1 2 '(3 4))", "10"),
    ("(apply max '(3 9 2))", "9"),
    ("(list (assoc \"b\" '((\"a\" . 1) (\"b\" . 2))) (assoc 'z '((a . 1))))", "((b . 2) #f)"),
    ("(list (member 2 '(1 2 3)) (member 9 '(1 2)) (memq 'c '(a b c)))", "((2 3) #f (c))"),
    ("(list (index-of '(a b c) 'b) (index-of '(a) 'z))", "(1 #f)"),
    ("(list (range 4) (range 1 4) (range 0 10 3))", "((0 1 2 3) (1 2 3) (0 3 6 9))"),
    ("(sort '(3 1 2) <)", "(1 2 3)"),
    ("(sort '(3 1 2) >)", "(3 2 1)"),
    ("(sort '(\"b\" \"c\" \"a\") string<?)", "(a b c)"),
    ("(sort '((1 . b) (0 . a) (1 . a)) < #:key car)", "((0 . a) (1 . b) (1 . a))"),
    ("(sort '(3 1 2) (lambda (a b) (> a b)))", "(3 2 1)"),
    ("(remove-duplicates '(1 2 1 \"a\" \"a\" (1) (1)))", "(1 2 a (1))"),
    ("(remove-duplicates '(\"A\" \"a\" \"b\" \"B\") #:key string-downcase)", "(A b)"),
    ("(remove-duplicates '(1 11 2) (lambda (a b) (= (modulo a 10) (modulo b 10))))", "(1 2)"),
    ("(flatten '(1 (2 (3 ())) 4))", "(1 2 3 4)"),
    ("(append-map (lambda (x) (list x x)) '(1 2))", "(1 1 2 2)"),
    ("(count odd? '(1 2 3))", "2"),
    ("(list (argmin abs '(-3 1 2)) (argmax abs '(-3 1 2)))", "(1 -3)"),
    ("(let-values ([(a b) (partition even? '(1 2 3 4))]) (list a b))", "((2 4) (1 3))"),
    ("(list (andmap odd? '(1 3)) (ormap even? '(1 3)))", "(#t #f)"),
    ("(chunk '(1 2 3 4 5) 2)", "((1 2) (3 4) (5))"),
]

STRINGS = [
    ("(string-append \"a\" \"b\" \"c\")", "abc"),
    ("(substring \"hello\" 1 3)", "el"),
    ("(substring \"hello\" 2)", "llo"),
    ("(string-length \"héllo\")", "5"),
    ("(string-join '(\"a\" \"b\" \"c\") \", \")", "a, b, c"),
    ("(string-join '(\"a\" \"b\"))", "a b"),
    ("(string-join '(\"a\" \"b\" \"c\") \", \" #:before-last \" and \")", "a, b and c"),
    ("(string-join '(\"a\" \"b\") \", \" #:before-first \"[\" #:after-last \"]\")", "[a, b]"),
    ("(string-join '(\"a\") \", \" #:before-last \" and \")", "a"),
    ("(string-split \"  a b  c \")", "(a b c)"),
    ("(string-split \"a,b,,c\" \",\")", "(a b  c)"),
    ("(string-split \",a,b,\" \",\")", "(a b)"),
    ("(string-trim \"  hi  \")", "hi"),
    ("(string-trim \"xxhixx\" \"x\")", "xhix"),
    ("(string-trim \"xxhixx\" \"x\" #:repeat? #t)", "hi"),
    ("(list (string-contains? \"hello\" \"ell\") (string-prefix? \"hello\" \"he\") (string-suffix? \"hello\" \"lo\"))",
     "(#t #t #t)"),
    ("(string-replace \"aXbX\" \"X\" \"-\")", "a-b-"),
    ("(string-replace \"aXbX\" \"X\" \"-\" #:all? #f)", "a-bX"),
    ("(list (string-upcase \"ab\") (string-downcase \"AB\"))", "(AB ab)"),
    ("(list (string=? \"a\" \"a\") (string<? \"a\" \"b\") (string<? \"b\" \"a\"))", "(#t #t #f)"),
    ("(number->string 42)", "42"),
    ("(number->string 3.5)", "3.5"),
    ("(number->string 1/3)", "1/3"),
    ("(list (string->number \"42\") (string->number \"4.5\") (string->number \"1/2\") (string->number \"abc\")"
     " (string->number \" 1\") (string->number \"1_0\"))", "(42 4.5 1/2 #f #f #f)"),
    ("(list (symbol->string 'abc) (string->symbol \"x y\"))", "(abc x y)"),
    ("(format \"~a and ~s and ~v~n~%x~~\" \"s\" \"s\" 'sym)", "s and \"s\" and 'sym\n\nx~"),
    ("(format \"~a\" '(1 \"two\" #\\c))", "(1 two c)"),
    ("(format \"~s\" '(1 \"two\" #\\c))", "(1 \"two\" #\\c)"),
    ("(list (string? \"a\") (string? 'a) (non-empty-string? \"\") (non-empty-string? \"x\"))",
     "(#t #f #f #t)"),
    ("(~a 1 \"b\" 'c)", "1bc"),
    ("(~a \"x\" #:min-width 3 #:align 'right)", "  x"),
    ("(list->string (list #\\a #\\b))", "ab"),
    ("(string->list \"ab\")", "(a b)"),
]

NUMBERS = [
    ("(+ 1 2 3)", "6"), ("(+)", "0"), ("(- 10 1 2)", "7"), ("(- 5)", "-5"), ("(* 2 3 4)", "24"),
    ("(/ 1 2)", "1/2"), ("(/ 4 2)", "2"), ("(/ 1.0 4)", "0.25"), ("(/ 2)", "1/2"), ("(+ 1/2 1/2)", "1"),
    ("(+ 1/2 0.5)", "1.0"), ("(exact->inexact 1/4)", "0.25"), ("(inexact->exact 0.5)", "1/2"),
    ("(list (add1 1) (sub1 1))", "(2 0)"),
    ("(list (quotient 7 2) (remainder 7 2) (modulo 7 2) (quotient -7 2) (remainder -7 2) (modulo -7 2))",
     "(3 1 1 -3 -1 1)"),
    ("(list (abs -3) (min 1 2) (max 1 2) (max 1 2.0))", "(3 1 2 2.0)"),
    ("(list (floor 2.7) (ceiling 2.1) (round 2.5) (round 3.5) (truncate -2.7) (floor 5/2))",
     "(2.0 3.0 2.0 4.0 -2.0 2)"),
    ("(list (exact-round 2.6) (sqrt 16) (sqrt 2.25) (expt 2 10) (expt 2 -1) (expt 2.0 2))",
     "(3 4 1.5 1024 1/2 4.0)"),
    ("(list (= 1 1.0) (< 1 2 3) (< 1 3 2) (> 2 1) (<= 1 1) (>= 1 2))", "(#t #t #f #t #t #f)"),
    ("(list (zero? 0) (positive? -1) (negative? -1) (even? 2) (odd? 2))", "(#t #f #t #t #f)"),
    ("(list (number? 1) (number? \"1\") (integer? 2.0) (integer? 2.5) (real? 1/2) (number? #t))",
     "(#t #f #t #f #t #f)"),
    ("(list (exp 0) (log 1))", "(1 0)"),
    ("(let ([r (random 10)]) (and (>= r 0) (< r 10)))", "#t"),
    ("(exact->inexact 1/3)", "0.3333333333333333"),
    ("(* 1.0 1e21)", "1e+21"),
    ("(/ 1.0 0.0)", "+inf.0"),
]

EQUALITY_HASH_MISC = [
    ("(list (eq? 'a 'a) (eq? '() '()) (eqv? 1.0 1.0) (eqv? 1 1.0) (equal? \"a\" \"a\"))",
     "(#t #t #t #f #t)"),
    ("(equal? (list 1 (vector 2 \"x\") (hash 'a 1)) (list 1 (vector 2 \"x\") (hash 'a 1)))", "#t"),
    ("(equal? 1 1.0)", "#f"),
    ("(list (not #f) (not 0) (boolean? #f) (symbol? 'a) (procedure? car) (procedure? 'car))",
     "(#t #f #t #t #t #f)"),
    ("(list (void? (void)) (hash? (make-hash)))", "(#t #t)"),
    ("(define h (make-hash)) (hash-set! h \"a\" 1) (hash-set! h '(1 2) 'list-key)"
     " (list (hash-ref h \"a\") (hash-ref h (list 1 2)) (hash-ref h \"zz\" 0) (hash-ref h \"zz\" (lambda () 'thunk)))",
     "(1 list-key 0 thunk)"),
    ("(define h (make-hash '((a . 1)))) (hash-update! h 'a add1) (hash-update! h 'b add1 10)"
     " (hash-remove! h 'zz) (list (hash-ref h 'a) (hash-ref h 'b) (hash-count h) (hash-has-key? h 'a))",
     "(2 11 2 #t)"),
    ("(define h (hash 'a 1 'b 2)) (list (hash-keys h) (hash-values h) (hash->list h))",
     "((a b) (1 2) ((a . 1) (b . 2)))"),
    ("(hash-ref (hash-set (hash 'a 1) 'b 2) 'b)", "2"),
    ("(define h (make-hash)) (hash-set! h 1 'int) (hash-set! h #t 'bool) (hash-set! h 1.0 'float)"
     " (list (hash-ref h 1) (hash-ref h #t) (hash-ref h 1.0))", "(int bool float)"),
    ("(call-with-values (lambda () (values 1 2)) +)", "3"),
    ("(list (identity 5) (void))", "(5 #<void>)"),
    ("(let ([v (make-vector 3 0)]) (vector-set! v 0 9) (list v (vector-length v) (vector-ref v 0)"
     " (vector->list v) (list->vector '(1 2))))", "(#(9 0 0) 3 9 (9 0 0) #(1 2))"),
    ("(list (char->integer #\\a) (integer->char 98) #\\space)", "(97 b  )"),
    ("(with-handlers ([exn:fail? exn-message]) (error \"plain\" 5 \"s\"))", "plain 5 \"s\""),
    ("(with-handlers ([exn:fail? exn-message]) (error 'who))", "error: who"),
    ("(with-handlers ([exn:fail:contract? (lambda (e) 'contract)]) (car 5))", "contract"),
    ("(with-handlers ([exn:fail? (lambda (e) (exn-message e))]) (/ 1 0))", "/: division by zero"),
]


@pytest.mark.parametrize(("src", "expected"), LISTS + STRINGS + NUMBERS + EQUALITY_HASH_MISC)
def test_builtin(src: str, expected: str) -> None:
    assert value(src) == expected


def test_output_goes_to_services_stdout_in_order() -> None:
    svc = FakeServices()
    out = run('(display "a") (displayln (list 1 "b")) (printf "~a-~s~n" 1 "x") (newline) (write "q") 7',
              services=svc)
    assert svc.stdout.getvalue() == 'a(1 b)\n1-"x"\n\n"q"'
    assert out.display_text == "7"


def test_eprintf_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    svc = FakeServices()
    run('(eprintf "warn ~a\\n" 1)', services=svc)
    assert svc.stdout.getvalue() == ""
    assert "warn 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("(car 5)", "car: contract violation: expected pair?, given 5"),
        ("(+ 1 \"a\")", "+: contract violation: expected number?, given \"a\" as argument 2"),
        ("(+ 1 #t)", "expected number?"),
        ("(string-length 5)", "string-length: contract violation: expected string?"),
        ("(hash-ref (make-hash) \"x\")", "hash-ref: no value found for key \"x\""),
        ("(hash-set! (hash 'a 1) 'b 2)", "expected a mutable hash"),
        ("(list-ref '(1 2) 5)", "list-ref: index 5 is too large"),
        ("(vector-ref (vector 1) 3)", "index is out of range"),
        ("(/ 1 0)", "/: division by zero"),
        ("(length '(1 . 2))", "length: contract violation: expected list?"),
        ("(sort '(1 2) 5)", "sort: contract violation: expected procedure?"),
        ("(map car 5)", "map: contract violation: expected list?"),
        ("(string-append \"a\" 5)", "string-append: contract violation: expected string?, given 5 as argument 2"),
        ("(format \"~a ~a\" 1)", "format string requires more arguments"),
        ("(substring \"abc\" 2 9)", "substring: index is out of range"),
        ("(car)", "car: arity mismatch; expected 1 argument, given 0"),
        ("(cons 1 2 3)", "cons: arity mismatch; expected 2 arguments, given 3"),
        ("(sort '(1) < #:kye car)", "sort: unknown keyword #:kye; did you mean #:key?"),
        ("(error 'f \"bad ~a\" 5)", "f: bad 5"),
        ("(raise 'boom)", "uncaught exception: boom"),
        ("(5 3)", "application: not a procedure"),
        ("(\"f\" 3)", "given \"f\" (string)"),
    ],
)
def test_builtin_errors_name_procedure_and_argument(src: str, message: str) -> None:
    with pytest.raises(RecipeError) as info:
        run(src)
    assert message in info.value.message
    assert info.value.location == "test.recipe:1:1"
