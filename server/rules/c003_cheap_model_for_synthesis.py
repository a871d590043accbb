r"""Cheap model for synthesis.

## What it does
Reports a synchronous `llm-query` (or `unsafe-raw-query`) with a cheap-tier model whose
`#:data` is built from fan-out results: the value of `map-async`, `await-all`,
`fan-out-aggregate` or `parallel`, directly, through a definition, through one string
function (`string-join`, `string-append`, `format` …), or through Python (`py-set!` of the
results, then a `py-exec` / `py-eval` that reads them).

## Why is this bad?
The fan-out pattern does the bulk work with a cheap model and then makes *one* call that
reads all the results and reasons across them. That one call is where quality is decided,
and it costs little even with a strong model; a cheap model there tends to miss the
connections the whole recipe was built to find.

## Example
```scheme
(define abstracts (py-eval "context.split('\\n\\n')[:40]"))

(define findings
  (map-async (lambda (abstract)
               (llm-query-async #:instruction "Extract the main finding in one sentence."
                                #:data abstract
                                #:model "gpt-4.1-nano"
                                #:max-tokens 80))
             abstracts))

(define review
  (syntax-e (llm-query #:instruction "Synthesise these findings: themes, agreements, gaps."
                       #:data (string-join findings "\n")
                       #:model "gpt-4o-mini"
                       #:max-tokens 800)))

(finish review)
```

## Use instead
```scheme
(define abstracts (py-eval "context.split('\\n\\n')[:40]"))

(define findings
  (map-async (lambda (abstract)
               (llm-query-async #:instruction "Extract the main finding in one sentence."
                                #:data abstract
                                #:model "gpt-4.1-nano"
                                #:max-tokens 80))
             abstracts))

(define review
  (syntax-e (llm-query #:instruction "Synthesise these findings: themes, agreements, gaps."
                       #:data (string-join findings "\n")
                       #:model "gpt-4.1"
                       #:max-tokens 800)))

(finish review)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from recipe.runtime.lang.models import CHEAP, EXPENSIVE, Model
from recipe.runtime.lang.syntax import STRING, SYMBOL, Atom, ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import INFO, Diagnostic, Edit, Fix, Related
from recipe.server.analysis.estimate import PER_INPUT_TOKENS, format_usd
from recipe.server.analysis.facts import SYNC_LLM_CALLS, FanOutSite, depth_profile
from recipe.server.analysis.scopes import Call

CODE = "C003"
NAME = "cheap-model-for-synthesis"
SEVERITY = INFO
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)
READS_PROMPTS = True  # the call's cost figures

RESULT_PRODUCERS = ("map-async", "await-all", "await-all-syntax", "fan-out-aggregate", "parallel")
STRING_FUNCTIONS = ("string-join", "string-append", "format", "~a", "apply", "string-trim")
TRANSPARENT = ("syntax-e",)  # wrappers that do not count as a level
PYTHON = ("py-exec", "py-eval")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_DEPTH = 12  # bound on what _fan_out_source follows


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    suggestion = _stronger_model(ctx)
    index = _Index(ctx)
    for est in ctx.estimate_calls():
        if est.primitive not in SYNC_LLM_CALLS or est.model is None or est.tier != CHEAP:
            continue
        if est.fan_outs:  # a per-item call, not the synthesis
            continue
        data = est.call.keyword("data")
        if data is None:
            continue
        producer = _fan_out_source(ctx, index, data, levels=1, depth=0)
        if producer is None:
            continue
        size = _producer_size(ctx, index, producer)
        what = f"{size} fan-out results" if size is not None else "fan-out results"
        message = (f"this {est.primitive} synthesises {what} (from {producer.name}) with "
                   f"{est.model.name}, a cheap-tier model; the one combining call decides the "
                   f"quality of the whole recipe")
        fix = None
        if suggestion is not None:
            tokens_in = est.tokens_in if est.tokens_in is not None else PER_INPUT_TOKENS
            bound = est.output_bound or 0
            strong = suggestion.cost(tokens_in, bound)
            cheap = est.model.cost(tokens_in, bound)
            basis = f" at {PER_INPUT_TOKENS:,} input tokens" if est.tokens_in is None else ""
            message += (f": use a stronger model such as {suggestion.name} for it "
                        f"(≈ {format_usd(strong)} vs {format_usd(cheap)} for this single "
                        f"call{basis})")
            model_node = est.call.keyword("model")
            if isinstance(model_node, Atom):
                fix = Fix(f'Use "{suggestion.name}" for the synthesis',
                          (Edit(model_node.start, model_node.end, f'"{suggestion.name}"'),),
                          safe=False)
            elif model_node is None:
                head = est.call.head
                fix = Fix(f'Use "{suggestion.name}" for the synthesis',
                          (Edit(head.end, head.end, f' #:model "{suggestion.name}"'),),
                          safe=False)
        target = est.call.keyword("model") or est.call.head
        related = [Related(producer.head.start, producer.head.end,
                           "the fan-out results come from here")]
        yield ctx.diagnostic(target, message, fix=fix, related=related)


def exports(ctx: RuleContext, value: Node) -> object:
    """What a synthesis elsewhere learns of a variable's value (see rules/__init__.py): the
    fan-out its text is built from, at each number of string levels left and from every
    depth, with the sizes of that call's arguments (its size is one of them)."""
    index = _Index(ctx)
    found: list[object] = []
    for levels in (0, 1):
        def search(depth: int, levels: int = levels) -> tuple[object, int]:
            index.deepest = depth
            producer = _fan_out_source(ctx, index, value, levels, depth)
            return (None if producer is None else (
                producer.node, tuple(ctx.facts.list_size(arg) for arg in producer.positional())),
                index.deepest - depth)
        found.append(depth_profile(search, _MAX_DEPTH))
    return tuple(found)


def _stronger_model(ctx: RuleContext) -> Model | None:
    """The cheapest current expensive-tier chat model (not a reasoning model)."""
    for model in ctx.config.models.by_price():
        if model.tier == EXPENSIVE and not model.no_temperature:
            return model  # type: ignore[no-any-return]
    return None


class _Index:
    """Built once per check, so that big files stay linear: `py-set!` calls by the Python
    name they bind, and fan-out sites by their call."""

    def __init__(self, ctx: RuleContext) -> None:
        self.setters: dict[str, list[Call]] = {}
        for setter in ctx.scopes.calls_to("py-set!"):
            args = setter.positional()
            if setter.binding is None and len(args) == 2 and isinstance(args[0], Atom) \
                    and args[0].kind == STRING and isinstance(args[0].value, str):
                self.setters.setdefault(args[0].value, []).append(setter)
        self._facts = ctx.facts
        self._callers: dict[int, list[Call]] | None = None
        self.deepest = 0  # the deepest level _fan_out_source reached (see exports)

    @cached_property
    def sites(self) -> dict[int, FanOutSite]:
        return {id(site.call): site for site in reversed(self._facts.fan_outs())}

    def arguments_for(self, ctx: RuleContext, atom: Atom) -> list[Node]:
        """The expressions callers pass for the positional parameter ``atom`` refers to."""
        binding = ctx.scopes.binding_of(atom)
        if binding is None or binding.kind != "parameter" or binding.assigned \
                or binding.atom is None or binding.scope.node is None:
            return []
        # the function whose parameter it is: its scope is the define's or lambda's
        owner = ctx.scopes.function_of.get(id(binding.scope.node))
        if owner is None or owner.signature is None:
            return []
        params = [*owner.signature.required, *owner.signature.optional]
        if binding.name not in params:
            return []
        position = params.index(binding.name)
        if self._callers is None:  # (once per check: callers of every user function)
            self._callers = {}
            for call in ctx.scopes.user_calls():
                if call.binding is not None:
                    self._callers.setdefault(id(call.binding), []).append(call)
        out: list[Node] = []
        for call in self._callers.get(id(owner), ()):
            args = call.positional()
            if position < len(args):
                out.append(args[position])
        return out


def _fan_out_source(ctx: RuleContext, index: _Index, node: Node | None, levels: int,
                    depth: int) -> Call | None:
    """The fan-out call whose results ``node`` is built from, if it can be told."""
    if depth > index.deepest:
        index.deepest = depth
    if node is None or depth > _MAX_DEPTH:
        return None
    facts = ctx.facts
    node = facts.binding_value(node)
    if isinstance(node, Atom) and node.kind == SYMBOL:
        # a parameter of a helper: the arguments its callers pass, `(combine parts)`
        for arg in index.arguments_for(ctx, node):
            found = _fan_out_source(ctx, index, arg, levels, depth + 1)
            if found is not None:
                return found
        return None
    if not isinstance(node, ListNode):
        return None
    call = facts.call_at.get(id(node))
    if call is None or call.entry is None or call.binding is not None:
        return None
    name = call.entry.name
    if name in RESULT_PRODUCERS:
        return call
    if name in TRANSPARENT:
        return _fan_out_source(ctx, index, node.items[1] if len(node.items) > 1 else None,
                               levels, depth + 1)
    if name in STRING_FUNCTIONS and levels > 0:
        for arg in call.positional():
            found = _fan_out_source(ctx, index, arg, levels - 1, depth + 1)
            if found is not None:
                return found
        return None
    if name in PYTHON and len(node.items) > 1:
        code = facts.literal_string(node.items[1])
        if code is None:
            return None
        for name in sorted(set(_IDENT.findall(code)) & index.setters.keys()):
            for setter in index.setters[name]:
                if setter.node.start > node.start:
                    continue
                found = _fan_out_source(ctx, index, setter.positional()[1], levels, depth + 1)
                if found is not None:
                    return found
    return None


def _producer_size(ctx: RuleContext, index: _Index, producer: Call) -> int | None:
    site = index.sites.get(id(producer))
    if site is not None:
        size: int | None = site.size
        return size
    if producer.entry is not None and producer.entry.name.startswith("await-all"):
        args = producer.positional()
        if args:
            inner = ctx.facts.binding_value(args[0])
            if isinstance(inner, Atom) and inner.kind == SYMBOL:
                return None
            known: int | None = ctx.facts.list_size(inner)
            return known
    return None
