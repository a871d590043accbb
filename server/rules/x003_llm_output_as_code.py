"""LLM output evaluated as code without a validation step.

## What it does
Reports `unsafe-exec-sub-output`, `py-exec` and `py-eval` given text derived from LLM output
— `syntax-e` of `llm-query` / `await`, `unsafe-raw-query`, `await-all` / `map-async`
results, or strings built from them — when nothing validates it on the way. A call to a
function or predicate whose name contains `valid`, `check`, `verify`, `sanitize` or `safe`
(applied to the text, or guarding the evaluation in an `if` / `when` / `cond`), or a
function wrapped with `with-validation`, counts as validation. `(map py-exec replies)` (or
`for-each`, `filter-map`, `append-map`) over such a list is reported too.

## Why is this bad?
A model's output is attacker-controlled as soon as the data it read was: a prompt injection
in one document becomes arbitrary code in the recipe's Python process or the recipe itself.

## Example
```scheme
(define script
  (syntax-e (llm-query #:instruction "Write Python that prints the number of rows in `data`."
                       #:max-tokens 300)))
(py-set! "data" (string-split context "\n"))
(finish (py-exec script))
```

## Use instead
```scheme
(define script
  (syntax-e (llm-query #:instruction "Write Python that prints the number of rows in `data`."
                       #:max-tokens 300)))
(define (valid-script? code)
  (and (not (string-contains? code "import"))
       (not (string-contains? code "open("))))
(py-set! "data" (string-split context "\n"))
(finish (if (valid-script? script)
            (py-exec script)
            "rejected generated code"))
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from recipe.runtime.lang.syntax import SYMBOL, Atom, ListNode, Node
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import WARNING, Diagnostic, Related
from recipe.server.analysis.facts import SYNTAX, SYNTAXES, depth_profile
from recipe.server.analysis.scopes import Call

from ._tjpfx import body_of, compact

CODE = "X003"
NAME = "llm-output-as-code"
SEVERITY = WARNING
LOCAL = True  # reports only inside the forms it iterates (see rules/__init__.py)

SINKS = ("unsafe-exec-sub-output", "py-exec", "py-eval")
_SOURCES = {"llm-query", "await", "unsafe-raw-query", "await-all", "await-all-syntax",
            "map-async", "await-any", "race", "unsafe-interpolate", "fan-out-aggregate",
            "critique-refine", "iterate-until"}
_VALIDATION = re.compile(r"valid|check|verify|sanitiz|sanitis|safe", re.IGNORECASE)
_MAX_DEPTH = 30
_MAPPERS = ("map", "for-each", "filter-map", "append-map")


def is_validation(name: str | None) -> bool:
    return name is not None and not name.startswith("unsafe") and bool(_VALIDATION.search(name))


class _Taint:
    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.facts = ctx.facts
        self.parents = ctx.document.parents
        self.active: set[int] = set()
        self.found: dict[int, Node | None] = {}  # what each node reached led to, this search
        self.deepest = 0  # the deepest level reached (see exports)

    def source(self, node: Node | None, depth: int = 0) -> Node | None:
        """The LLM call (or result) this expression's text comes from, unvalidated."""
        self.active = set()
        self.found = {}
        return self._follow(node, depth)

    def _follow(self, node: Node | None, depth: int) -> Node | None:
        if depth > self.deepest:
            self.deepest = depth
        if node is None or depth > _MAX_DEPTH or id(node) in self.active:
            return None
        key = id(node)
        if key in self.found:  # (reached again by another path: a ladder of forms that each
            return self.found[key]  # read the two before would take 2^n paths)
        self.active.add(key)
        try:
            found = self.found[key] = self._source(node, depth)
            return found
        finally:
            self.active.discard(key)

    def _validated_binding(self, atom: Atom) -> bool:
        binding = self.ctx.scopes.binding_of(atom)
        if binding is None:
            return False
        for ref in binding.refs:
            parent = self.parents.get(id(ref))
            if isinstance(parent, ListNode) and parent.items and parent.items[0] is not ref \
                    and is_validation(parent.head_name()):
                return True
        return False

    def _source(self, node: Node, depth: int) -> Node | None:
        if isinstance(node, Atom):
            if node.kind != SYMBOL:
                return None
            binding = self.ctx.scopes.binding_of(node)
            if binding is None or binding.assigned or binding.value is None:
                return None
            if self._validated_binding(node):
                return None
            return self._follow(binding.value, depth + 1)
        if not isinstance(node, ListNode) or not node.items:
            return None
        head = node.items[0]
        if isinstance(head, ListNode):
            if head.head_name() == "with-validation":
                return None
            return None
        call = self.facts.call_at.get(id(node))
        if call is None:
            return self._special(node, depth)
        if is_validation(call.name):
            return None
        if call.entry is not None:
            return self._entry(call, depth)
        if self.facts.kind(node) in (SYNTAX, SYNTAXES):
            return node
        if call.binding is not None and call.binding.body:
            found = self._follow(call.binding.body[-1], depth + 1)
            if found is not None:
                return found
        for arg in call.positional():
            found = self._follow(arg, depth + 1)
            if found is not None:
                return found
        return None

    def _entry(self, call: Call, depth: int) -> Node | None:
        assert call.entry is not None
        name = call.entry.name
        if name in _SOURCES:
            return call.node
        if name == "syntax-e":
            args = call.positional()
            return self._follow(args[0], depth + 1) if args else None
        if call.entry.cost != "free" and name not in SINKS:
            return None
        for arg in call.positional():
            found = self._follow(arg, depth + 1)
            if found is not None:
                return found
        return None

    def _special(self, node: ListNode, depth: int) -> Node | None:
        head = node.head_name()
        if head in ("if",):
            branches = node.items[2:4]
        elif head in ("or", "and"):
            branches = node.items[1:]
        elif head == "cond":
            branches = [c.items[-1] for c in node.items[1:]
                        if isinstance(c, ListNode) and len(c.items) >= 2]
        else:
            body = body_of(node)
            branches = body[-1:] if body else []
        for branch in branches:
            found = self._follow(branch, depth + 1)
            if found is not None:
                return found
        return None

    def guarded(self, node: Node) -> bool:
        """An enclosing `if` / `when` / `unless` / `cond` / `and` tests with a validator."""
        current: Node | None = node
        for _ in range(200):
            parent = self.parents.get(id(current)) if current is not None else None
            if not isinstance(parent, ListNode):
                return False
            head = parent.head_name()
            tests: list[Node] = []
            if head in ("if", "when", "unless") and len(parent.items) > 1:
                tests = [parent.items[1]]
            elif head == "and":
                tests = [i for i in parent.items[1:] if i is not current]
            elif parent.items and parent.items[0] is not current:
                grand = self.parents.get(id(parent))
                if isinstance(grand, ListNode) and grand.head_name() == "cond" \
                        and parent is not grand.items[0]:
                    tests = [parent.items[0]]
            for test in tests:
                for sub in test.walk():
                    if isinstance(sub, ListNode) and is_validation(sub.head_name()):
                        return True
            current = parent
        return False


def _describe(ctx: RuleContext, source: Node) -> str:
    if isinstance(source, ListNode):
        call = ctx.facts.call_at.get(id(source))
        if call is not None:
            return f"`{call.name}`"
    return "an LLM call"


def exports(ctx: RuleContext, value: Node) -> object:
    """What a code-running call elsewhere learns of a variable's value (see
    rules/__init__.py): the unvalidated LLM output it comes from, from every depth."""
    def search(depth: int) -> tuple[object, int]:
        taint = _Taint(ctx)
        taint.deepest = depth
        found = taint.source(value, depth)
        return found, taint.deepest - depth
    return depth_profile(search, _MAX_DEPTH)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    taint: _Taint | None = None
    # code-running calls, and (map py-exec replies): each item of a list runs as code
    runs: list[tuple[Call, Node, str]] = []
    for call in ctx.calls_to(*SINKS):
        if call.entry is not None and call.positional():
            runs.append((call, call.positional()[0],
                         f"runs as code in `{call.name}` with no validation step: check it "
                         "first (a `valid…?` / `check…` predicate, or `with-validation`), or "
                         "keep model output as data"))
    for call in ctx.calls_to(*_MAPPERS):
        args = call.positional()
        if call.entry is None or len(args) != 2:
            continue
        fn, items = args
        if isinstance(fn, Atom) and fn.kind == SYMBOL and fn.text in SINKS \
                and ctx.scopes.binding_of(fn) is None:
            runs.append((call, items,
                         f"runs as code: `{call.name}` gives each item to `{fn.text}` with no "
                         "validation step: check the items first (a `valid…?` / `check…` "
                         "predicate, e.g. `(filter valid? items)`), or keep model output as "
                         "data"))
    for call, code, what in runs:
        if taint is None:
            taint = _Taint(ctx)
        source = taint.source(code)
        if source is None or taint.guarded(call.node):
            continue
        where = ctx.analysis.where(source.start)
        yield ctx.diagnostic(compact(ctx, code),
                             f"LLM output (from {_describe(ctx, source)} at {where}) {what}",
                             related=[Related(source.start, source.end,
                                              "the LLM output comes from here")])
