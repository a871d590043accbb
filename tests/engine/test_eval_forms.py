"""Special forms (LANGUAGE.md §3), tail calls and deep recursion."""

from __future__ import annotations

import pytest
from recipe.runtime.engine.errors import RecipeError

from .fakes import run, value


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        # define / lambda with optional, keyword and rest parameters
        ("(define (f x [y 1] #:k [k 2] . rest) (list x y k rest)) (f 1)", "(1 1 2 ())"),
        ("(define (f x [y 1] #:k [k 2] . rest) (list x y k rest)) (f 1 2 3 4 #:k 9)", "(1 2 9 (3 4))"),
        ("(define (f #:name n) n) (f #:name \"ok\")", "ok"),
        ("(define (f a [b (* a 10)]) b) (f 3)", "30"),
        ("(define f (lambda args args)) (f 1 2)", "(1 2)"),
        ("((λ (x) (* x x)) 7)", "49"),
        ("(define x 5) x", "5"),
        ("(define ((adder n) m) (+ n m)) ((adder 2) 3)", "5"),
        # define-values, let family
        ("(define-values (a b) (values 1 2)) (list a b)", "(1 2)"),
        ("(let ([x 1] [y 2]) (+ x y))", "3"),
        ("(let* ([x 1] [y (+ x 1)]) (list x y))", "(1 2)"),
        ("(let* ([x 1] [x (+ x 1)]) x)", "2"),
        ("(letrec ([ev? (lambda (n) (if (= n 0) #t (od? (- n 1))))]"
         " [od? (lambda (n) (if (= n 0) #f (ev? (- n 1))))]) (list (ev? 10) (ev? 7)))", "(#t #f)"),
        ("(let loop ([i 0] [acc '()]) (if (= i 3) (reverse acc) (loop (+ i 1) (cons i acc))))", "(0 1 2)"),
        ("(let-values ([(a b) (values 1 2)] [(c) (values 3)]) (list a b c))", "(1 2 3)"),
        ("(let*-values ([(a b) (values 1 2)] [(c) (values (+ a b))]) c)", "3"),
        ("(define (g) (define a 1) (define (h) (+ a 1)) (h)) (g)", "2"),
        # conditionals
        ("(if #f 1 2)", "2"),
        ("(if '() 1 2)", "1"),
        ("(if 0 'yes 'no)", "yes"),
        ("(cond [(= 1 2) 'a] [(= 1 1) 'b] [else 'c])", "b"),
        ("(cond [#f 1] [else 2])", "2"),
        ("(cond [(assoc 2 (list (cons 1 \"a\") (cons 2 \"b\"))) => cdr] [else 0])", "b"),
        ("(cond [(+ 1 2)])", "3"),
        ("(case 3 [(1 2) 'low] [(3 4) 'mid] [else 'high])", "mid"),
        ("(case 'x [(a) 1] [else 'other])", "other"),
        ("(case \"s\" [(\"s\") 'str] [else 'no])", "str"),
        ("(when (> 2 1) 'a 'b)", "b"),
        ("(when #f 'a)", ""),
        ("(unless #f 'u)", "u"),
        ("(and 1 2 3)", "3"),
        ("(and 1 #f 3)", "#f"),
        ("(and)", "#t"),
        ("(or #f 2)", "2"),
        ("(or)", "#f"),
        ("(begin 1 2 3)", "3"),
        ("(begin (define z 4) (* z 2))", "8"),
        ("(when #t (define w 3) (* w w))", "9"),
        # quote, quasiquote
        ("'(a b . c)", "(a b . c)"),
        ("(quote (1 \"two\" #t 3.5))", "(1 two #t 3.5)"),
        ("'#(1 2)", "#(1 2)"),
        ("`(1 ,(+ 1 1) ,@(list 3 4) 5)", "(1 2 3 4 5)"),
        ("(let ([x 'y]) `(a (b ,x) . ,x))", "(a (b y) . y)"),
        ("`(1 `(2 ,(3 ,(+ 1 3))))", "(1 `(2 ,(3 4)))"),
        ("(quote (quote x))", "'x"),
        # set!
        ("(define x 1) (set! x 5) x", "5"),
        ("(define (counter) (let ([n 0]) (lambda () (set! n (+ n 1)) n)))"
         " (define c (counter)) (c) (c) (c)", "3"),
        # with-handlers, try
        ("(with-handlers ([exn:fail? exn-message]) (error 'f \"bad ~a\" 5))", "f: bad 5"),
        ("(with-handlers ([string? (lambda (s) (string-append \"got \" s))]) (raise \"x\"))", "got x"),
        ("(with-handlers ([exn:fail? (lambda (e) 'outer)])"
         " (with-handlers ([string? (lambda (s) 'inner)]) (car 1)))", "outer"),
        ("(with-handlers ([(lambda (e) #t) (lambda (e) (exn-message e))]) (vector-ref (vector) 0))",
         "vector-ref: index is out of range; index 0, valid range [0, -1]"),
        ("(try (car 5) on-error (lambda (m) (string-append \"caught: \" m)))",
         "caught: car: contract violation: expected pair?, given 5 as argument 1"),
        ("(try 42 on-error (lambda (m) 0))", "42"),
        ("(try (error \"boom\") on-error string-length)", "4"),
    ],
)
def test_special_forms(src: str, expected: str) -> None:
    assert value(src) == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("(for/list ([i (in-range 5)] #:when (odd? i)) (* i i))", "(1 9)"),
        ("(for/list ([i (in-range 5)] #:unless (odd? i)) i)", "(0 2 4)"),
        ("(for/list ([x '(a b c)] [i (in-naturals)]) (list i x))", "((0 a) (1 b) (2 c))"),
        ("(for/list ([c (in-string \"ab\")]) (char->integer c))", "(97 98)"),
        ("(for/list ([x (list 1 2)] [y (vector 10 20 30)]) (+ x y))", "(11 22)"),
        ("(for/list ([i 3]) i)", "(0 1 2)"),
        ("(for/list ([c \"hi\"]) c)", "(h i)"),
        ("(for/fold ([s 0]) ([i (in-list '(1 2 3))]) (+ s i))", "6"),
        ("(let-values ([(s p) (for/fold ([s 0] [p 1]) ([i (in-range 1 5)]) (values (+ s i) (* p i)))])"
         " (list s p))", "(10 24)"),
        ("(for/fold ([acc '()] #:result (reverse acc)) ([x '(1 2 3)]) (cons x acc))", "(1 2 3)"),
        ("(for*/list ([i 3] [j (in-range i)]) (list i j))", "((1 0) (2 0) (2 1))"),
        ("(for/sum ([x (list 1 2 3)]) x)", "6"),
        ("(for/first ([x (list 1 2 3)] #:when (> x 1)) x)", "2"),
        ("(for/first ([x '()]) x)", "#f"),
        ("(for/and ([x (list 1 2 3)]) (> x 0))", "#t"),
        ("(for/and ([x (list 1 -2 3)]) (> x 0))", "#f"),
        ("(for/or ([x (list 1 2 3)]) (and (> x 1) x))", "2"),
        ("(define h (make-hash)) (hash-set! h 'a 1) (hash-set! h 'b 2)"
         " (for/list ([(k v) (in-hash h)]) (list k v))", "((a 1) (b 2))"),
        ("(define out '()) (for ([x '(1 2 3)]) (set! out (cons x out))) out", "(3 2 1)"),
        ("(for/list ([i 10] #:break (= i 3)) i)", "(0 1 2)"),
        ("(map (lambda (f) (f)) (for/list ([i 3]) (lambda () i)))", "(0 1 2)"),
        ("(for/list ([i (in-range 0 1 0.25)]) i)", "(0 0.25 0.5 0.75)"),
    ],
)
def test_for_loops(src: str, expected: str) -> None:
    assert value(src) == expected


def test_tail_calls_run_in_constant_stack() -> None:
    src = "(let loop ([i 0] [acc 0]) (if (= i 1000000) acc (loop (+ i 1) (+ acc i))))"
    assert value(src) == str(sum(range(1_000_000)))


def test_mutual_tail_recursion_and_tail_positions() -> None:
    src = """
    (define (ev? n) (if (= n 0) #t (od? (- n 1))))
    (define (od? n) (cond [(= n 0) #f] [else (ev? (- n 1))]))
    (define (spin n) (when (> n 0) (and #t (or #f (let ([m (- n 1)]) (spin m))))))
    (spin 300000)
    (ev? 1000000)
    """
    assert value(src) == "#t"


def test_deep_non_tail_recursion_is_a_clean_error() -> None:
    src = "(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))\n(count 10000000)"
    with pytest.raises(RecipeError) as info:
        run(src)
    assert info.value.kind == "recursion"
    assert "recursion too deep" in info.value.message


def test_moderately_deep_non_tail_recursion_works() -> None:
    src = "(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))\n(count 20000)"
    assert value(src) == "20000"


def test_deep_recursion_can_be_caught() -> None:
    src = """(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))
    (try (count 10000000) on-error (lambda (m) "caught"))"""
    assert value(src) == "caught"


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("(if 1)", "if: bad syntax"),
        ("(let ([x]) x)", "let: bad binding"),
        ("(define)", "define: bad syntax"),
        ("(lambda (x x) x)", "duplicate parameter"),
        ("()", "missing procedure expression"),
        ("(define llm-query 5)", "cannot redefine `llm-query`"),
        ("(define context 5)", "cannot redefine `context`"),
        ("(set! map-async 5)", "cannot modify `map-async`"),
        ("(set! token-budget 5)", "cannot modify `token-budget`"),
        ("(set! undefined-thing 5)", "assignment disallowed"),
        ("(parameterize ([other 5]) 1)", "only token-budget"),
        ("(try 1 2)", "try: bad syntax"),
        ("(for/list ([x]) x)", "bad clause"),
        (",x", "unquote: not in quasiquote"),
    ],
)
def test_bad_syntax_and_protected_names(src: str, message: str) -> None:
    with pytest.raises(RecipeError) as info:
        run(src)
    assert message in info.value.message
    assert info.value.location is not None and info.value.location.startswith("test.recipe:1:")


def test_local_shadowing_of_special_and_protected_names_is_allowed() -> None:
    assert value("(define (f context) (string-append context \"!\")) (f \"hi\")") == "hi!"
    assert value("(let ([list (lambda args 'mine)]) (list 1 2))") == "mine"
    assert value("(define (first x) 'user-first) (first '(1 2))") == "user-first"


def test_redefined_builtin_is_not_inlined() -> None:
    assert value("(define (+ a b) (* a b)) (+ 3 4)") == "12"
    assert value("(define n 0) (define (car x) (set! n (add1 n)) 'c) (car '(1)) (car '(2)) n") == "2"


def test_use_before_definition() -> None:
    with pytest.raises(RecipeError) as info:
        run("(define (f) later)\n(f)\n(define later 1)")
    assert "cannot reference an identifier before its definition" in info.value.message
    assert info.value.location == "test.recipe:1:13"
