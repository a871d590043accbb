"""False positives and negatives found by probing the rules with realistic recipes."""

from __future__ import annotations

from rule_helpers import fixed, found, lint, where

# -- C002: thunks built per item are not calls made per item ------------------------

def test_c002_map_building_thunks_is_not_a_sequential_map() -> None:
    text = ('(define (perspective role)\n'
            '  (lambda ()\n'
            '    (syntax-e (llm-query #:instruction role #:data context #:max-tokens 50))))\n'
            '(define reviews (ensemble (map perspective (list "a" "b" "c"))))\n'
            '(finish reviews)\n')
    assert found(text, "C002") == []


def test_c002_for_list_building_thunks_is_not_a_sequential_loop() -> None:
    text = ('(define thunks\n'
            '  (for/list ([m (in-list (list "gpt-4.1-nano" "gpt-4o-mini"))])\n'
            '    (lambda () (syntax-e (llm-query #:instruction "A" #:data context #:model m\n'
            '                                    #:max-tokens 5)))))\n'
            '(finish (vote thunks))\n')
    assert found(text, "C002") == []


def test_c002_still_reports_a_call_made_per_item() -> None:
    text = ('(define (label x)\n'
            '  (syntax-e (llm-query #:instruction "Label." #:data x #:max-tokens 5)))\n'
            '(define labels (map (lambda (x) (list x (label x))) (string-split context)))\n'
            '(finish labels)\n')
    (diag,) = found(text, "C002")
    assert where(text, diag)[0] == (2, 16)


# -- F002: a top-level begin splices its forms ---------------------------------------

def test_f002_finish_inside_top_level_begin() -> None:
    text = '(define x 1)\n(begin (finish x) (display "never"))\n(define y 2)\n'
    (diag,) = found(text, "F002")
    assert where(text, diag) == ((1, 18), (2, 12))
    assert "these 2 forms never run" in diag.message


def test_f002_begin_ending_with_finish_is_clean() -> None:
    assert found('(define x 1)\n(begin (display x) (finish x))\n', "F002") == []


# -- T004: (map syntax-e strings) --------------------------------------------------

def test_t004_map_syntax_e_over_map_async_results() -> None:
    text = ('(define outs (map-async (lambda (x) (llm-query-async #:instruction "A" #:data x\n'
            '                                                     #:max-tokens 5))\n'
            '                        (string-split context)))\n'
            '(finish (string-join (map syntax-e outs) ","))\n')
    (diag,) = found(text, "T004")
    assert where(text, diag) == ((3, 21), (3, 40))
    new = fixed(text, diag)
    assert new.endswith('(finish (string-join outs ","))\n')


def test_t004_map_syntax_e_over_syntax_objects_is_clean() -> None:
    text = ('(define rs (await-all-syntax (list (llm-query-async #:instruction "A"\n'
            '                                                    #:max-tokens 5))))\n'
            '(finish (string-join (map syntax-e rs) ","))\n')
    assert found(text, "T004") == []


# -- T003: checkpoint and lists given to string-join --------------------------------

def test_t003_checkpoint_of_llm_text() -> None:
    text = ('(define r (llm-query #:instruction "A" #:data context #:max-tokens 5))\n'
            '(checkpoint "answer" r)\n'
            '(finish (syntax-e r))\n')
    (diag,) = found(text, "T003")
    assert where(text, diag) == ((1, 21), (1, 22))
    assert "checkpoint" in diag.message


def test_t003_llm_text_inside_list_given_to_string_join() -> None:
    text = ('(define r (llm-query #:instruction "A" #:data context #:max-tokens 5))\n'
            '(finish (string-join (list "a" r) " "))\n')
    (diag,) = found(text, "T003")
    assert where(text, diag) == ((1, 31), (1, 32))
    assert found('(finish (string-join (list "a" (syntax-e (llm-query #:instruction "A" '
                 '#:max-tokens 5))) " "))\n', "T003") == []


# -- T001: symbols where the runtime takes a string or a symbol ---------------------

def test_t001_symbol_names_and_keys_are_accepted() -> None:
    text = ("(py-set! 'rows (list 1 2))\n"
            '(define n (py-eval "len(rows)"))\n'
            "(checkpoint 'phase1 n)\n"
            "(define saved (or (restore 'phase1) 0))\n"
            "(finish-var 'n)\n")
    assert found(text, "T001") == []
    assert found(text, "N008") == [d for d in found(text, "N008") if "saved" in d.message]
    assert len(found("(py-set! 42 context)\n(finish 1)\n", "T001")) == 1


# -- N008: functions used only by themselves ----------------------------------------

def test_n008_function_used_only_recursively() -> None:
    text = ('(define (count-down n) (if (zero? n) 0 (count-down (sub1 n))))\n'
            '(finish "done")\n')
    (diag,) = found(text, "N008")
    assert "count-down" in diag.message and "only by itself" in diag.message


def test_n008_recursive_function_used_elsewhere_is_clean() -> None:
    text = ('(define (count-down n) (if (zero? n) 0 (count-down (sub1 n))))\n'
            '(finish (count-down 3))\n')
    assert found(text, "N008") == []
    text = ('(define total (letrec ([f (lambda (n) (if (zero? n) 0 (f (sub1 n))))]) (f 3)))\n'
            '(finish total)\n')
    assert found(text, "N008") == []


def test_do_loops_and_every_for_form_resolve() -> None:
    # `recipe run` runs all of these (Racket's `do`, for/count, for*/hash…); the lint took
    # `do` for a call of an unbound name and its loop variables for unbound identifiers
    text = ("(define total (do ([i 0 (add1 i)] [acc 0 (+ acc i)]) ((= i 4) acc)))\n"
            "(define n (for/count ([i (list 1 2 3)]) (odd? i)))\n"
            "(define h (for*/hash ([k (list \"a\")] [j (in-range 2)]) (values k j)))\n"
            "(define ok (for*/and ([i (list 1 2)]) (> i 0)))\n"
            "(finish (list total n h ok))\n")
    assert lint(text).diagnostics == []
    unused = "(define x (do ([i 0 (add1 i)] [spare 1]) ((= i 2) i)))\n(finish x)\n"
    (diag,) = found(unused, "N008")
    assert "`spare`" in diag.message


def test_n001_a_call_before_the_definition_runs() -> None:
    # `recipe run`: "later: undefined; cannot reference an identifier before its definition"
    text = ("(define m (later 1))\n"
            "(define (later n) n)\n"
            "(define (ok) (later2 2))\n"  # (in a function body: runs when called)
            "(define (later2 n) n)\n"
            "(define v (ok))\n"
            "(define w (map (lambda (x) (later3 x)) (list 1)))\n"
            "(define (later3 n) n)\n"
            "(finish (list m v w))\n")
    (diag,) = found(text, "N001")
    assert where(text, diag) == ((0, 11), (0, 16))
    assert "`later` is called before its definition (at 2:1)" in diag.message
    # defined twice: the first definition is there when the call runs
    assert found("(define (f) 1)\n(define a (f))\n(define (f) 2)\n(finish a)\n", "N001") == []


def test_no_name_is_suggested_for_a_one_character_name() -> None:
    # every other one-character name is as near: `i` → `*` was offered, and applied by
    # --unsafe-fixes
    (diag,) = found("(define (f) (+ i 1))\n(finish (f))\n", "N001")
    assert "did you mean" not in diag.message and diag.fix is None


def test_n002_required_keyword_left_out() -> None:
    # `recipe run`: "h: required keyword argument #:req not supplied"
    text = ("(define (h x #:req r #:opt [o 1]) (list x r o))\n"
            "(define a (h 1 #:req 2))\n"
            "(define b (h 1 #:opt 3))\n"
            "(finish (list a b))\n")
    (diag,) = found(text, "N002")
    assert where(text, diag) == ((2, 10), (2, 23)) and "needs `#:req`" in diag.message


def test_n002_dotted_arguments_are_reported_at_the_dot() -> None:
    # `recipe run` refuses `(f 1 . 2)` ("illegal use of `.`"); the lint counted the dot as a
    # third argument of a two-argument function, or said nothing for a variadic one
    text = ("(define (f a b) (+ a b))\n"
            "(define x (f 1 . 2))\n"
            "(define y (+ 1 . 2))\n"
            "(finish (list x y))\n")
    first, second = found(text, "N002")
    assert where(text, first) == ((1, 15), (1, 16)) and "illegal use of `.`" in first.message
    assert where(text, second) == ((2, 15), (2, 16)) and "(apply + … list)" in second.message
    fine = ("(define (f . xs) (length xs))\n"
            "(define g (lambda (a . rest) rest))\n"
            "(define pairs '((a . 1) (b . 2)))\n"
            "(define h `(x . ,(f 1 2)))\n"
            "(finish (list (f 1 2) (g 1 2) pairs h (apply f 1 (list 2 3))))\n")
    assert found(fine, "N002") == []


def test_n008_finish_var_exempts_top_level_names_only() -> None:
    # finish-var reads a top-level variable (the runtime looks among the globals): a local
    # `answer` it names is still never used
    text = ('(define answer "top")\n'
            "(define (run)\n"
            '  (define answer "42")\n'
            '  (displayln "ran"))\n'
            "(run)\n"
            '(finish-var "answer")\n')
    (diag,) = found(text, "N008")
    assert where(text, diag) == ((2, 10), (2, 16))


# -- X003: (map py-exec replies) ----------------------------------------------------

def test_x003_map_py_exec_over_llm_replies() -> None:
    text = ('(define snippets (map-async (lambda (d) (llm-query-async #:instruction "Code"\n'
            '                                                         #:data d #:max-tokens 9))\n'
            '                            (string-split context)))\n'
            '(finish (string-join (map py-exec snippets) "\\n"))\n')
    (diag,) = found(text, "X003")
    assert where(text, diag) == ((3, 34), (3, 42))
    assert "py-exec" in diag.message


def test_x003_map_py_exec_over_validated_or_plain_data_is_clean() -> None:
    text = ('(define snippets (map-async (lambda (d) (llm-query-async #:instruction "Code"\n'
            '                                                         #:data d #:max-tokens 9))\n'
            '                            (string-split context)))\n'
            '(define (safe? s) (not (string-contains? s "import")))\n'
            '(finish (string-join (map py-exec (filter safe? snippets)) "\\n"))\n')
    assert found(text, "X003") == []
    assert found('(finish (map py-exec (list "print(1)" "print(2)")))\n', "X003") == []


# -- C003: the synthesis call inside a helper ---------------------------------------

def test_c003_cheap_synthesis_in_a_helper_given_fan_out_results() -> None:
    text = ('(define (combine texts)\n'
            '  (syntax-e (llm-query #:instruction "Combine." #:data (string-join texts "\\n")\n'
            '                       #:model "gpt-4.1-nano" #:max-tokens 800)))\n'
            '(define parts (map-async (lambda (x) (llm-query-async #:instruction "S." #:data x\n'
            '                                                      #:model "gpt-4.1-nano"\n'
            '                                                      #:max-tokens 100))\n'
            '                         (string-split context)))\n'
            '(finish (combine parts))\n')
    (diag,) = found(text, "C003")
    assert where(text, diag) == ((2, 31), (2, 45))
    assert "map-async" in diag.message


def test_c003_helper_given_plain_text_is_clean() -> None:
    text = ('(define (combine texts)\n'
            '  (syntax-e (llm-query #:instruction "Combine." #:data (string-join texts "\\n")\n'
            '                       #:model "gpt-4.1-nano" #:max-tokens 800)))\n'
            '(finish (combine (string-split context)))\n')
    assert found(text, "C003") == []


# -- C004: one of several thunks runs once: its cost is per call, not "for 1 calls" ------------------------------------------

def test_c004_distinct_parallel_thunks_message() -> None:
    text = ('(define hs (parallel (list (lambda () (llm-query-async #:instruction "A."))\n'
            '                           (lambda () (llm-query-async #:instruction "B.")))))\n'
            '(finish (string-join (await-all hs) "\\n"))\n')
    diags = found(text, "C004")
    assert len(diags) == 2
    for diag in diags:
        assert "1 calls" not in diag.message
        assert "per call" in diag.message


# -- N001: for/fold's #:result sees the accumulators -------------------------------

def test_n001_for_fold_result_clause_sees_the_accumulators() -> None:
    text = ('(define xs (list 1 2))\n'
            '(define r (for/fold ([n 0] [c 0] #:result (list n c)) ([x xs])\n'
            '            (values (add1 n) c)))\n'
            '(finish r)\n')
    assert found(text, "N001") == [] and found(text, "N008") == []
    assert len(found(text.replace("(list n c)", "(list n d)"), "N001")) == 1


# -- T005: through a closure factory -------------------------------------------------

def test_t005_sync_call_in_a_lambda_a_helper_returns() -> None:
    text = ('(define (ask m)\n'
            '  (lambda () (syntax-e (llm-query #:instruction "A." #:data context #:model m\n'
            '                                  #:max-tokens 10))))\n'
            '(finish (race (list (ask "gpt-4.1-nano") (ask "gpt-4o-mini"))))\n')
    (diag,) = found(text, "T005")
    assert where(text, diag)[0] == (1, 24)


# -- P006: suggests Python identifiers only -----------------------------------------

def test_p006_does_not_suggest_a_name_that_is_not_an_identifier() -> None:
    text = '(py-set! "user-name" "bob")\n(py-exec "print(user_name)")\n(finish 1)\n'
    (diag,) = found(text, "P006")
    assert "did you mean" not in diag.message


# -- N003: apply hands its keyword arguments on -------------------------------------

def test_n003_apply_passes_keywords_on() -> None:
    text = '(define (f x #:k [k 1]) (list x k))\n(finish (apply f (list 5) #:k 2))\n'
    assert found(text, "N003") == []
