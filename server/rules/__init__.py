"""The lint rules: one module per rule, like ruff's.

Each module has a docstring with four parts (``## What it does``, ``## Why is this bad?``,
``## Example``, ``## Use instead``), and defines ``CODE``, ``NAME``, ``SEVERITY`` and
``check(ctx) -> Iterable[Diagnostic]``. To add a rule: write the module, add its name to
:data:`RULE_MODULES`, and put its bad and good examples in the docstring (the test suite runs
them). ``recipe rule CODE`` prints the docstring.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from recipe.runtime.lang.syntax import Node
    from recipe.server.analysis.context import RuleContext
    from recipe.server.analysis.diagnostics import Diagnostic

RULE_MODULES: tuple[str, ...] = (
    "s001_unclosed_list",
    "s002_mismatched_closer",
    "s003_unexpected_closer",
    "s004_unterminated",
    "s005_malformed_token",
    "n001_unbound_identifier",
    "n002_wrong_arity",
    "n003_unknown_keyword",
    "n004_duplicate_keyword",
    "n005_keyword_without_value",
    "n006_protected_name",
    "n007_set_undefined",
    "n008_unused_definition",
    "t001_wrong_literal_type",
    "t002_out_of_range",
    "t003_unwrapped_llm_text",
    "t004_redundant_syntax_e",
    "t005_sync_call_in_async_fan_out",
    "t006_await_non_handle",
    "c001_expensive_model_in_fan_out",
    "c002_sequential_llm_map",
    "c003_cheap_model_for_synthesis",
    "c004_unbounded_fan_out_tokens",
    "c005_small_fan_out",
    "c006_unbounded_concurrency",
    "c007_over_budget",
    "c008_sequential_await_in_loop",
    "j001_json_without_json_instruction",
    "j002_json_with_temperature",
    "j003_temperature_on_reasoning_model",
    "j004_unknown_model",
    "j005_retired_model",
    "j006_recursive_async",
    "j007_max_tokens_over_limit",
    "p001_python_syntax_error",
    "p002_py_eval_statements",
    "p003_python_built_from_strings",
    "p004_py_exec_without_print",
    "p005_bad_python_identifier",
    "p006_unset_python_name",
    "f001_no_finish",
    "f002_code_after_finish",
    "f003_handle_never_awaited",
    "f004_restore_unchecked",
    "f005_finish_var_undefined",
    "x001_unsafe_primitive",
    "x002_api_key_literal",
    "x003_llm_output_as_code",
)


PART = "part"
FILE = "file"


class Rule(NamedTuple):
    """A loaded rule. ``scope`` says what the incremental linter may give ``check``: ``part``
    (the default) — a subset document of linked top-level forms (see
    ``recipe.server.analysis.incremental``); ``file`` — always the whole document, so
    ``check`` must be cheap (the S rules only read the reader's errors). A rule that adds up
    over the whole file defines ``partial(ctx)`` (per part, cached) and
    ``combine(ctx, parts)`` (file-wide, every time) as well. A rule whose findings depend on
    the text of a literal ``#:instruction`` / ``#:data`` of an LLM call, or on a call's cost
    figures, says ``READS_PROMPTS = True``: it runs again when the language server patches
    a part after typing in a prompt (every other rule's findings are kept, moved).

    A rule that says ``LOCAL = True`` iterates only through the context's :meth:`forms`,
    :meth:`walk`, :meth:`calls`, :meth:`calls_to`, :meth:`bindings`, :meth:`unbound`,
    :meth:`assignments`, :meth:`fan_outs` and :meth:`estimate_calls` (other lookups in the
    analysis are free), and reports only inside the top-level form of what it iterates (or,
    having reached a node some other way, only where ``ctx.in_focus(node)``): after an edit
    the incremental linter runs it over the forms the edit can affect only, and keeps its
    findings in the others (``tests/test_local_rules.py`` holds every LOCAL rule to this).

    A LOCAL rule that follows a top-level variable from one form into the value another form
    binds it to, and on into what that value reads, further than the facts of
    :meth:`Facts.exported` go (X003's taint, C003's fan-out source), defines
    ``exports(ctx, value)``: what it finds there, compared by the incremental linter before
    and after an edit to tell whether the readers of the variable must be checked again (a
    search that stops at a depth gives what it finds from every depth a reader may start it
    at: :func:`recipe.server.analysis.facts.depth_profile`)."""

    code: str
    name: str
    severity: str
    doc: str
    check: Callable[[RuleContext], Iterable[Diagnostic]]
    module: str
    scope: str = PART
    partial: Callable[[RuleContext], list[Any]] | None = None
    combine: Callable[[RuleContext, list[Any]], Iterable[Diagnostic]] | None = None
    reads_prompts: bool = False
    local: bool = False
    exports: Callable[[RuleContext, Node], object] | None = None

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


def _load(module_name: str) -> Rule:
    module: ModuleType = importlib.import_module(f"{__name__}.{module_name}")
    return Rule(module.CODE, module.NAME, module.SEVERITY, module.__doc__ or "", module.check,
                module_name, getattr(module, "SCOPE", PART), getattr(module, "partial", None),
                getattr(module, "combine", None), getattr(module, "READS_PROMPTS", False),
                getattr(module, "LOCAL", False), getattr(module, "exports", None))


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, in code order. Modules not written yet are skipped."""
    rules = []
    for name in RULE_MODULES:
        try:
            rules.append(_load(name))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return tuple(sorted(rules, key=lambda r: r.code))


def rule_by_code() -> dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


def known_selector(selector: str) -> bool:
    """Whether a selector (``ALL``, a code or a prefix) matches some rule."""
    return selector == "ALL" or any(name[:4].upper().startswith(selector)
                                    for name in RULE_MODULES)


def matches(code: str, selectors: Iterable[str]) -> bool:
    """ruff-style selection: ``C`` matches C001…, ``C00`` matches C001…C009, ``C001`` itself;
    ``ALL`` matches everything."""
    return any(sel == "ALL" or code.startswith(sel) for sel in selectors)
