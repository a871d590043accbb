"""T rules: literal types, ranges, wrapped LLM text, syntax-e, async fan-outs, await."""

from __future__ import annotations

from rule_helpers import fixed, found, where


def test_t001_keyword_literals() -> None:
    text = ('(define r (llm-query #:instruction "Classify." #:data context\n'
            '                      #:json "yes" #:max-tokens 1.5 #:temperature "0.2"))\n'
            "(finish (syntax-e r))\n")
    diags = found(text, "T001")
    assert len(diags) == 3
    json, tokens, temp = diags
    assert "`#:json`" in json.message and "boolean" in json.message
    assert where(text, json) == ((1, 29), (1, 34))
    assert "exact integer" in tokens.message and "1.5" in tokens.message
    assert tokens.fix is None
    assert "`0.2`" in temp.message
    assert temp.fix is not None and not temp.fix.safe
    new = fixed(text, temp)
    assert "#:temperature 0.2)" in new
    assert len(found(new, "T001")) == 2


def test_t001_follows_constants_and_positional() -> None:
    text = ('(define temp "0.7")\n'
            '(define r (llm-query #:instruction "Go." #:temperature temp #:max-tokens 10))\n'
            '(finish (string-append "n = " 5 (syntax-e r)))\n')
    diags = found(text, "T001")
    assert [where(text, d)[0] for d in diags] == [(1, 55), (2, 30)]
    assert "the value of `temp`" in diags[0].message
    assert "`string-append`" in diags[1].message and "integer `5`" in diags[1].message


def test_t001_items_of_a_range_or_a_literal_list() -> None:
    # the run stops at the first item: "#:data expects a string, given 0"
    text = ('(define outs (map-async (lambda (i) (llm-query-async #:instruction "Say it."\n'
            '                                                  #:data i))\n'
            '                        (range 3)))\n'
            "(define (tag t) (llm-query #:instruction t #:max-tokens 5))\n"
            "(define tags (map tag '(alpha beta)))\n"
            '(define lines (for/list ([n (in-list (list 1 2 3))]) (string-append "line " n)))\n'
            "(finish (list outs tags lines))\n")
    diags = found(text, "T001")
    assert [where(text, d)[0] for d in diags] == [(1, 57), (3, 41), (5, 76)]
    data, instruction, positional = diags
    assert "not `i`: each item of `(range 3)` is an integer" in data.message
    assert data.fix is not None and not data.fix.safe
    assert "#:data (number->string i))" in fixed(text, data)
    assert "a symbol" in instruction.message and "(symbol->string t)" in instruction.message
    assert "`string-append`" in positional.message and "`(list 1 2 3)`" in positional.message


def test_t001_items_it_cannot_tell_or_that_fit() -> None:
    text = ('(define (summarise d) (llm-query-async #:instruction "Sum." #:data d))\n'
            '(define a (map-async summarise (list "x" "y")))\n'
            # the accumulator of fold-sequential is not an item
            '(define b (fold-sequential (lambda (acc d) (string-append acc d)) "" (list "p" "q")))\n'
            "(define c (fold-sequential (lambda (acc d) (string-append acc d)) \"\" '(1 2)))\n"
            # called some other way too: what it gets is not known
            '(define (ask n) (llm-query #:instruction "N." #:data n))\n'
            "(define d (map ask (range 2)))\n"
            '(define e (ask "3"))\n'
            "(define f (map (lambda (k) (llm-query #:instruction k)) (list 1 \"two\")))\n"
            "(finish (list a b c d e f))\n")
    diags = found(text, "T001")
    assert len(diags) == 1 and "`d`: each item of `'(1 2)` is an integer" in diags[0].message


def test_t001_clean() -> None:
    text = ('(define r (llm-query #:instruction "Go." #:temperature 0 #:max-tokens 10\n'
            '                      #:json #f #:model "gpt-4o-mini" #:image #f))\n'
            '(define xs (map-async (lambda (x) (llm-query-async #:instruction x)) (list "a")\n'
            "                      #:max-concurrent #f))\n"
            "(vote (list (lambda () 1)) #:method 'consensus)\n"
            '(finish (string-append (syntax-e r) (substring "abc" 0 2)))\n')
    assert found(text, "T001") == []


def test_t002_ranges() -> None:
    text = ("(define n 0)\n"
            '(define rs (map-async (lambda (d) (llm-query-async #:instruction "S" #:data d\n'
            "                                                   #:max-tokens 0))\n"
            '                      (list "a") #:max-concurrent n))\n'
            "(define v (vote (list (lambda () 1)) #:method 'majorty))\n"
            "(finish (take rs -1))\n")
    diags = found(text, "T002")
    assert len(diags) == 4
    tokens, window, method, take = diags
    assert "`#:max-tokens`" in tokens.message and "at least 1" in tokens.message
    assert where(text, tokens) == ((2, 64), (2, 65))
    assert "(the value of `n`)" in window.message and "#f" in window.message
    assert "'majority" in method.message and method.fix is not None
    assert "(vote (list (lambda () 1)) #:method 'majority)" in fixed(text, method)
    assert "non-negative" in take.message


def test_t002_clean() -> None:
    text = ('(define r (llm-query #:instruction "Go." #:temperature 2 #:max-tokens 1))\n'
            "(define t (recursive-spawn 'summarise #:depth 3))\n"
            "(finish (syntax-e r))\n")
    assert found(text, "T002") == []


def test_t003_sinks_and_fix() -> None:
    text = ('(define s (llm-query #:instruction "Name a colour." #:max-tokens 5))\n'
            '(define (ask q) (llm-query #:instruction q #:max-tokens 5))\n'
            '(py-set! "colour" s)\n'
            '(define n (string-length (ask "Name a fruit.")))\n'
            "(finish s)\n")
    diags = found(text, "T003")
    assert len(diags) == 3
    assert where(text, diags[0]) == ((2, 18), (2, 19))
    assert "`py-set!`" in diags[0].message and "(syntax-e s)" in diags[0].message
    assert "`ask` returns LLM text" in diags[1].message
    assert diags[2].fix is not None and diags[2].fix.safe
    new = fixed(text, diags[2])
    assert new.endswith("(finish (syntax-e s))\n")
    assert len(found(new, "T003")) == 2


def test_t003_list_of_syntax_in_string_join() -> None:
    text = ('(define rs (map (lambda (d) (llm-query #:instruction "S" #:data d)) (list "a" "b")))\n'
            '(finish (string-join rs "\\n"))\n')
    (diag,) = found(text, "T003")
    assert "(map syntax-e" in diag.message
    assert "(string-join (map syntax-e rs)" in fixed(text, diag)


def test_t003_reply_of_a_recursive_spawn_procedure() -> None:
    # the procedure recursive-spawn returns answers with an llm-query's reply: a syntax object
    text = ('(define solver (recursive-spawn "Solve it." #:depth 1))\n'
            '(define sub (solver "2+2?"))\n'
            '(finish (string-append "answer: " sub))\n')
    (diag,) = found(text, "T003")
    assert where(text, diag) == ((2, 34), (2, 37))
    assert found(fixed(text, diag), "T003") == []


def test_t003_through_try_or_cond_and_if() -> None:
    # each value is LLM text still wrapped where its LLM branch is taken (the run fails in
    # string-append there); try's value is its body's, as with-handlers'
    text = ('(define a (try (llm-query #:instruction "hi" #:max-tokens 5) on-error (lambda (m) m)))\n'
            '(define d (or (restore "k") (llm-query #:instruction "hi" #:max-tokens 5)))\n'
            '(define e (cond [(string? context) (llm-query #:instruction "hi" #:max-tokens 5)]\n'
            '                [else "n"]))\n'
            '(define f (if (string? context) "s" (llm-query #:instruction "hi" #:max-tokens 5)))\n'
            '(finish (string-append a d e f))\n')
    found_names = [d.message.split("`")[1] for d in found(text, "T003")]
    assert found_names == ["a", "d", "e", "f"]
    assert found("(define d (or (restore \"k\") \"fresh\"))\n(finish (string-append d))\n",
                 "T003") == []


def test_t003_clean() -> None:
    text = ('(define s (llm-query #:instruction "Name a colour." #:max-tokens 5))\n'
            '(define h (llm-query-async #:instruction "Name a fruit." #:max-tokens 5))\n'
            '(py-set! "colour" (syntax-e s))\n'
            "(define both (string-append (syntax-e s) \" \" (syntax-e (await h))))\n"
            "(displayln s)\n"
            "(finish both)\n")
    assert found(text, "T003") == []


def test_t004_redundant() -> None:
    text = ('(define code (unsafe-raw-query #:instruction "Write Python." #:max-tokens 100))\n'
            '(define hs (list (llm-query-async #:instruction "A" #:max-tokens 5)))\n'
            "(define all (await-all hs))\n"
            '(finish (string-append (syntax-e code) (syntax-e "!") (car (syntax-e all))))\n')
    diags = found(text, "T004")
    assert len(diags) == 3
    assert where(text, diags[0]) == ((3, 23), (3, 38))
    assert "`code` already holds a string" in diags[0].message
    assert "list of plain strings" in diags[2].message
    assert all(d.fix is not None and d.fix.safe for d in diags)
    new = fixed(text, diags[1])
    assert '(syntax-e code) "!" (car' in new


def test_t004_clean() -> None:
    text = ('(define r (llm-query #:instruction "Hi" #:max-tokens 5))\n'
            '(define h (llm-query-async #:instruction "Hi" #:max-tokens 5))\n'
            "(define (f x) (syntax-e x))\n"
            "(finish (string-append (syntax-e r) (syntax-e (await h)) (f context)))\n")
    assert found(text, "T004") == []


def test_t005_named_function_and_fix() -> None:
    text = ("(define (tag item)\n"
            '  (llm-query #:instruction "Tag it." #:data item #:max-tokens 10))\n'
            '(define tags (map-async tag (list "a" "b")))\n'
            "(finish (string-join tags \",\"))\n")
    (diag,) = found(text, "T005")
    assert where(text, diag) == ((1, 3), (1, 12))
    assert "`map-async`" in diag.message and "llm-query-async" in diag.message
    assert diag.related and "map-async" in diag.related[0].message
    new = fixed(text, diag)
    assert "(llm-query-async #:instruction" in new
    assert found(new, "T005") == []


def test_t005_race_thunks_and_syntax_e_unwrap() -> None:
    text = ('(define w (race (list (lambda () (syntax-e (llm-query #:instruction "A")))\n'
            '                      (lambda () (llm-query-async #:instruction "B")))))\n'
            "(finish w)\n")
    (diag,) = found(text, "T005")
    new = fixed(text, diag)
    assert '(lambda () (llm-query-async #:instruction "A"))' in new
    assert found(new, "T005") == []


def test_t005_clean() -> None:
    text = ("(define (tag item)\n"
            '  (llm-query-async #:instruction "Tag it." #:data item #:max-tokens 10))\n'
            '(define tags (map-async tag (list "a" "b")))\n'
            '(define seq (map (lambda (x) (syntax-e (llm-query #:instruction x))) (list "a")))\n'
            '(define par (parallel (list (lambda () (llm-query #:instruction "c")))))\n'
            "(finish (string-join tags \",\"))\n")
    assert found(text, "T005") == []


def test_t006_cases() -> None:
    text = ('(define h (llm-query-async #:instruction "A" #:max-tokens 5))\n'
            '(define hs (list h))\n'
            '(define done (map-async (lambda (x) (llm-query-async #:instruction x)) (list "a")))\n'
            "(define a (await-all h))\n"
            "(define b (await hs))\n"
            "(define c (await-all done))\n"
            "(finish (list a b c))\n")
    diags = found(text, "T006")
    assert len(diags) == 3
    assert where(text, diags[0]) == ((3, 21), (3, 22))
    assert "single async handle" in diags[0].message
    assert "use `await-all`" in diags[1].message
    assert "map-async" in diags[2].message


def test_t006_fix_sync_call() -> None:
    text = ('(define d (llm-query #:instruction "Draft." #:max-tokens 50))\n'
            "(finish (syntax-e (await d)))\n")
    (diag,) = found(text, "T006")
    assert diag.fix is not None and diag.fix.safe
    new = fixed(text, diag)
    assert "(llm-query-async #:instruction" in new
    assert found(new, "T006") == []


def test_t006_clean() -> None:
    text = ('(define h (llm-query-async #:instruction "A"))\n'
            "(define (start x) (llm-query-async #:instruction x))\n"
            '(define hs (map start (list "a" "b")))\n'
            "(define-values (first-text rest) (await-any hs))\n"
            "(finish (list (syntax-e (await h)) (await-all hs) (await-all (list h))))\n")
    assert found(text, "T006") == []


def test_t004_element_of_string_list() -> None:
    text = ('(define hs (list (llm-query-async #:instruction "A" #:max-tokens 5)))\n'
            "(finish (syntax-e (car (await-all hs))))\n")
    (diag,) = found(text, "T004")
    assert "`car` already returns a plain string" in diag.message
    assert fixed(text, diag).endswith("(finish (car (await-all hs)))\n")


def test_t003_format_family() -> None:
    # format/printf/~a refuse a syntax object at run time, though the catalogue types their
    # arguments as "any"; the format string itself is typed string already
    text = ('(define r (llm-query #:instruction "Answer yes or no." #:data "x" #:max-tokens 5))\n'
            '(printf "~a~n" r)\n'
            '(display (~a "x" r))\n'
            '(finish (format "Answer: ~a" (syntax-e r) r))\n')
    diags = found(text, "T003")
    assert [where(text, d)[0] for d in diags] == [(1, 15), (2, 17), (3, 42)]
    assert "`printf`" in diags[0].message and "`format`" in diags[2].message
    assert len(found(fixed(text, diags[2]), "T003")) == 2


def test_t003_through_cond_or_and_list_elements() -> None:
    text = ('(define r (llm-query #:instruction "Hi" #:max-tokens 5))\n'
            "(define a (cond [(> 1 0) r] [else r]))\n"
            '(define d (or r "fallback"))\n'
            '(define e (and #t r))\n'
            '(define hs (list (llm-query-async #:instruction "Hi" #:max-tokens 5)))\n'
            "(define t (first (await-all-syntax hs)))\n"
            '(displayln (string-append a d e t))\n'
            "(finish (syntax-e r))\n")
    diags = found(text, "T003")
    assert [text[d.start:d.end] for d in diags] == ["a", "d", "e", "t"]


def test_t003_finish_and_py_set_look_inside_lists_built_in_place() -> None:
    text = ('(define r (llm-query #:instruction "Hi" #:max-tokens 5))\n'
            '(define hs (list (llm-query-async #:instruction "Hi" #:max-tokens 5)))\n'
            '(py-set! "v" (list 1 (vector r)))\n'
            "(finish (list (await-all-syntax hs) r))\n")
    diags = found(text, "T003")
    assert [text[d.start:d.end] for d in diags] == ["r", "(await-all-syntax hs)", "r"]
    assert "inside `vector`" in diags[0].message and "`py-set!`" in diags[0].message
    assert "(map syntax-e" in diags[1].message
    new = fixed(text, diags[2])
    assert new.endswith("(finish (list (await-all-syntax hs) (syntax-e r)))\n")


def test_t003_clean_cond_or_and_lists() -> None:
    text = ('(define r (llm-query #:instruction "Hi" #:max-tokens 5))\n'
            '(define a (cond [(> 1 0) (syntax-e r)] [else "none"]))\n'
            '(define d (or #f "fallback"))\n'
            '(displayln (string-append a d))\n'
            '(finish (list a (map syntax-e (list r))))\n')
    assert found(text, "T003") == []


def test_t005_a_helper_making_the_synchronous_call() -> None:
    text = ('(define (tag x) (llm-query #:instruction "Tag." #:data x #:max-tokens 5))\n'
            '(define items (list "a" "b" "c"))\n'
            "(define rs (map-async (lambda (x) (syntax-e (tag x))) items))\n"
            "(define agg (fan-out-aggregate (lambda (x) (syntax-e (tag x))) (lambda (xs) xs)"
            " items))\n"
            "(finish (list rs agg))\n")
    diags = found(text, "T005")
    assert [text[d.start:d.end] for d in diags] == ["tag", "tag"]
    assert "`map-async`" in diags[0].message and "`fan-out-aggregate`" in diags[1].message
