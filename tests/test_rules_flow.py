"""F rules (flow) and X rules (security)."""

from __future__ import annotations

from rule_helpers import fixed, found, lint, where

# -- F001 ---------------------------------------------------------------------------

def test_f001_reports_last_form_first_line_with_fix() -> None:
    text = ('(define a (syntax-e (llm-query #:instruction "Hi" #:max-tokens 5)))\n'
            "(string-append a\n"
            '               "!")\n')
    (diag,) = found(text, "F001")
    assert where(text, diag) == ((1, 0), (1, 16))
    assert "finish" in diag.message
    assert diag.fix is not None and not diag.fix.safe
    new = fixed(text, diag)
    assert new.endswith('(finish (string-append a\n               "!"))\n')
    assert found(new, "F001") == []


def test_f001_clean() -> None:
    assert found("", "F001") == []
    assert found("; only a comment\n", "F001") == []
    text = ('(define (fail msg) (finish-error msg))\n'
            '(if (string=? context "") (fail "no input") (finish context))\n')
    assert found(text, "F001") == []
    assert found('(define result "x")\n(finish-var "result")\n', "F001") == []


# -- F002 ---------------------------------------------------------------------------

def test_f002_spans_all_dead_forms() -> None:
    text = ('(finish-error "stop")\n(define x 1)\n(displayln x)\n')
    (diag,) = found(text, "F002")
    assert where(text, diag) == ((1, 0), (2, 13))
    assert "these 2 forms never run" in diag.message
    assert diag.related and diag.related[0].message == "the run ends here"


def test_f002_clean() -> None:
    text = ('(when (string=? context "") (finish "empty"))\n'
            "(define n (string-length context))\n"
            "(finish n)\n"
            "; trailing comment\n")
    assert found(text, "F002") == []


# -- F003 ---------------------------------------------------------------------------

def test_f003_unused_binding_and_discarded_call() -> None:
    text = ('(define pending (llm-query-async #:instruction "A" #:max-tokens 5))\n'
            "(define (go)\n"
            '  (llm-query-async #:instruction "B" #:max-tokens 5)\n'
            '  "started")\n'
            '(for ([d (list "x")]) (llm-query-async #:instruction d))\n'
            "(finish (go))\n")
    unused, discarded, loop = found(text, "F003")
    assert where(text, unused) == ((0, 8), (0, 15))
    assert "`pending`" in unused.message and "never used" in unused.message
    assert where(text, discarded) == ((2, 3), (2, 18))
    assert "discarded" in discarded.message
    assert where(text, loop) == ((4, 23), (4, 38))


def test_f003_clean() -> None:
    text = ('(define h (llm-query-async #:instruction "A" #:max-tokens 5))\n'
            "(define (start d) (llm-query-async #:instruction d))\n"
            '(define hs (for/list ([d (list "x" "y")]) (start d)))\n'
            "(define (last-one) (displayln \"go\") (llm-query-async #:instruction \"C\"))\n"
            "(define rs (map-async (lambda (d) (llm-query-async #:instruction d)) (list \"z\")))\n"
            "(finish (list (syntax-e (await h)) (await-all hs) rs (await (last-one))))\n")
    assert found(text, "F003") == []


def test_f003_finish_var_exempts_top_level_names_only() -> None:
    # finish-var looks the name up among the top-level variables: a local one of that name
    # is not what it finishes with
    text = ('(define h (llm-query-async #:instruction "A" #:max-tokens 5))\n'
            "(define (go)\n"
            '  (define h (llm-query-async #:instruction "B" #:max-tokens 5))\n'
            '  "started")\n'
            "(go)\n"
            '(finish-var "h")\n')
    (diag,) = found(text, "F003")
    assert where(text, diag) == ((2, 10), (2, 11))


# -- F004 ---------------------------------------------------------------------------

def test_f004_direct_argument_and_binding() -> None:
    text = ('(define counts (restore "counts"))\n'
            "(define total (hash-ref counts 'total))\n"
            '(finish (string-append (restore "name") (number->string total)))\n')
    bound, direct = found(text, "F004")
    assert where(text, bound) == ((0, 15), (0, 33))
    assert "`counts`" in bound.message
    assert bound.related and bound.related[0].message == "`counts` used here"
    assert where(text, direct) == ((2, 23), (2, 39))
    assert "`string-append`" in direct.message


def test_f004_clean() -> None:
    text = ('(define a (or (restore "a") "default"))\n'
            '(define b (restore "b"))\n'
            '(define c (restore "c"))\n'
            '(define d (restore "d"))\n'
            '(define out (cond [d (hash-ref d \'x)] [else 0]))\n'
            '(unless c (checkpoint "c" 1))\n'
            '(finish (list a (if b b "none") (if (restore "e") 1 2) out))\n')
    assert found(text, "F004") == []


# -- F005 ---------------------------------------------------------------------------

def test_f005_undefined_with_suggestion() -> None:
    text = ('(define summary-text (syntax-e (llm-query #:instruction "S" #:max-tokens 9)))\n'
            '(when (string=? summary-text "") (finish-var "summary_text"))\n'
            "(finish-var 'nothing-like-it)\n")
    near, far = found(text, "F005")
    assert where(text, near) == ((1, 45), (1, 59))
    assert "did you mean `summary-text`" in near.message
    assert '(finish-var "summary-text")' in fixed(text, near)
    assert far.fix is None


def test_f005_clean() -> None:
    text = ("(define (f) (let ([inner 1]) inner))\n"
            '(define result (f))\n(finish-var "result")\n(finish-var "context")\n')
    assert found(text, "F005") == []


def test_realistic_flow_recipes_are_clean() -> None:
    text = ('(define sections (string-split context "\\n\\n"))\n'
            "(define (summarise s)\n"
            '  (llm-query-async #:instruction "Summarise." #:data s #:max-tokens 100))\n'
            "(define summaries (map-async summarise sections #:max-concurrent 10))\n"
            "(define combined\n"
            '  (or (restore "combined")\n'
            '      (checkpoint "combined"\n'
            '                  (syntax-e (llm-query #:instruction "Combine."\n'
            '                                       #:data (string-join summaries "\\n")\n'
            "                                       #:max-tokens 400)))))\n"
            "(finish combined)\n")
    codes = [d.code for d in lint(text).diagnostics if d.code[0] in "TJPFX"]
    assert codes == []


# -- X001 ---------------------------------------------------------------------------

def test_x001_every_unsafe_primitive() -> None:
    text = ('(define code (unsafe-raw-query #:instruction "Write a recipe." #:max-tokens 99))\n'
            "(unsafe-overwrite 'finish display)\n"
            "(define run unsafe-exec-sub-output)\n"
            "(finish (run code))\n")
    raw, overwrite, exec_ref = found(text, "X001")
    assert where(text, raw) == ((0, 14), (0, 30))
    assert "syntax-object guard" in raw.message
    # (unsafe-raw-query runs on a default run, LANGUAGE.md §7; the other three do not)
    assert "disabled unless" not in raw.message
    assert "protected name" in overwrite.message and "disabled unless" in overwrite.message
    assert where(text, exec_ref) == ((2, 12), (2, 34))


def test_x001_fix_for_unsafe_interpolate() -> None:
    text = '(finish (unsafe-interpolate (llm-query #:instruction "Hi" #:max-tokens 5)))\n'
    (diag,) = found(text, "X001")
    assert diag.fix is not None and diag.fix.safe
    new = fixed(text, diag)
    assert new.startswith("(finish (syntax-e (llm-query")
    assert found(new, "X001") == []


def test_x001_clean() -> None:
    text = ("(define (unsafe-looking x) x)\n"
            '(finish (unsafe-looking "unsafe-raw-query"))\n')
    assert found(text, "X001") == []


# -- X002 ---------------------------------------------------------------------------

def test_x002_redacts_the_key() -> None:
    key = "sk-" + "A1b2C3d4E5f6G7h8I9j0K1l2"
    text = f'(define headers (list "Authorization: Bearer {key}"))\n(finish headers)\n'
    (diag,) = found(text, "X002")
    assert text[diag.start:diag.end] == key
    assert "`sk-A1…`" in diag.message
    assert key not in diag.message and key[:10] not in diag.message


def test_x002_project_key_prefix() -> None:
    key = "sk-proj-" + "Zq9xT4mW7pLk2RvB8nHc3"
    (diag,) = found(f'(finish "{key}")\n', "X002")
    assert "`sk-proj-Zq…`" in diag.message


def test_x002_clean() -> None:
    text = ('(define placeholder "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxx")\n'
            '(define lib "use sk-learn for this task-specific-classifier-thing")\n'
            '(define short "sk-abc123")\n'
            "(finish (list placeholder lib short))\n")
    assert found(text, "X002") == []


# -- X003 ---------------------------------------------------------------------------

def test_x003_sources_through_variables_and_builders() -> None:
    text = ('(define h (llm-query-async #:instruction "Write Python." #:max-tokens 200))\n'
            "(define code (string-append \"import math\\n\" (syntax-e (await h))))\n"
            "(define a (py-exec code))\n"
            '(define gen (unsafe-raw-query #:instruction "Write a recipe." #:max-tokens 200))\n'
            "(finish (list a (unsafe-exec-sub-output gen)))\n")
    first, second = found(text, "X003")
    assert where(text, first) == ((2, 19), (2, 23))
    assert "`await`" in first.message and "`py-exec`" in first.message
    assert first.related and first.related[0].message == "the LLM output comes from here"
    assert "`unsafe-raw-query`" in second.message and "`unsafe-exec-sub-output`" in second.message


def test_x003_user_function_passing_text_through() -> None:
    text = ("(define (strip-fences s) (string-trim s \"```\"))\n"
            '(define reply (llm-query #:instruction "Write Python." #:max-tokens 200))\n'
            "(finish (py-eval (strip-fences (syntax-e reply))))\n")
    (diag,) = found(text, "X003")
    assert "`llm-query`" in diag.message


def test_x003_clean_with_validation() -> None:
    text = ('(define reply (syntax-e (llm-query #:instruction "Python expr." #:max-tokens 50)))\n'
            "(define (sanitize-expr s) (if (string-contains? s \"import\") \"0\" s))\n"
            "(define checked (sanitize-expr reply))\n"
            "(define a (py-eval checked))\n"
            "(define other (syntax-e (llm-query #:instruction \"Code.\" #:max-tokens 50)))\n"
            "(verify-code! other)\n"
            "(define b (py-exec other))\n"
            "(define third (syntax-e (llm-query #:instruction \"Code.\" #:max-tokens 50)))\n"
            "(define c (cond [(safe-code? third) (py-exec third)] [else \"\"]))\n"
            "(define (verify-code! s) s)\n"
            "(define (safe-code? s) #t)\n"
            '(py-set! "answer" reply)\n'
            '(finish (list a b c (py-exec "print(len(answer))")))\n')
    assert found(text, "X003") == []


def test_f004_string_predicate_is_not_a_check() -> None:
    text = ('(define notes (restore "notes"))\n'
            '(finish (if (string-contains? notes "x") "yes" "no"))\n')
    (diag,) = found(text, "F004")
    assert "`notes`" in diag.message
