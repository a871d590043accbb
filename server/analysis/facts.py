"""Flow facts: what kind of value an expression has (LLM text still wrapped, async handle,
plain string …), which functions sit in a fan-out position, fan-out sizes when knowable,
and literal values that can be followed through immutable bindings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import (
    KEYWORD,
    NUMBER,
    STRING,
    SYMBOL,
    Atom,
    ListNode,
    Node,
    Quote,
)

from .scopes import FOR_FORMS, LAMBDA_NAMES, LET_FORMS, Binding, Call, Scopes

# Value kinds
SYNTAX = "syntax"  # LLM text still wrapped
HANDLE = "handle"
HANDLES = "handles"
STRING_K = "string"
STRINGS = "strings"
SYNTAXES = "syntaxes"
LIST_K = "list"
NUMBER_K = "number"
BOOLEAN_K = "boolean"
PROCEDURE_K = "procedure"
VOID_K = "void"
UNKNOWN = "unknown"

_RESULT_KINDS = {
    catalog.SYNTAX: SYNTAX,
    catalog.HANDLE: HANDLE,
    catalog.HANDLES: HANDLES,
    catalog.STRING: STRING_K,
    catalog.STRINGS: STRINGS,
    catalog.SYNTAXES: SYNTAXES,
    catalog.LIST: LIST_K,
    catalog.NUMBER: NUMBER_K,
    catalog.INTEGER: NUMBER_K,
    catalog.NATURAL: NUMBER_K,
    catalog.BOOLEAN: BOOLEAN_K,
    catalog.PROCEDURE: PROCEDURE_K,
    catalog.VOID: VOID_K,
}

LLM_CALLS = ("llm-query", "llm-query-async", "unsafe-raw-query")
SYNC_LLM_CALLS = ("llm-query", "unsafe-raw-query")
FINISHERS = ("finish", "finish-var", "finish-error")  # the calls that end a run
AWAIT_CALLS = ("await", "await-all", "await-all-syntax", "await-any")
_BODY_LAST = {"let", "let*", "letrec", "begin", "when", "unless", "parameterize",
              "with-handlers", "let-values", "let*-values"}
_VALUE_OF_LAST = frozenset((*LET_FORMS, "begin"))  # forms whose value is their last body form
MAX_FOLLOW = 40  # bound on chains of bindings / nested calls followed
_CONTEXT_DEPTH = 60  # bound on what from_context follows
MAX_LITERAL = 100_000  # characters of a string literal_string puts together, at most
# Which parameter of its per-item function a fan-out gives each item to, when not the first
_ITEM_PARAMETER = {"fold-sequential": 1}  # (f acc item)
_PY_CONTEXT = re.compile(r"\bcontext\b")
# What an element of each kind of list is (for the catalogue's ELEMENT results: first, car…).
_ELEMENT_KINDS = {SYNTAXES: SYNTAX, STRINGS: STRING_K, HANDLES: HANDLE}


def _branches(kinds: set[str]) -> str:
    """The kind of a value that is one of several branches': theirs when they agree; LLM
    text still wrapped when one branch is (where that branch is taken, what expects a
    string fails: `(or (restore "k") (llm-query …))`); else unknown."""
    if len(kinds) == 1:
        return kinds.pop()
    return SYNTAX if SYNTAX in kinds else UNKNOWN


class FanOutSite:
    """A call that spreads work over items: ``(map-async f items)``, ``(parallel thunks)``…"""

    __slots__ = ("call", "functions", "items", "runs", "size", "spec", "window")

    def __init__(self, call: Call, spec: catalog.FanOut, functions: list[ListNode],
                 items: Node | None, size: int | None, window: int | None) -> None:
        self.call = call
        self.spec = spec
        self.functions = functions  # the lambda / define forms called per item (resolved)
        self.items = items
        self.size = size  # number of items, when knowable
        self.window = window  # max in flight (None = all at once / unknown)
        self.runs: list[int] | None = None  # ids of the call nodes it runs (Facts' index)

    @property
    def concurrent(self) -> bool:
        return self.spec.concurrent


class Facts:
    """Lazily computed, memoised facts over a resolved document."""

    def __init__(self, scopes: Scopes, context_items: int | None = None,
                 reused_sites: dict[int, list[FanOutSite]] | None = None,
                 keeps: Callable[[Node], bool] | None = None,
                 earlier_context: dict[int, tuple[Node, bool, int]] | None = None) -> None:
        self.scopes = scopes
        # The fan-out sites and from_context findings of an earlier analysis of the same
        # tree, and which nodes an edit since left alone (what was found of those is kept:
        # IncrementalLinter._cone).
        self._reused_sites = reused_sites
        self._keeps = keeps
        self._earlier_context = earlier_context if keeps is not None else None
        # from_context's findings: (node, result, depth) by id(node)
        self._context: dict[int, tuple[Node, bool, int]] = {}
        self.deepest = 0  # the deepest level a search here reached (see depth_profile)
        self.kept_sites = 0  # fan-out sites taken from the earlier analysis
        self.call_at: dict[int, Call] = scopes.call_index()
        self._kinds: dict[int, str] = {}
        self._joined: dict[int, str | None] = {}  # literal_string of each string-append
        self._fan_outs: list[FanOutSite] | None = None
        self._site_functions: dict[int, list[FanOutSite]] | None = None
        self._sites_by_call: dict[int, list[FanOutSite]] | None = None
        self._calls_within: dict[int, list[Call]] = {}
        self.context_items = context_items
        self._enclosing: dict[int, list[FanOutSite]] | None = None

    # -- literals -----------------------------------------------------------------
    def binding_value(self, node: Node | None) -> Node | None:
        """Follow a symbol to the expression it is bound to (immutable bindings only)."""
        for _ in range(MAX_FOLLOW):
            if not (isinstance(node, Atom) and node.kind == SYMBOL):
                return node
            binding = self.scopes.binding_of(node)
            if binding is None or binding.assigned or binding.value is None:
                return node
            node = binding.value
        return node

    def literal_string(self, node: Node | None) -> str | None:
        """The string an expression certainly is: a literal, a constant, or string-append of
        them (None past ``MAX_LITERAL`` characters)."""
        node = self.binding_value(node)
        if isinstance(node, Atom) and node.kind == STRING:
            value = node.value
            return value if isinstance(value, str) else None
        if isinstance(node, ListNode) and node.head_name() == "string-append":
            key = id(node)
            if key in self._joined:  # (a piece used twice: forms that each join the two
                return self._joined[key]  # before would be read 2^n times)
            self._joined[key] = None
            parts: list[str] = []
            size = 0
            for item in node.items[1:]:
                part = self.literal_string(item)
                if part is None:
                    return None  # (the first unknown piece settles it: a synthesis joins hundreds)
                size += len(part)
                if size > MAX_LITERAL:
                    return None
                parts.append(part)
            joined = self._joined[key] = "".join(parts)
            return joined
        return None

    def text_changed(self) -> None:
        """Forget what was read of string literals: the document's text changed in place
        (:meth:`Document.edit_string`)."""
        self._joined.clear()

    def literal_parts(self, node: Node | None) -> list[str]:
        """The literal string pieces inside an expression (for "does it mention json")."""
        node = self.binding_value(node)
        out: list[str] = []
        if node is None:
            return out
        for sub in node.walk():
            if isinstance(sub, Atom) and sub.kind == STRING and isinstance(sub.value, str):
                out.append(sub.value)
            elif isinstance(sub, Atom) and sub.kind == SYMBOL and sub is not node:
                target = self.binding_value(sub)
                if isinstance(target, Atom) and target.kind == STRING and isinstance(target.value, str):
                    out.append(target.value)
        return out

    def literal_number(self, node: Node | None) -> float | int | None:
        node = self.binding_value(node)
        if isinstance(node, Atom) and node.kind == NUMBER:
            value = node.value
            if isinstance(value, int | float):
                return value
        return None

    def model_name(self, call: Call, default: str) -> tuple[str | None, Node | None]:
        """(model name, node) of an LLM call: the literal, the default, or (None, node) when
        computed at run time."""
        node = call.keyword("model")
        if node is None:
            return (None, None) if call.has_keyword("model") else (default, None)
        return self.literal_string(node), node

    # -- value kinds ----------------------------------------------------------------
    def kind(self, node: Node | None, depth: int = 0) -> str:
        if node is None or depth > MAX_FOLLOW:
            return UNKNOWN
        cached = self._kinds.get(id(node))
        if cached is not None:
            return cached
        self._kinds[id(node)] = UNKNOWN  # cycle guard
        result = self._kind(node, depth)
        self._kinds[id(node)] = result
        return result

    def _kind(self, node: Node, depth: int) -> str:
        if isinstance(node, Atom):
            if node.kind == STRING:
                return STRING_K
            if node.kind == NUMBER:
                return NUMBER_K
            if node.kind == "boolean":
                return BOOLEAN_K
            if node.kind == SYMBOL:
                binding = self.scopes.binding_of(node)
                if binding is None:
                    return UNKNOWN
                if binding.is_function:
                    return PROCEDURE_K
                if binding.assigned or binding.value is None:
                    return UNKNOWN
                return self.kind(binding.value, depth + 1)
            return UNKNOWN
        if isinstance(node, Quote):
            return LIST_K if isinstance(node.datum, ListNode) else UNKNOWN
        if not isinstance(node, ListNode) or not node.items:
            return UNKNOWN
        head = node.head_name()
        call = self.call_at.get(id(node))
        if call is not None:
            if call.entry is not None:
                return self._entry_kind(call, depth)
            if call.binding is not None and call.binding.is_function:
                return self.return_kind(call.binding, depth + 1)
            maker = self.call_at.get(id(self.binding_value(call.head)))
            if maker is not None and maker.entry is not None \
                    and maker.entry.name == "recursive-spawn":
                return SYNTAX  # (its procedure answers with an llm-query's reply)
            return UNKNOWN
        if head in LAMBDA_NAMES:
            return PROCEDURE_K
        if head in _BODY_LAST or (head is not None and head.startswith("let")):
            return self.kind(node.items[-1], depth + 1) if len(node.items) > 1 else UNKNOWN
        if head == "if" and len(node.items) >= 3:
            return _branches({self.kind(branch, depth + 1) for branch in node.items[2:4]})
        if head in ("cond", "case") and len(node.items) > 1:
            # every clause's last expression (a clause of a test alone gives the test's value)
            clauses = node.items[1:] if head == "cond" else node.items[2:]
            return _branches({self.kind(clause.items[-1], depth + 1)
                              if isinstance(clause, ListNode) and clause.items else UNKNOWN
                              for clause in clauses})
        if head == "or" and len(node.items) > 1:
            # a syntax object is never #f: `(or r "fallback")` is r
            first = self.kind(node.items[1], depth + 1)
            if first in (SYNTAX, HANDLE):
                return first
            return _branches({self.kind(item, depth + 1) for item in node.items[1:]})
        if head == "try" and len(node.items) > 1:
            # (try body on-error handler): the body's value, as with-handlers' (the handler
            # is the failure path)
            return self.kind(node.items[1], depth + 1)
        if head == "and" and len(node.items) > 1:
            return self.kind(node.items[-1], depth + 1)
        if head == "for/list" or head == "for*/list":
            return LIST_K
        return UNKNOWN

    def _entry_kind(self, call: Call, depth: int) -> str:
        entry = call.entry
        assert entry is not None
        name = entry.name
        if name == "syntax-e":
            return STRING_K
        if name in ("await-all",):
            return STRINGS
        if entry.result == catalog.ELEMENT and call.positional():
            element = _ELEMENT_KINDS.get(self.kind(call.positional()[0], depth + 1))
            if element is not None:
                return element
        if name in ("map", "for/list") and call.positional():
            # (map f items) where f returns LLM text → a list of syntax objects
            fn = self.functions_of(call.positional()[0])
            if fn and all(self.function_result_kind(f, depth + 1) == SYNTAX for f in fn):
                return SYNTAXES
            return LIST_K
        return _RESULT_KINDS.get(entry.result, UNKNOWN)

    def return_kind(self, binding: Binding, depth: int = 0) -> str:
        if binding.function is None or not binding.body:
            return UNKNOWN
        return self.kind(binding.body[-1], depth + 1)

    def function_result_kind(self, function: ListNode, depth: int = 0) -> str:
        """Kind of what a lambda / define-function form returns (its last body form)."""
        binding = self.scopes.function_of.get(id(function))
        if binding is not None:
            return self.return_kind(binding, depth)
        if function.head_name() in LAMBDA_NAMES and len(function.items) > 2:
            return self.kind(function.items[-1], depth + 1)
        return UNKNOWN

    # -- what other forms see of a variable --------------------------------------------
    def exported(self, binding: Binding) -> tuple[object, ...]:
        """What an expression elsewhere can learn of a variable bound to a value (not a
        function) through its name: every fact here that follows a binding into its value
        and on through what that reads — for the searches that stop at a depth, what they
        find from every depth a reader may start them at (:func:`depth_profile`). Nodes
        compare by identity (a form an edit re-read has new ones). Equal before and after an
        edit: the edit changed nothing its readers see through this name, as far as these
        facts (and the rules' ``exports``) go. Meant for a Facts of its own: it forgets what
        ``from_context`` found before each search."""
        value = binding.value
        assert value is not None

        def context(depth: int) -> bool:
            self._context = {}  # (a finding kept from another depth would hide how deep it went)
            return self.from_context(value, depth)

        return (binding.assigned, self.kind(value), self.binding_value(value),
                self.literal_string(value), self.literal_number(value),
                tuple(self.literal_parts(value)),
                self._profile(lambda depth: self.list_size(value, depth), MAX_FOLLOW),
                self._profile(lambda depth: tuple(self.functions_of(value, depth)), MAX_FOLLOW),
                self._profile(context, _CONTEXT_DEPTH))

    def _profile(self, search: Callable[[int], object], limit: int) -> tuple[object, ...]:
        def run(depth: int) -> tuple[object, int]:
            self.deepest = depth
            found = search(depth)
            return found, self.deepest - depth
        return depth_profile(run, limit)

    # -- flow -------------------------------------------------------------------------
    def from_context(self, node: Node, depth: int = 0) -> bool:
        """Is the expression a fan-out item, parameter or loop variable, or derived from the
        context (and not from LLM replies)?"""
        if depth > self.deepest:
            self.deepest = depth
        if depth > _CONTEXT_DEPTH:
            return False
        key = id(node)
        known = self._context.get(key)
        if known is None and self._earlier_context is not None:
            known = self._earlier_context.get(key)
            if known is not None:
                if known[0] is node and self._keeps(node):  # type: ignore[misc]
                    self._context[key] = known  # (for the next edit's analysis in turn)
                else:
                    known = None
        # A True found ``d`` levels deep holds at every depth up to ``d``, a False at every
        # depth from ``d`` on (fewer levels left can only lose a path to the context).
        if known is not None and known[0] is node \
                and (depth <= known[2] if known[1] else depth >= known[2]):
            return known[1]
        found = self._from_context(node, depth)
        self._context[key] = (node, found, depth)
        return found

    def forget_earlier(self) -> None:
        """Stop reading the earlier analysis's findings (kept, they would hold it)."""
        self._earlier_context = None

    def _from_context(self, node: Node, depth: int) -> bool:
        if isinstance(node, Atom):
            if node.kind != SYMBOL:
                return False
            binding = self.scopes.binding_of(node)
            if binding is None:
                return bool(node.text == "context")
            if binding.kind in ("parameter", "for", "values"):
                return True
            if binding.kind == "let" and binding.value is None:  # named-let variable
                return True
            if binding.value is not None and not binding.assigned:
                return self.from_context(binding.value, depth + 1)
            return False
        if isinstance(node, Quote) or not isinstance(node, ListNode):
            return False
        head = node.head_name()
        if head in LAMBDA_NAMES:
            return False
        call = self.call_at.get(id(node))
        if call is not None and call.binding is not None:
            return False  # a user function's result: computed
        if call is not None and call.entry is not None:
            entry = call.entry
            if entry.cost in (catalog.LLM_SYNC, catalog.LLM_ASYNC, catalog.AWAIT,
                              catalog.FAN_OUT) or entry.name in LLM_CALLS + AWAIT_CALLS:
                return False
            if entry.name == "get-context":
                return True
            if entry.name in ("py-eval", "py-exec") and len(node.items) > 1:
                code = self.literal_string(node.items[1])
                return code is not None and bool(_PY_CONTEXT.search(code))
        for item in node.items[1:] if call is not None else node.items:
            if isinstance(item, Atom) and item.kind in (KEYWORD, STRING):
                continue
            if self.from_context(item, depth + 1):
                return True
        return False

    # -- functions and fan-outs -----------------------------------------------------
    def functions_of(self, node: Node | None, depth: int = 0) -> list[ListNode]:
        """The lambda / define forms an expression evaluates to, when it can be told:
        a lambda, a named function, a list of lambdas (thunks), a partial `sequence`, the
        lambda a user function returns (`(define (asker m) (lambda (d) …))`, `(asker "x")`)."""
        if depth > self.deepest:
            self.deepest = depth
        if depth > MAX_FOLLOW:
            return []
        node = self.binding_value(node) if not _is_function_symbol(self, node) else node
        if isinstance(node, ListNode) and node.head_name() in LAMBDA_NAMES:
            return [node]
        if isinstance(node, Atom) and node.kind == SYMBOL:
            binding = self.scopes.binding_of(node)
            if binding is not None and binding.function is not None:
                return [binding.function]
            return []
        if isinstance(node, ListNode) and node.head_name() in ("list", "vector"):
            out: list[ListNode] = []
            for item in node.items[1:]:
                out.extend(self.functions_of(item, depth + 1))
            return out
        if isinstance(node, ListNode) and node.head_name() in _VALUE_OF_LAST \
                and self.call_at.get(id(node)) is None:
            # (let ([m "…"]) (lambda (x) …)): the let's value is its last body form
            body = node.items[2:] if node.head_name() != "begin" else node.items[1:]
            if node.head_name() == "let" and len(node.items) > 2 and isinstance(node.items[1], Atom):
                return []  # a named let runs a loop: what it returns is not followed
            return self.functions_of(body[-1], depth + 1) if body else []
        call = self.call_at.get(id(node)) if isinstance(node, ListNode) else None
        if call is not None and call.binding is not None and call.binding.function is not None \
                and call.binding.body and call.binding.kind != "loop":
            # a closure factory: what its body returns
            return [f for f in self.functions_of(call.binding.body[-1], depth + 1)
                    if f.head_name() in LAMBDA_NAMES]
        if isinstance(node, Quote) and isinstance(node.datum, ListNode):
            return []
        if isinstance(node, ListNode) and node.head_name() in ("for/list", "map"):
            # (for/list ([d docs]) (lambda () ...)) builds thunks
            last = node.items[-1] if node.items else None
            return self.functions_of(last, depth + 1) if node.head_name() == "for/list" else []
        return []

    def function_body(self, function: ListNode) -> list[Node]:
        binding = self.scopes.function_of.get(id(function))
        if binding is not None and binding.body:
            return binding.body
        if function.head_name() in LAMBDA_NAMES:
            return function.items[2:]
        return []

    def calls_within(self, function: ListNode, transitive: bool = True) -> list[Call]:
        """Calls made when the function runs: in its body, and (transitively, bounded) in the
        user functions it calls."""
        key = id(function)
        cached = self._calls_within.get(key)
        if cached is not None:
            return cached
        self._calls_within[key] = []
        found: list[Call] = []
        seen_functions = {key}
        todo = [function]
        while todo and len(seen_functions) < MAX_FOLLOW:
            current = todo.pop()
            for form in self.function_body(current):
                for sub in form.walk():
                    call = self.call_at.get(id(sub))
                    if call is None:
                        continue
                    found.append(call)
                    if transitive and call.binding is not None and call.binding.function is not None:
                        target = call.binding.function
                        if id(target) not in seen_functions:
                            seen_functions.add(id(target))
                            todo.append(target)
        self._calls_within[key] = found
        return found

    def fan_outs(self) -> list[FanOutSite]:
        """Every call of a catalogue entry that has fan-out metadata."""
        if self._fan_outs is not None:
            return self._fan_outs
        sites: list[FanOutSite] = []
        reused, keeps = self._reused_sites, self._keeps
        for call in self.scopes.calls:
            entry = call.entry
            if entry is None or not entry.fan_out:
                continue
            if reused is not None and keeps is not None:
                old = reused.get(id(call.node))
                if old and old[0].call is call and keeps(call.node):
                    sites.extend(old)  # (the same Call: this form was not resolved again)
                    self.kept_sites += len(old)
                    continue
            positional = call.positional()
            for spec in entry.fan_out:
                if spec.func >= len(positional):
                    continue
                functions = self.functions_of(positional[spec.func])
                items = positional[spec.items] if spec.items is not None and spec.items < len(positional) else None
                if spec.items is None:
                    size = self.list_size(positional[spec.func])
                else:
                    size = self.list_size(items)
                window: int | None = spec.window_default
                if spec.window_keyword is not None and call.has_keyword(spec.window_keyword):
                    value = self.binding_value(call.keyword(spec.window_keyword))
                    number = self.literal_number(value)
                    window = int(number) if isinstance(number, int) else None
                if spec.window_keyword is None:
                    window = None if spec.concurrent else 1
                sites.append(FanOutSite(call, spec, functions, items, size, window))
        self._fan_outs = sites
        self._reused_sites = None  # (not to hold the earlier analysis's sites any longer)
        return sites

    def sites_by_call(self) -> dict[int, list[FanOutSite]]:
        """id(call node) → the fan-out sites of that call (most calls have one)."""
        if self._sites_by_call is None:
            found: dict[int, list[FanOutSite]] = {}
            for site in self.fan_outs():
                found.setdefault(id(site.call.node), []).append(site)
            self._sites_by_call = found
        return self._sites_by_call

    def list_size(self, node: Node | None, depth: int = 0) -> int | None:
        """Number of items of a list expression when it is knowable (RULES.md "fan-out size");
        never negative."""
        size = self._list_size(node, depth)
        return size if size is None or size >= 0 else None

    def _list_size(self, node: Node | None, depth: int) -> int | None:
        if depth > self.deepest:
            self.deepest = depth
        if depth > MAX_FOLLOW:
            return None
        node = self.binding_value(node)
        if isinstance(node, Quote) and node.prefix == "'" and isinstance(node.datum, ListNode):
            return len(node.datum.items)
        if not isinstance(node, ListNode):
            return None
        head = node.head_name()
        args = node.items[1:]
        if head in ("list", "vector"):
            return len(args)
        if head == "quote" and args and isinstance(args[0], ListNode):
            return len(args[0].items)
        if head == "range" and args:
            nums = [self.literal_number(a) for a in args]
            if all(isinstance(n, int) for n in nums):
                ints = [int(n) for n in nums]  # type: ignore[arg-type]
                if len(ints) == 1:
                    return max(ints[0], 0)
                step = ints[2] if len(ints) > 2 else 1
                if step:
                    return max(0, -(-(ints[1] - ints[0]) // step))
            return None
        if head in ("take", "take-right") and len(args) == 2:
            n = self.literal_number(args[1])
            total = self.list_size(args[0], depth + 1)
            if isinstance(n, int) and n >= 0:  # (a negative count is a run-time error)
                return min(n, total) if total is not None else n
            return None
        if head in ("drop", "drop-right") and len(args) == 2:
            n = self.literal_number(args[1])
            total = self.list_size(args[0], depth + 1)
            return max(total - n, 0) if isinstance(n, int) and n >= 0 and total is not None \
                else None
        if head == "chunk" and len(args) == 2:
            n = self.literal_number(args[1])
            total = self.list_size(args[0], depth + 1)
            if isinstance(n, int) and n > 0 and total is not None:
                return -(-total // n)
            return None
        if head in ("map", "map-async", "filter-map", "append-map") and len(args) >= 2:
            return self.list_size(args[1], depth + 1) if head in ("map", "map-async") else None
        if head in ("reverse", "sort", "shuffle") and args:
            return self.list_size(args[0], depth + 1)
        if head in ("for/list",) and len(args) >= 2 and isinstance(args[0], ListNode):
            clauses = args[0].items
            if len(clauses) == 1 and isinstance(clauses[0], ListNode) and len(clauses[0].items) == 2:
                seq = clauses[0].items[1]
                if isinstance(seq, ListNode) and seq.head_name() in ("in-list", "in-range") \
                        and len(seq.items) >= 2:
                    inner = seq.items[1]
                    if seq.head_name() == "in-range":
                        n = self.literal_number(inner)
                        return int(n) if isinstance(n, int) and len(seq.items) == 2 else None
                    return self.list_size(inner, depth + 1)
                return self.list_size(seq, depth + 1)
        if head == "py-eval" and args:
            code = self.literal_string(args[0])
            if code is not None:
                slices = _PY_SLICE.findall(code)
                if slices:  # the last slice bounds the resulting list: `[... for p in xs[:50]]`
                    return int(slices[-1])
        return None

    def site_functions(self) -> dict[int, list[FanOutSite]]:
        """id(function) → the fan-out sites that run it per item (or as a thunk)."""
        if self._site_functions is None:
            found: dict[int, list[FanOutSite]] = {}
            for site in self.fan_outs():
                for function in site.functions:
                    found.setdefault(id(function), []).append(site)
            self._site_functions = found
        return self._site_functions

    def item_sources(self, binding: Binding) -> list[Node] | None:
        """The list expressions whose items a variable takes one by one: the sequence of the
        ``for`` clause it is the variable of, or the items of each fan-out that runs the
        function it is the parameter of, when that function runs only so; None otherwise."""
        if binding.assigned or binding.atom is None:
            return None
        parents = self.scopes.document.parents
        if binding.kind == "for":
            clause = parent_list(parents, binding.atom)
            if clause is None or len(clause.items) != 2 or clause.items[0] is not binding.atom:
                return None
            clauses = parent_list(parents, clause)
            form = parent_list(parents, clauses) if clauses is not None else None
            if form is None or clauses is None or form.head_name() not in FOR_FORMS \
                    or index_in(form, clauses) != for_clauses_at(form):
                return None  # e.g. a for/fold accumulator: not an item of the list
            sequence = self.binding_value(clause.items[1]) or clause.items[1]
            if isinstance(sequence, ListNode) and sequence.head_name() == "in-list" \
                    and len(sequence.items) == 2:
                sequence = sequence.items[1]
            return [sequence]
        if binding.kind != "parameter":
            return None
        formals = parent_list(parents, binding.atom)
        function = parent_list(parents, formals) if formals is not None else None
        if function is None or formals is None:
            return None
        position = index_in(formals, binding.atom)
        if function.head_name() == "define":
            position -= 1  # (define (f item) …): the function's own name comes first
            if function.items[1] is not formals:
                return None
        elif function.head_name() not in LAMBDA_NAMES or function.items[1] is not formals:
            return None
        sites = self.site_functions().get(id(function), [])
        named = self.scopes.function_of.get(id(function))
        if not sites or (named is not None and len(named.refs) != len(sites)):
            return None  # also called some other way
        if any(position != _ITEM_PARAMETER.get(site.call.name, 0) for site in sites):
            return None  # not the parameter the items go to (fold-sequential's accumulator…)
        sources: list[Node] = []
        for site in sites:
            if site.spec.items is None or site.items is None:
                return None
            sources.append(site.items)
        return sources

    def literal_strings(self, node: Node) -> list[str] | None:
        """The strings of a list of literal strings (`'("a" "b")`, `(list "a" "b")`, also
        through a binding); None for anything else."""
        elements = self.literal_elements(node)
        if elements is None:
            return None
        strings: list[str] = []
        for element in elements:
            if not (isinstance(element, Atom) and element.kind == STRING
                    and isinstance(element.value, str)):
                return None
            strings.append(element.value)
        return strings

    def literal_elements(self, node: Node) -> list[Node] | None:
        """The elements of a list written out in place (`'(…)`, `(list …)`, also through a
        binding); None for anything else."""
        items = self.binding_value(node)
        if isinstance(items, Quote) and items.prefix == "'" and isinstance(items.datum, ListNode):
            return items.datum.items
        if isinstance(items, ListNode) and items.head_name() == "list":
            call = self.call_at.get(id(items))
            if call is not None and call.binding is None:
                return items.items[1:]
        return None

    def enclosing_fan_outs(self, node: Node) -> Iterator[FanOutSite]:
        """Fan-outs whose per-item functions contain ``node`` (directly or via calls)."""
        index = self._fan_out_index()
        if id(node) in self.call_at:
            yield from index.get(id(node), ())
            return
        for site in self.fan_outs():  # not a call: lexical containment only
            if any(f.start <= node.start and node.end <= f.end for f in site.functions):
                yield site

    def _fan_out_index(self) -> dict[int, list[FanOutSite]]:
        """id(call node) → the fan-outs that run it, built once (calls_within is transitive)."""
        if self._enclosing is None:
            index: dict[int, list[FanOutSite]] = {}
            for site in self.fan_outs():
                runs = site.runs
                if runs is None:
                    seen: dict[int, None] = {}
                    for function in site.functions:
                        for call in self.calls_within(function):
                            seen[id(call.node)] = None
                    runs = site.runs = list(seen)
                for key in runs:
                    index.setdefault(key, []).append(site)
            self._enclosing = index
        return self._enclosing


_PY_SLICE = re.compile(r"\[\s*:\s*(\d+)\s*\]")


def _is_function_symbol(facts: Facts, node: Node | None) -> bool:
    if isinstance(node, Atom) and node.kind == SYMBOL:
        binding = facts.scopes.binding_of(node)
        return binding is not None and binding.function is not None
    return False


def is_keyword(node: Node | None) -> bool:
    return isinstance(node, Atom) and node.kind == KEYWORD


def parent_list(parents: dict[int, Node], node: Node) -> ListNode | None:
    """The list directly containing ``node`` in a parent map (None at top level)."""
    parent = parents.get(id(node))
    return parent if parent.__class__ is ListNode else None  # type: ignore[return-value]


def index_in(parent: ListNode, child: Node) -> int:
    """The index of ``child`` among ``parent``'s items (by identity); -1 if not there."""
    for i, item in enumerate(parent.items):
        if item is child:
            return i
    return -1


def for_clauses_at(node: ListNode) -> int:
    """Where a ``for`` form's clauses are (after the accumulators of a ``for/fold``)."""
    head = node.head_name() or ""
    return 2 if head.endswith("fold") else 1


def depth_profile(search: Callable[[int], tuple[object, int]], limit: int) -> tuple[object, ...]:
    """What a search that gives up below ``limit`` levels finds from a value, for every depth
    a reader elsewhere may start it at (a reader reaches the value some levels deep, more
    through a chain of forms): ``search(depth)`` gives what it finds starting at ``depth``
    and how many levels below that it went. Started ``s`` levels deeper the search is the
    same while it stays above the limit, so only the starts near the limit are tried."""
    found, reach = search(0)
    profile: list[object] = [found, reach]
    for start in range(max(1, limit - reach + 1), limit + 2):
        profile.append(search(start)[0])
    return tuple(profile)
