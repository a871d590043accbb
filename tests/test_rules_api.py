"""J rules: API constraints on LLM calls (JSON mode, temperature, models, limits)."""

from __future__ import annotations

from recipe.runtime.lang.config import Config, apply_settings
from rule_helpers import fixed, found, where


def test_j001_missing_and_constant_instruction() -> None:
    text = ('(define prompt "Extract the date.")\n'
            "(define a (llm-query #:instruction prompt #:json #t #:max-tokens 50))\n"
            "(define b (llm-query-async #:data context #:json #t))\n"
            "(finish (list (syntax-e a) (syntax-e (await b))))\n")
    first, second = found(text, "J001")
    assert where(text, first) == ((1, 42), (1, 51))
    assert "json" in first.message and first.fix is None
    assert "has no `#:instruction`" in second.message


def test_j001_fix_appends_json_request() -> None:
    text = ('(define a (llm-query #:instruction "Extract the date" #:json #t))\n'
            "(finish (syntax-e a))\n")
    (diag,) = found(text, "J001")
    assert diag.fix is not None and not diag.fix.safe
    new = fixed(text, diag)
    assert '"Extract the date. Reply with a JSON object."' in new
    assert found(new, "J001") == []


def test_j001_clean() -> None:
    text = ('(define fmt "Return JSON.")\n'
            '(define a (llm-query #:instruction (string-append "Extract. " fmt) #:json #t))\n'
            '(define b (llm-query #:instruction (format "Use json for ~a" context) #:json #t))\n'
            "(define c (llm-query #:instruction (syntax-e a) #:json #t))\n"
            '(define d (llm-query #:instruction "Extract." #:json #f))\n'
            "(finish (list (syntax-e b) (syntax-e c) (syntax-e d)))\n")
    assert found(text, "J001") == []


def test_j002_positive_temperature() -> None:
    text = ("(define hot 0.7)\n"
            '(define a (llm-query #:instruction "JSON please" #:json #t #:temperature hot))\n'
            '(define b (llm-query #:instruction "JSON please" #:json #t #:temperature 1))\n'
            "(finish (list (syntax-e a) (syntax-e b)))\n")
    first, second = found(text, "J002")
    assert where(text, first) == ((1, 59), (1, 76))
    assert "0.7" in first.message and first.fix is None
    assert "#:temperature 0)" in fixed(text, second)


def test_j002_leaves_a_model_that_takes_no_temperature_to_j003() -> None:
    # its fix (#:temperature 0) left J003's error: only removing the keyword fixes both
    text = ('(define r (llm-query #:instruction "Reply in JSON." #:json #t #:model "o3"'
            ' #:temperature 0.5 #:max-tokens 50))\n(finish (syntax-e r))\n')
    assert found(text, "J002") == []
    (j003,) = found(text, "J003")
    assert "#:temperature" not in fixed(text, j003)


def test_j002_clean() -> None:
    text = ('(define a (llm-query #:instruction "JSON please" #:json #t #:temperature 0))\n'
            '(define b (llm-query #:instruction "Write a poem" #:temperature 1.1))\n'
            "(finish (list (syntax-e a) (syntax-e b)))\n")
    assert found(text, "J002") == []


def test_j003_fix_removes_keyword_and_whitespace() -> None:
    text = ('(define plan (llm-query #:instruction "Plan." #:model "o1"\n'
            "                        #:temperature 0.3))\n"
            "(finish (syntax-e plan))\n")
    (diag,) = found(text, "J003")
    assert where(text, diag) == ((1, 24), (1, 41))
    assert "`o1`" in diag.message and diag.fix is not None and diag.fix.safe
    new = fixed(text, diag)
    assert '#:model "o1"))\n' in new
    assert found(new, "J003") == []


def test_j003_default_model_from_configuration() -> None:
    config = apply_settings(Config(), {"default-model": "o3-mini"}, "test")
    text = '(finish (syntax-e (llm-query #:instruction "Go." #:temperature 0)))\n'
    (diag,) = found(text, "J003", config)
    assert "configured default" in diag.message


def test_j003_clean() -> None:
    text = ('(define a (llm-query #:instruction "Plan." #:model "o3-mini"))\n'
            '(define b (llm-query #:instruction "Plan." #:model "gpt-4o" #:temperature 0.3))\n'
            "(define (ask m) (llm-query #:instruction \"Plan.\" #:model m #:temperature 0.3))\n"
            "(finish (list (syntax-e a) (syntax-e b) (syntax-e (ask \"gpt-5\"))))\n")
    assert found(text, "J003") == []


def test_j004_typo_in_constant_reported_once() -> None:
    text = ('(define cheap "gpt-4.1-nanoo")\n'
            '(define a (llm-query #:instruction "A" #:model cheap))\n'
            '(define b (llm-query #:instruction "B" #:model cheap))\n'
            '(define c (llm-query #:instruction "C" #:model "totally-made-up-model"))\n'
            "(finish (list (syntax-e a) (syntax-e b) (syntax-e c)))\n")
    typo, unknown = found(text, "J004")
    assert where(text, typo) == ((0, 14), (0, 29))
    assert "did you mean `gpt-4.1-nano`" in typo.message
    assert '(define cheap "gpt-4.1-nano")' in fixed(text, typo)
    assert unknown.fix is None and "tool.recipe.models" in unknown.message


def test_j004_clean_with_configured_model() -> None:
    config = apply_settings(Config(), {"models": {"my-local": {"input": 0.1, "output": 0.1}}},
                            "test")
    text = ('(define a (llm-query #:instruction "A" #:model "my-local"))\n'
            '(define b (llm-query #:instruction "B" #:model "curie"))\n'
            "(finish (list (syntax-e a) (syntax-e b)))\n")
    assert found(text, "J004", config) == []


def test_j005_retired() -> None:
    text = ('(define a (llm-query #:instruction "A" #:model "code-davinci-002"))\n'
            "(finish (syntax-e a))\n")
    (diag,) = found(text, "J005")
    assert where(text, diag) == ((0, 47), (0, 65))
    assert "retired" in diag.message
    assert diag.fix is not None and not diag.fix.safe
    new = fixed(text, diag)
    assert found(new, "J005") == [] and found(new, "J004") == []


def test_j005_clean() -> None:
    text = ('(define a (llm-query #:instruction "A" #:model "gpt-4.1-mini"))\n'
            "(finish (syntax-e a))\n")
    assert found(text, "J005") == []


def test_j006_recursive_async() -> None:
    text = ("(define flag #t)\n"
            '(define h (llm-query-async #:instruction "A" #:recursive flag))\n'
            "(finish (syntax-e (await h)))\n")
    (diag,) = found(text, "J006")
    assert where(text, diag) == ((1, 45), (1, 61))
    assert "llm-query" in diag.message
    new = fixed(text, diag)
    assert '(llm-query-async #:instruction "A"))' in new
    assert found(new, "J006") == []


def test_j006_clean() -> None:
    text = ('(define a (llm-query #:instruction "A" #:recursive #t))\n'
            '(define h (llm-query-async #:instruction "A" #:recursive #f))\n'
            "(finish (list (syntax-e a) (syntax-e (await h))))\n")
    assert found(text, "J006") == []


def test_j007_over_limit() -> None:
    text = ('(define a (llm-query #:instruction "A" #:model "gpt-3.5-turbo" #:max-tokens 8000))\n'
            '(define b (llm-query #:instruction "B" #:max-tokens 40000))\n'
            "(finish (list (syntax-e a) (syntax-e b)))\n")
    first, second = found(text, "J007")
    assert where(text, first) == ((0, 76), (0, 80))
    assert "4096 tokens" in first.message
    assert "configured default" in second.message and "32,768" in second.message
    new = fixed(text, first)
    assert "#:max-tokens 4096" in new
    assert len(found(new, "J007")) == 1


def test_j007_clean() -> None:
    text = ('(define a (llm-query #:instruction "A" #:model "gpt-5-mini" #:max-tokens 100000))\n'
            '(define b (llm-query #:instruction "B" #:model (syntax-e a) #:max-tokens 999999))\n'
            "(finish (list (syntax-e a) (syntax-e b)))\n")
    assert found(text, "J007") == []
