"""The C rules (cost and latency) beyond their docstring examples: messages with names,
models, prices and counts; fixes applied and re-linted; clean realistic recipes."""

from __future__ import annotations

import pytest
from recipe.runtime.lang.config import Config, apply_settings
from recipe.runtime.lang.reader import read
from recipe.runtime.lang.tokens import chat_prompt_tokens
from recipe.server.analysis.diagnostics import Diagnostic, apply_edits
from recipe.server.analysis.lint import lint_text


def lint(text: str, code: str, config: Config | None = None,
         context_tokens: int | None = None) -> list[Diagnostic]:
    result = lint_text(text, config or Config(), "t.recipe", select=[code],
                       context_tokens=context_tokens)
    assert not result.internal_errors, result.internal_errors
    return [d for d in result.diagnostics if d.code == code]


def one(text: str, code: str, config: Config | None = None) -> Diagnostic:
    found = lint(text, code, config)
    assert len(found) == 1, found
    return found[0]


def fixed(text: str, diag: Diagnostic) -> str:
    """Apply the diagnostic's fix; the result must still read without errors."""
    assert diag.fix is not None
    new_text, applied = apply_edits(text, list(diag.fix.edits))
    assert applied == len(diag.fix.edits)
    assert not read(new_text).errors, new_text
    return new_text


def span(text: str, diag: Diagnostic) -> str:
    return text[diag.start:diag.end]


def config_with(**settings: object) -> Config:
    config = Config()
    for key, value in settings.items():
        setattr(config, key, value)
    return config


FIFTY = "'(" + " ".join(f'"paper {i}"' for i in range(50)) + ")"

# -- clean, realistic recipes: no C diagnostic at all ---------------------------------------
ACE2 = r'''
;; The seed's ACE2 pattern, with py-exec for the statements and py-eval for the value.
(py-exec "
import json
papers = [p.get('content', '')[:15000] for p in json.loads(context)]
")
(define papers (py-eval "papers[:50]"))

(define analyses
  (map-async
    (lambda (paper)
      (llm-query-async
        #:instruction "Find all mentions of ACE2 protein. Return JSON: [{mention, context, page}]"
        #:data paper
        #:model "gpt-4.1-nano"
        #:json #t
        #:temperature 0.0
        #:max-tokens 500))
    papers
    #:max-concurrent 10))

(py-set! "all_analyses" analyses)
(define combined-json (py-exec "
import json
all_mentions = []
for i, analysis_str in enumerate(all_analyses):
    for mention in json.loads(analysis_str):
        mention['paper_id'] = i + 1
        all_mentions.append(mention)
print(json.dumps(all_mentions, indent=2))
"))

(define synthesis (syntax-e (llm-query
  #:instruction "Synthesize ACE2 protein findings across 50 papers: functions, novel findings, gaps."
  #:data combined-json
  #:model "gpt-4"
  #:temperature 0.3
  #:max-tokens 800)))

(finish (string-append "=== RAW MENTIONS ===\n" combined-json "\n\n=== SYNTHESIS ===\n" synthesis))
'''

TREE_REDUCE = r'''
(define chunks (py-eval "[context[i:i + 4000] for i in range(0, len(context), 4000)][:64]"))

(define notes
  (map-async (lambda (chunk)
               (llm-query-async #:instruction "List the key facts of this excerpt."
                                #:data chunk #:model "gpt-4.1-nano" #:max-tokens 300))
             chunks))

(define summary
  (tree-reduce (lambda parts
                 (syntax-e (llm-query #:instruction "Merge these notes into one summary."
                                      #:data (string-join parts "\n")
                                      #:model "gpt-4.1" #:max-tokens 600)))
               notes
               #:branch-factor 4))

(finish summary)
'''

CRITIQUE_REFINE = r'''
(define (draft)
  (syntax-e (llm-query #:instruction "Write a product description for the item below."
                       #:data context #:model "gpt-4.1-mini" #:max-tokens 400)))

(define (critique text)
  (syntax-e (llm-query #:instruction "Critique this description; say approved if it is ready."
                       #:data text #:model "gpt-4.1-nano" #:max-tokens 200)))

(define (refine text feedback)
  (syntax-e (llm-query #:instruction (string-append "Revise the description. Feedback:\n" feedback)
                       #:data text #:model "gpt-4.1-mini" #:max-tokens 400)))

(finish (critique-refine draft critique refine #:max-iter 3 #:quality-threshold 0.8))
'''

VOTE = r'''
(define question "Is this contract clause enforceable? Answer yes or no.")

(define (ask model)
  (lambda ()
    (string-downcase (string-trim (syntax-e (llm-query #:instruction question #:data context
                                                       #:model model #:max-tokens 3))))))

(finish (vote (list (ask "gpt-4.1") (ask "gpt-4o") (ask "claude-3.5-sonnet"))
              #:method 'majority))
'''


@pytest.mark.parametrize("text", [ACE2, TREE_REDUCE, CRITIQUE_REFINE, VOTE],
                         ids=["ace2", "tree-reduce", "critique-refine", "vote"])
def test_clean_recipes_have_no_cost_diagnostics(text: str) -> None:
    config = config_with(max_cost=5.0)
    result = lint_text(text, config, "t.recipe", select=["C"], context_tokens=4000)
    assert not result.internal_errors, result.internal_errors
    assert result.diagnostics == []


# -- C001 -----------------------------------------------------------------------------------
# 50 items whose size is not known (literal strings are priced by their own length)
NUMBERED = "(range 50)"


def seed_fan_out(model_kw: str, items: str = FIFTY, combinator: str = "map-async") -> str:
    return (f"(define papers {items})\n"
            f"(define analyses ({combinator}\n"
            "  (lambda (paper)\n"
            "    (llm-query-async #:instruction \"Find ACE2 mentions.\" #:data paper"
            f"{model_kw} #:max-tokens 500))\n"
            "  papers))\n"
            "(finish (string-join analyses \"\\n\"))\n")


def test_c001_message_ratio_and_fix() -> None:
    text = seed_fan_out(' #:model "gpt-4"', NUMBERED)
    diag = one(text, "C001")
    assert span(text, diag) == '"gpt-4"'
    assert diag.message.startswith(
        "gpt-4 costs 300× gpt-4.1-nano per input token; 50 items ≈ $")
    assert "(at 1,000 input tokens per item)" in diag.message
    assert diag.related and diag.related[0].message == \
        "the map-async fan-out over 50 items starts here"
    assert text[diag.related[0].start:diag.related[0].end] == "map-async"
    assert diag.fix is not None and not diag.fix.safe
    new = fixed(text, diag)
    assert '#:model "gpt-4.1-nano"' in new
    assert lint(new, "C001") == []


def test_c001_with_a_free_local_model_as_the_cheap_one() -> None:
    # the README's own set-up (a local model at $0): the warning went silent
    config = apply_settings(Config(), {
        "cheap-model": "local-free", "models": {"local-free": {"input": 0.0, "output": 0.0}}},
        "test")
    text = seed_fan_out(' #:model "gpt-4"', NUMBERED)
    diag = one(text, "C001", config)
    assert diag.message.startswith("gpt-4 is paid per token where local-free is free; 50 items")
    assert '#:model "local-free"' in fixed(text, diag)


def test_c001_figures_with_known_input() -> None:
    # 50 × (1,000 in + 500 out): gpt-4 $0.06 each → $3.00; nano $0.0003 each → $0.015
    text = seed_fan_out(' #:model "gpt-4"', NUMBERED)
    floor = chat_prompt_tokens("Find ACE2 mentions.", "")
    diag = lint(text, "C001", context_tokens=1000 - floor)[0]
    assert "50 items ≈ $3.00 vs $0.0" in diag.message
    assert "input tokens per item" not in diag.message


def test_c001_default_model_and_fan_out_aggregate() -> None:
    config = Config()
    config.models = config.models.with_overrides({}, default_model="o1")
    text = ("(fan-out-aggregate\n"
            "  (lambda (doc) (llm-query-async #:instruction \"Key points?\" #:data doc"
            " #:max-tokens 300))\n"
            "  (lambda (notes) (string-join notes \"\\n\"))\n"
            "  (range 20))\n")
    diag = one(text, "C001", config)
    assert span(text, diag) == "llm-query-async"
    assert diag.message.startswith("o1 costs 150× gpt-4.1-nano per input token; 20 items ≈ ")
    new = fixed(text, diag)
    assert '(llm-query-async #:model "gpt-4.1-nano" #:instruction' in new
    assert lint(new, "C001", config) == []


def test_c001_not_for_synthesis_vote_or_cheap_models() -> None:
    assert lint(ACE2, "C001") == []  # gpt-4 only for the synthesis
    assert lint(seed_fan_out(' #:model "gpt-4o-mini"'), "C001") == []
    assert lint(VOTE, "C001") == []
    text = ("(define hs (map (lambda (q) (llm-query-async #:instruction \"a\" #:data q"
            " #:model \"gpt-4o\" #:max-tokens 5)) (range 30)))\n(await-all hs)\n")
    assert len(lint(text, "C001")) == 1  # map building handles is a fan-out too


# -- C002 -----------------------------------------------------------------------------------
def test_c002_for_list_message() -> None:
    text = ("(define docs (range 12))\n"
            "(define out (for/list ([d (in-list docs)])\n"
            "  (syntax-e (llm-query #:instruction \"Sum.\" #:data (number->string d)"
            " #:model \"gpt-4\" #:max-tokens 100))))\n")
    diag = one(text, "C002")
    assert span(text, diag) == "for/list"
    assert diag.message == ("for/list makes a synchronous llm-query per item: 12 × ~30 s "
                            "sequential ≈ 6 min; map-async with 10 in flight ≈ 60 s. Use "
                            "map-async with llm-query-async so the calls overlap")
    assert diag.fix is None


def test_c002_seed_latency_message_and_map_fix_without_syntax_e() -> None:
    text = ("(define papers " + FIFTY + ")\n"
            "(define out (map (lambda (p) (llm-query #:instruction \"Find ACE2.\" #:data p"
            " #:model \"gpt-4\" #:max-tokens 500)) papers))\n"
            "(finish (string-join (map syntax-e out) \"\\n\"))\n")
    diag = one(text, "C002")
    assert "50 × ~30 s sequential ≈ 25 min; map-async with 10 in flight ≈ 2.5 min" in diag.message
    new = fixed(text, diag)
    assert ("(map-async (lambda (p) (llm-query-async #:instruction \"Find ACE2.\" #:data p"
            " #:model \"gpt-4\" #:max-tokens 500)) papers)") in new
    assert lint(new, "C002") == []


def test_c002_for_each_via_user_function_and_named_let() -> None:
    text = ("(define docs '(\"a\" \"b\" \"c\"))\n"
            "(define (summ d) (syntax-e (llm-query #:instruction \"Sum.\" #:data d #:max-tokens 9)))\n"
            "(for-each (lambda (d) (displayln (summ d))) docs)\n"
            "(let loop ([xs docs] [acc '()])\n"
            "  (if (null? xs) (reverse acc)\n"
            "      (loop (cdr xs) (cons (syntax-e (llm-query #:instruction \"x\" #:data (car xs)"
            " #:max-tokens 9)) acc))))\n")
    diags = lint(text, "C002")
    assert [span(text, d) for d in diags] == ["for-each", "loop"]
    assert diags[0].message.startswith("for-each makes a synchronous llm-query per item: 3 × ~3 s")
    assert diags[1].message.startswith("named-let loop `loop` makes a synchronous llm-query")
    assert all(d.fix is None for d in diags)


def test_c002_not_for_cumulative_folds_async_or_single_items() -> None:
    cumulative = ("(define summary \"\")\n"
                  "(for-each (lambda (d) (set! summary (syntax-e (llm-query #:instruction \"merge\""
                  " #:data (string-append summary d) #:max-tokens 99)))) '(\"a\" \"b\" \"c\"))\n"
                  "(let loop ([xs '(\"a\" \"b\")] [acc \"\"])\n"
                  "  (if (null? xs) acc\n"
                  "      (loop (cdr xs) (syntax-e (llm-query #:instruction \"x\""
                  " #:data (string-append acc (car xs)) #:max-tokens 9)))))\n")
    assert lint(cumulative, "C002") == []
    assert lint(ACE2, "C002") == []
    single = ("(map (lambda (d) (syntax-e (llm-query #:instruction \"x\" #:data d #:max-tokens 9)))"
              " '(\"only\"))\n")
    assert lint(single, "C002") == []
    plain = "(map (lambda (d) (string-upcase d)) '(\"a\" \"b\"))\n"
    assert lint(plain, "C002") == []


# -- C003 -----------------------------------------------------------------------------------
def test_c003_through_python_and_fix() -> None:
    text = ACE2.replace('#:model "gpt-4"\n', '#:model "gpt-3.5-turbo"\n')
    diag = one(text, "C003")
    assert span(text, diag) == '"gpt-3.5-turbo"'
    assert diag.message.startswith("this llm-query synthesises 50 fan-out results (from "
                                   "map-async) with gpt-3.5-turbo, a cheap-tier model")
    assert "use a stronger model such as gpt-4.1" in diag.message
    assert text[diag.related[0].start:diag.related[0].end] == "map-async"
    new = fixed(text, diag)
    assert '#:model "gpt-4.1"' in new and lint(new, "C003") == []


def test_c003_await_all_and_default_model() -> None:
    text = ("(define hs (map (lambda (q) (llm-query-async #:instruction \"a\" #:data q"
            " #:max-tokens 50)) (range 30)))\n"
            "(define answers (await-all hs))\n"
            "(finish (syntax-e (llm-query #:instruction \"Combine.\""
            " #:data (string-join answers \"\\n\"))))\n")
    diag = one(text, "C003")
    assert span(text, diag) == "llm-query"
    assert "(from await-all) with gpt-4.1-nano" in diag.message
    new = fixed(text, diag)
    assert '(llm-query #:model "gpt-4.1" #:instruction "Combine."' in new
    assert lint(new, "C003") == []


def test_c003_not_for_context_data_per_item_calls_or_deep_flows() -> None:
    text = "(finish (syntax-e (llm-query #:instruction \"Summarise.\" #:data context)))\n"
    assert lint(text, "C003") == []
    assert lint(TREE_REDUCE, "C003") == []
    assert lint(CRITIQUE_REFINE, "C003") == []


# -- C004 -----------------------------------------------------------------------------------
def test_c004_parallel_thunks_and_sequential_map() -> None:
    text = ("(define hs (parallel (list\n"
            "  (lambda () (llm-query-async #:instruction \"pros\" #:data context))\n"
            "  (lambda () (llm-query-async #:instruction \"cons\" #:data context #:max-tokens 300)))))\n"
            "(define tags (map (lambda (x) (syntax-e (llm-query #:instruction \"tag\" #:data x)))"
            " (range 40)))\n")
    diags = lint(text, "C004")
    assert len(diags) == 2
    first, second = diags
    assert span(text, first) == "llm-query-async"
    assert first.message.startswith("llm-query-async runs once per item of the parallel (2 items) "
                                    "without #:max-tokens: each reply may run to gpt-4.1-nano's "
                                    "32,768-token limit")
    assert span(text, second) == "llm-query"
    assert "the map (40 items)" in second.message and "for 40 calls" in second.message


def test_c004_not_for_bounded_or_budgeted_or_single_calls() -> None:
    text = ("(parameterize ([token-budget 50000])\n"
            "  (map-async (lambda (x) (llm-query-async #:instruction \"tag\" #:data x))"
            " (range 40)))\n"
            "(llm-query #:instruction \"one call\" #:data context)\n")
    assert lint(text, "C004") == []
    assert lint(ACE2, "C004") == [] and lint(VOTE, "C004") == []


# -- C005 -----------------------------------------------------------------------------------
def test_c005_small_literal_lists() -> None:
    text = ("(fan-out-aggregate\n"
            "  (lambda (t) (llm-query-async #:instruction \"Describe.\" #:data t #:max-tokens 50))\n"
            "  (lambda (rs) (string-join rs \"\\n\"))\n"
            "  (list \"red\" \"green\" \"blue\" \"gold\"))\n")
    diag = one(text, "C005")
    assert span(text, diag) == '(list "red" "green" "blue" "gold")'
    assert diag.message.startswith("fan-out-aggregate over a literal list of 4 items: below 10 "
                                   "items a fan-out is not worth its overhead")
    assert diag.severity == "info"


def test_c005_not_for_ten_items_computed_lists_or_non_llm() -> None:
    ten = "'(" + " ".join(str(i) for i in range(10)) + ")"
    assert lint(seed_fan_out("", items=ten), "C005") == []
    assert lint(seed_fan_out("", items="(range 5)"), "C005") == []
    assert lint(seed_fan_out("", items='(py-eval "context.split()[:3]")'), "C005") == []
    text = "(map-async (lambda (x) (make-handle x)) '(1 2 3))\n(define (make-handle x) x)\n"
    assert lint(text, "C005") == []


# -- C006 -----------------------------------------------------------------------------------
def test_c006_above_the_limit_and_fix() -> None:
    text = seed_fan_out("", items="(range 500)").replace("  papers))", "  papers #:max-concurrent 200))")
    diag = one(text, "C006")
    assert span(text, diag) == "200"
    assert diag.message == ("#:max-concurrent 200 is above the configured max-concurrent (50) "
                            "for this map-async, on 500 items: the provider's rate limits will "
                            "throttle and retry the burst; use #:max-concurrent 50")
    new = fixed(text, diag)
    assert "#:max-concurrent 50" in new and lint(new, "C006") == []


def test_c006_all_at_once_on_fifty_items() -> None:
    text = seed_fan_out("").replace("  papers))", "  papers #:max-concurrent #f))")
    diag = one(text, "C006")
    assert span(text, diag) == "#f"
    assert diag.message.startswith("#:max-concurrent #f starts all 50 calls of this map-async "
                                   "at once")
    new = fixed(text, diag)
    assert "#:max-concurrent 10" in new and lint(new, "C006") == []


def test_c006_not_for_small_lists_or_a_higher_configured_limit() -> None:
    small = seed_fan_out("", items="(range 20)").replace("  papers))", "  papers #:max-concurrent #f))")
    assert lint(small, "C006") == []
    unknown = seed_fan_out("", items='(py-eval "context.split()")').replace(
        "  papers))", "  papers #:max-concurrent 100))")
    assert len(lint(unknown, "C006")) == 1
    assert lint(unknown, "C006", config_with(max_concurrent=200)) == []


# -- C007 -----------------------------------------------------------------------------------
def test_c007_message_and_position() -> None:
    text = seed_fan_out(' #:model "gpt-4"') + (
        "(define s (syntax-e (llm-query #:instruction \"Synthesise.\" #:data context"
        " #:model \"gpt-4o\" #:max-tokens 800)))\n")
    diags = lint_text(text, config_with(max_cost=1.0), "t.recipe", select=["C007"],
                      context_tokens=1000).diagnostics
    assert len(diags) == 1
    diag = diags[0]
    assert span(text, diag) == "llm-query-async"
    assert diag.message.startswith("estimated worst-case cost ≈ $")
    assert "exceeds max-cost $1.00; the biggest contributor is 50 × llm-query-async with gpt-4 " \
           "at 4:5" in diag.message
    assert text[diag.related[0].start:diag.related[0].end] == "map-async"


def test_c007_lower_bound_when_input_is_unknown() -> None:
    text = seed_fan_out(' #:model "gpt-4"', NUMBERED)
    diag = one(text, "C007", config_with(max_cost=0.5))
    assert diag.message.startswith("estimated worst-case cost at least $1.5")
    assert "counted at what is certain" in diag.message


def test_c007_not_without_budget_or_under_it() -> None:
    text = seed_fan_out(' #:model "gpt-4"')
    assert lint(text, "C007") == []
    assert lint(text, "C007", config_with(max_cost=10.0)) == []
    assert lint(ACE2, "C007", config_with(max_cost=1.0)) == []


# -- C008 -----------------------------------------------------------------------------------
def test_c008_for_list_fix() -> None:
    text = ("(define hs (map (lambda (q) (llm-query-async #:instruction \"a\" #:data q"
            " #:max-tokens 5)) (range 30)))\n"
            "(define rs (for/list ([h (in-list hs)]) (syntax-e (await h))))\n")
    diag = one(text, "C008")
    assert span(text, diag) == "(await h)"
    assert diag.message == ("await inside a for/list loop waits for one handle at a time; "
                            "collect the replies with (await-all handles)")
    new = fixed(text, diag)
    assert "(define rs (await-all hs))" in new and lint(new, "C008") == []


def test_c008_started_in_the_loop_and_named_let() -> None:
    text = ("(define rs (for/list ([q (in-range 5)])\n"
            "  (define h (llm-query-async #:instruction \"a\" #:data q #:max-tokens 5))\n"
            "  (await h)))\n"
            "(define hs (list (llm-query-async #:instruction \"b\" #:max-tokens 5)))\n"
            "(let loop ([hs hs] [acc '()])\n"
            "  (if (null? hs) (reverse acc) (loop (cdr hs) (cons (await (car hs)) acc))))\n")
    first, second = lint(text, "C008")
    assert "the calls run one after another" in first.message and first.fix is None
    assert second.message.startswith("await inside the named-let loop `loop`")


def test_c008_not_outside_loops_or_in_concurrent_thunks() -> None:
    text = ("(define h (llm-query-async #:instruction \"a\" #:max-tokens 5))\n"
            "(define r (syntax-e (await h)))\n"
            "(define rs (parallel (list (lambda () (syntax-e (await h))))))\n"
            "(define all (await-all (list h)))\n")
    assert lint(text, "C008") == []
