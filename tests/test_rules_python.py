"""P rules and the embedded-Python analysis: parsing, position mapping, names, printing."""

from __future__ import annotations

from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.server.analysis.context import Analysis
from rule_helpers import fixed, found, lint, where


def analysis(text: str) -> Analysis:
    return Analysis(read(text), Config())


# -- python_code.py -----------------------------------------------------------------

def test_names_prints_and_expression_facts() -> None:
    text = ('(py-set! "xs" (list 1 2))\n'
            '(py-exec "import json as j\\nfrom os import path\\n'
            'def f(a, *rest, k=1, **kw):\\n    return [b for b in a]\\n'
            'try:\\n    pass\\nexcept ValueError as err:\\n    pass\\n'
            'with open(path.devnull) as fh:\\n    total = sum(xs)\\n'
            'print(j.dumps(total))")\n'
            '(py-eval "len(xs)")\n'
            '(py-eval "(n := 3)")\n')
    python = analysis(text).python
    exec_snippet, eval_snippet, walrus = python.snippets
    assert exec_snippet.error is None and exec_snippet.prints
    assert {"j", "path", "f", "a", "rest", "k", "kw", "b", "err", "fh", "total"} \
        <= exec_snippet.assigned
    assert not exec_snippet.single_expression
    assert eval_snippet.single_expression and not eval_snippet.prints
    assert [r.name for r in eval_snippet.reads] == ["len", "xs"]
    assert "n" in walrus.assigned
    assert set(python.py_set_names) == {"xs"}
    assert not python.names_unknowable
    assert {"xs", "context", "total", "len"} <= python.known_names


def test_positions_map_through_escapes() -> None:
    # \" and \u03bb and \n make decoded and raw indices differ
    text = '(py-exec "s = \\"\\u03bb\\"\\nprint(s + missing_name)")\n'
    python = analysis(text).python
    (snippet,) = python.snippets
    assert snippet.code == 's = "λ"\nprint(s + missing_name)'
    read = next(r for r in snippet.reads if r.name == "missing_name")
    assert text[read.start:read.end] == "missing_name"


def test_non_ascii_columns_in_ast_nodes() -> None:
    text = '(py-exec "label = \'λλλ\' + suffix_name")\n'
    (snippet,) = analysis(text).python.snippets
    read = next(r for r in snippet.reads if r.name == "suffix_name")
    assert text[read.start:read.end] == "suffix_name"


def test_string_append_of_literals_is_mapped_per_part() -> None:
    text = '(py-exec (string-append "a = 1\\n" "b = (2\\n"))\n'
    (snippet,) = analysis(text).python.snippets
    assert snippet.error is not None
    assert text[snippet.error.start:snippet.error.end] == "("


def test_computed_names_make_p006_unknowable() -> None:
    text = ('(define name (syntax-e (llm-query #:instruction "A name")))\n'
            "(py-set! name 1)\n"
            '(finish (py-exec "print(whatever)"))\n')
    assert analysis(text).python.names_unknowable
    assert found(text, "P006") == []


# -- P001 ---------------------------------------------------------------------------

def test_p001_range_after_escapes() -> None:
    text = '(define r (py-exec "msg = \\"\\u03bb\\"\\nif msg = 1:\\n    print(msg)"))\n(finish r)\n'
    (diag,) = found(text, "P001")
    assert text[diag.start:diag.end] == "msg = 1"
    assert where(text, diag) == ((0, 41), (0, 48))
    assert "line 2" in diag.message and "SyntaxError" in diag.message


def test_p001_indented_code_is_an_error_with_dedent_fix() -> None:
    text = ('(define out\n'
            '  (py-exec "\n'
            "    total = 1 + 2\n"
            "    print(total)\n"
            '  "))\n'
            "(finish out)\n")
    (diag,) = found(text, "P001")
    assert where(text, diag) == ((2, 0), (2, 4))
    assert "unexpected indent" in diag.message and "without dedenting" in diag.message
    assert diag.fix is not None and diag.fix.safe
    new = fixed(text, diag)
    assert "\ntotal = 1 + 2\nprint(total)\n" in new
    assert found(new, "P001") == []


def test_p001_py_eval_and_constant() -> None:
    text = ('(define expr "len(xs) +")\n'
            '(py-set! "xs" (list 1))\n'
            "(finish (py-eval expr))\n")
    (diag,) = found(text, "P001")
    assert text[diag.start:diag.end] == "+"
    assert diag.related and diag.related[0].message.startswith("the code")


def test_p001_clean() -> None:
    text = ('(py-set! "rows" (list "a,1" "b,2"))\n'
            '(py-exec "\nimport csv\nfor row in rows:\n    print(row.split(\',\')[0])\n")\n'
            '(define n (py-eval "\n(len(rows)\n + 1)\n"))\n'
            '(define bad (string-append "x = " (number->string n)))\n'
            "(py-exec bad)\n"
            "(finish n)\n")
    assert found(text, "P001") == []


# -- P002 ---------------------------------------------------------------------------

def test_p002_assignment_and_split_fix() -> None:
    text = '(define v (py-eval "x = 2"))\n(define w (py-eval "import math\\nmath.pi"))\n' \
        "(finish (list v w))\n"
    first, second = found(text, "P002")
    assert where(text, first) == ((0, 19), (0, 26))
    assert "an assignment" in first.message and "py-exec" in first.message
    assert first.fix is None
    assert "an import" in second.message
    new = fixed(text, second)
    assert '(begin (py-exec "import math") (py-eval "math.pi"))' in new
    assert len(found(new, "P002")) == 1


def test_p002_clean() -> None:
    text = ('(py-exec "import math")\n'
            '(define v (py-eval "[math.sqrt(i)\n   for i in range(3)]"))\n'
            "(finish v)\n")
    assert found(text, "P002") == []


# -- P003 ---------------------------------------------------------------------------

def test_p003_format_and_variable() -> None:
    text = ("(define n (string-length context))\n"
            '(define code (format "print(~a * 2)" n))\n'
            "(define a (py-exec code))\n"
            '(define b (py-eval (~a "len(" context ")")))\n'
            "(finish (list a b))\n")
    first, second = found(text, "P003")
    assert where(text, first) == ((2, 19), (2, 23))
    assert "`format`" in first.message and "py-set!" in first.message
    assert first.related and "built here" in first.related[0].message
    assert "`~a`" in second.message


def test_p003_clean() -> None:
    text = ('(define head "import json\\n")\n'
            '(py-exec (string-append head "print(json.dumps([1]))"))\n'
            '(py-exec (format "print(~a)" "1"))\n'
            '(py-set! "n" (string-length context))\n'
            '(finish (py-exec "print(n * 2)"))\n')
    assert found(text, "P003") == []


# -- P004 ---------------------------------------------------------------------------

def test_p004_argument_and_let_with_fix() -> None:
    text = ('(py-set! "xs" (list 3 1 2))\n'
            '(define s (string-trim (py-exec "sorted(xs)")))\n'
            '(let ([t (py-exec "y = 1")]) (displayln t))\n'
            "(finish s)\n")
    first, second = found(text, "P004")
    assert where(text, first) == ((1, 24), (1, 31))
    assert "passed to `string-trim`" in first.message
    assert "bound to `t`" in second.message and second.fix is None
    new = fixed(text, first)
    assert '(py-exec "print(sorted(xs))")' in new
    assert len(found(new, "P004")) == 1


def test_p004_clean() -> None:
    text = ('(py-exec "import json\\nstate = {}")\n'
            '(define a (py-exec "import sys\\nsys.stdout.write(str(len(state)))"))\n'
            '(define b (py-exec "import pprint\\npprint.pprint(state)"))\n'
            '(define c (py-exec "for k in state:\\n    print(k)"))\n'
            "(finish (list a b c))\n")
    assert found(text, "P004") == []


# -- P005 ---------------------------------------------------------------------------

def test_p005_bad_names() -> None:
    text = ('(py-set! "2nd" 1)\n(py-set! "None" 2)\n(py-set! "λ" 3)\n(py-set! "a b" 4)\n'
            '(finish (py-eval "1"))\n')
    digit, keyword, greek, space = found(text, "P005")
    assert where(text, digit) == ((0, 9), (0, 14))
    assert "starts with a digit" in digit.message and "'_2nd'" in digit.message
    assert "keyword" in keyword.message
    assert "ASCII" in greek.message
    assert "' '" in space.message
    assert '(py-set! "a_b" 4)' in fixed(text, space)


def test_p005_clean() -> None:
    text = ('(py-set! "user_query" context)\n(py-set! "_private2" 1)\n(py-set! "match" 2)\n'
            '(finish (py-exec "print(user_query, _private2, match)"))\n')
    assert found(text, "P005") == []


# -- P006 ---------------------------------------------------------------------------

def test_p006_typo_with_suggestion() -> None:
    text = ('(py-set! "documents" (list "a"))\n'
            '(py-exec "count = len(documents)")\n'
            '(finish (py-exec "print(count, len(documnets), helper(1))"))\n')
    typo, helper = found(text, "P006")
    assert text[typo.start:typo.end] == "documnets"
    assert where(text, typo) == ((2, 35), (2, 44))
    assert "did you mean `documents`" in typo.message
    assert "`helper`" in helper.message
    new = fixed(text, typo)
    assert "len(documents)" in new
    assert len(found(new, "P006")) == 1


def test_p006_shortens_a_long_name() -> None:
    text = f'(finish (py-eval "{"x" * 5000}"))\n'
    diag, = found(text, "P006")
    assert len(diag.message) < 300 and "xxx…`" in diag.message


def test_p006_clean() -> None:
    text = ('(py-set! "rows" (list 1 2))\n'
            '(py-exec "import math\\nclass Acc:\\n    pass\\n'
            'def norm(v):\\n    return math.sqrt(sum(x * x for x in v))")\n'
            '(define out (py-exec "print(norm(rows), Acc, len(context), __name__, [y for y in rows])"))\n'
            '(define last (py-eval "rows[-1].real"))\n'
            "(finish (list out last))\n")
    assert found(text, "P006") == []


def test_realistic_python_recipe_is_clean() -> None:
    text = ('(py-set! "raw" context)\n'
            '(py-set! "threshold" 10)\n'
            '(py-exec "\n'
            "import json\n"
            "records = json.loads(raw)\n"
            "big = [r for r in records if r['amount'] > threshold]\n"
            '")\n'
            '(define count (py-eval "len(big)"))\n'
            "(define report\n"
            '  (py-exec "\n'
            "total = sum(r['amount'] for r in big)\n"
            "print(f'{len(big)} records over {threshold}, total {total:.2f}')\n"
            '"))\n'
            '(finish (format "~a records; ~a" count report))\n')
    codes = [d.code for d in lint(text).diagnostics if d.code[0] in "TJPFX"]
    assert codes == []


def test_p003_constant_spliced_into_python_string() -> None:
    text = ('(define name "world")\n'
            "(py-exec (string-append \"greeting = 'hello \" name \"'\"))\n"
            '(finish (py-eval "greeting"))\n')
    (diag,) = found(text, "P003")
    assert where(text, diag) == ((1, 9), (1, 54))


def test_p006_still_reported_next_to_a_broken_snippet() -> None:
    text = ('(py-exec "for x in range(3)\\n    print(x)")\n'
            '(finish (py-eval "undefined_thing + 1"))\n')
    assert [d.code for d in lint(text).diagnostics if d.code.startswith("P")] == ["P001", "P006"]
