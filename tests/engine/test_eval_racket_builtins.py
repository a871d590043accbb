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
