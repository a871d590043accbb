"""Bindings and scopes: which definition every identifier refers to, for every binding form.

The walk is recursive over nesting but bounded: below :data:`MAX_DEPTH` levels a subtree is
treated as opaque (no references recorded), so a 10,000-deep file cannot overflow the stack.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from recipe.runtime.lang import catalog
from recipe.runtime.lang.catalog import FOR_FORMS as FOR_FORMS  # (for the rules and estimates)
from recipe.runtime.lang.syntax import (
    KEYWORD,
    SYMBOL,
    Atom,
    Comment,
    Document,
    ListNode,
    Node,
    Quote,
    generation,
)

MAX_DEPTH = 200
_USER_CALLS = "\0user"  # the calls_by_name key of calls of user bindings

LAMBDA_NAMES = ("lambda", "λ")
LET_FORMS = {"let", "let*", "letrec", "letrec*"}
LET_VALUES_FORMS = {"let-values", "let*-values"}
QUOTING = {"quote", "syntax"}


class Signature:
    """The parameters of a user function: ``(f x [y 1] #:k [k 2] . rest)``."""

    __slots__ = ("keywords", "optional", "required", "rest")

    def __init__(self, required: list[str] | None = None, optional: list[str] | None = None,
                 keywords: dict[str, bool] | None = None, rest: str | None = None) -> None:
        self.required = required or []
        self.optional = optional or []
        self.keywords = keywords or {}  # name → required?
        self.rest = rest

    def text(self, name: str) -> str:
        parts = [name, *self.required, *(f"[{o}]" for o in self.optional)]
        parts += [f"#:{k} {k}" if req else f"[#:{k} {k}]" for k, req in self.keywords.items()]
        if self.rest:
            parts += [".", self.rest]
        return "(" + " ".join(parts) + ")"


class Binding:
    """One introduced name."""

    __slots__ = ("assigned", "atom", "body", "form", "function", "kind", "name", "refs",
                 "scope", "signature", "top_level", "value")

    def __init__(self, name: str, kind: str, atom: Atom | None, scope: Scope,
                 value: Node | None = None, function: ListNode | None = None,
                 signature: Signature | None = None, body: list[Node] | None = None,
                 top_level: bool = False, form: ListNode | None = None) -> None:
        self.name = name
        self.kind = kind  # define | function | parameter | let | loop | for | values
        self.atom = atom  # the defining occurrence
        self.scope = scope
        self.value = value  # init expression (for define/let), when there is one
        self.function = function  # the lambda / define form when it binds a function
        self.signature = signature
        self.body = body or []  # function body forms
        self.refs: list[Atom] = []
        self.assigned = False  # target of set!
        self.top_level = top_level
        self.form = form  # the whole binding form (define …)

    def __repr__(self) -> str:
        return f"Binding({self.name!r}, {self.kind})"

    @property
    def is_function(self) -> bool:
        return self.signature is not None


class Scope:
    """A region of the text (its node's, which moves with edits elsewhere; or given, for the
    file's scope) and the names it introduces."""

    __slots__ = ("_end", "_start", "bindings", "node", "open", "parent")

    def __init__(self, start: int, end: int, parent: Scope | None, open: bool = False,
                 node: Node | None = None) -> None:
        self._start = start
        self._end = end
        self.node = node
        self.parent = parent
        self.open = open  # its list lacks a closer: the cursor at its end is still inside
        self.bindings: dict[str, Binding] = {}

    @property
    def start(self) -> int:
        return self.node.start if self.node is not None else self._start

    @property
    def end(self) -> int:
        return self.node.end if self.node is not None else self._end

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end or (self.open and offset == self.end)

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.bindings.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def visible(self) -> Iterator[Binding]:
        seen: set[str] = set()
        scope: Scope | None = self
        while scope is not None:
            for name, binding in scope.bindings.items():
                if name not in seen:
                    seen.add(name)
                    yield binding
            scope = scope.parent


class Call:
    """A procedure call ``(head arg ...)`` with what its head refers to."""

    __slots__ = ("_keywords", "_positional", "binding", "entry", "head", "node")

    def __init__(self, node: ListNode, head: Atom, binding: Binding | None,
                 entry: catalog.Entry | None) -> None:
        self.node = node
        self.head = head
        self.binding = binding  # a user definition
        self.entry = entry  # a catalogue procedure (when not shadowed)
        self._keywords: list[tuple[Atom, Node | None]] | None = None
        self._positional: list[Node] | None = None

    @property
    def name(self) -> str:
        return self.head.text

    def args(self) -> list[Node]:
        return self.node.items[1:]

    def positional(self) -> list[Node]:
        """Arguments that are not keywords or keyword values."""
        if self._positional is not None:
            return self._positional
        out: list[Node] = []
        items = self.node.items
        i = 1
        while i < len(items):
            item = items[i]
            if isinstance(item, Atom) and item.kind == KEYWORD:
                i += 2
                continue
            out.append(item)
            i += 1
        self._positional = out
        return out

    def keywords(self) -> list[tuple[Atom, Node | None]]:
        """(keyword atom, value or None when missing), in order."""
        if self._keywords is not None:
            return self._keywords
        out: list[tuple[Atom, Node | None]] = []
        items = self.node.items
        i = 1
        while i < len(items):
            item = items[i]
            if isinstance(item, Atom) and item.kind == KEYWORD:
                value = items[i + 1] if i + 1 < len(items) else None
                if isinstance(value, Atom) and value.kind == KEYWORD:
                    value = None
                    out.append((item, None))
                    i += 1
                    continue
                out.append((item, value))
                i += 2
                continue
            i += 1
        self._keywords = out
        return out

    def keyword(self, name: str) -> Node | None:
        for atom, value in self.keywords():
            if atom.text[2:] == name:
                return value
        return None

    def has_keyword(self, name: str) -> bool:
        return any(atom.text[2:] == name for atom, _ in self.keywords())


class Scopes:
    """The result of resolving a document."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.root = Scope(0, len(document.text), None)
        self.scopes: list[Scope] = [self.root]
        self.bindings: list[Binding] = []
        self.resolved: dict[int, Binding] = {}  # id(atom) → binding
        self.builtin_refs: dict[int, catalog.Entry] = {}  # id(atom) → catalogue entry
        self.unbound: list[Atom] = []
        self.calls: list[Call] = []
        self.calls_by_name: dict[str, list[Call]] = {}
        self.assignments: list[tuple[ListNode, Atom, Binding | None]] = []  # set! forms
        self.function_of: dict[int, Binding] = {}  # id(lambda/define node) → its binding
        self.lambdas: list[ListNode] = []
        self._sorted: list[Scope] | None = None
        self._starts: list[int] = []
        # Where each top-level form's share of calls, bindings, unbound names, set! forms,
        # lambdas and scopes starts (and ends: the last mark), so that rules can look at
        # some forms only (RuleContext focus) and a splice can replace one form's share;
        # each form's top-level bindings come first, in `bindings` (root_marks).
        self.form_marks: list[tuple[int, int, int, int, int, int]] = []
        self.root_marks: list[int] = []
        # Set when this resolves part of a file (see Document.subset): the file's top-level
        # names, which that part can see but does not bind itself.
        self.file_top_level_names: list[str] | None = None
        self.used_file_names = False  # read by the incremental linter
        # Kept by a resolution through a ResolutionCache, for the next one to splice (see
        # _Resolver._splice): each form's share, and who looked each top-level name up.
        self._parts: list[_FormPart] | None = None
        self._lookup_users: dict[str, list[int]] = {}
        self._shared_roots: frozenset[str] = frozenset()  # names several forms bind
        self._lineage: object | None = None  # the owner of its parts (see _FormPart.owner)
        self._late_roots = False  # whether a form binds a top-level name while resolving
        self._call_index: dict[int, Call] | None = None

    def call_index(self) -> dict[int, Call]:
        """id(call node) → its call (made once, shared by every Facts over this resolution)."""
        if self._call_index is None:
            self._call_index = {id(c.node): c for c in self.calls}
        return self._call_index

    def follow_text(self) -> None:
        """After the document's text changed in place (an edit inside a string, see
        IncrementalLinter._patch): the file's scope spans all of it again."""
        self.root._end = len(self.document.text)

    @property
    def top_level_names(self) -> list[str]:
        """Every name the file binds at top level (all of them for a part of a file)."""
        self.used_file_names = True
        if self.file_top_level_names is not None:
            return self.file_top_level_names
        return list(self.root.bindings)

    def visible_names(self, scope: Scope) -> list[str]:
        """The names visible in ``scope``: its own and enclosing bindings, then the file's
        top-level names."""
        names: list[str] = []
        current: Scope | None = scope
        while current is not None and current is not self.root:
            names.extend(current.bindings)
            current = current.parent
        names.extend(self.top_level_names)
        return names

    def binding_of(self, atom: Atom) -> Binding | None:
        return self.resolved.get(id(atom))

    def scope_at(self, offset: int) -> Scope:
        """The innermost scope containing ``offset``."""
        if self._sorted is None:
            self._sorted = sorted(self.scopes, key=lambda sc: sc.start)
            self._starts = [sc.start for sc in self._sorted]
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            scope = self._sorted[i]
            if scope.contains(offset):
                # scopes that start at the same place: the deepest one is innermost
                same = [scope]
                j = i - 1
                while j >= 0 and self._sorted[j].start == scope.start:
                    if self._sorted[j].contains(offset):
                        same.append(self._sorted[j])
                    j -= 1
                return max(same, key=_depth)
            i -= 1
        return self.root

    def calls_to(self, *names: str) -> Iterator[Call]:
        for name in names:
            yield from self.calls_by_name.get(name, ())

    def user_calls(self) -> list[Call]:
        """The calls of the document's own functions (a binding of its own in call position)."""
        return self.calls_by_name.get(_USER_CALLS, [])

    def of_forms(self, indices: list[int]) -> FormShare:
        """The calls, bindings, unbound names and set! forms of some top-level forms
        (indices into the document's forms), in document order."""
        marks, roots = self.form_marks, self.root_marks
        calls: list[Call] = []
        inner: list[Binding] = []
        unbound: list[Atom] = []
        assignments: list[tuple[ListNode, Atom, Binding | None]] = []
        bindings: list[Binding] = []
        for i in indices:
            (c0, b0, u0, a0, _, _), (c1, b1, u1, a1, _, _) = marks[i], marks[i + 1]
            calls.extend(self.calls[c0:c1])
            bindings.extend(self.bindings[roots[i]:roots[i + 1]])
            inner.extend(self.bindings[b0:b1])
            unbound.extend(self.unbound[u0:u1])
            assignments.extend(self.assignments[a0:a1])
        return FormShare(calls, bindings + inner, unbound, assignments)


class FormShare:
    """What :meth:`Scopes.of_forms` gives."""

    __slots__ = ("assignments", "bindings", "calls", "unbound")

    def __init__(self, calls: list[Call], bindings: list[Binding], unbound: list[Atom],
                 assignments: list[tuple[ListNode, Atom, Binding | None]]) -> None:
        self.calls = calls
        self.bindings = bindings
        self.unbound = unbound
        self.assignments = assignments


def _depth(scope: Scope) -> int:
    depth = 0
    parent = scope.parent
    while parent is not None:
        depth += 1
        parent = parent.parent
    return depth


def _is_keyword(node: Node) -> bool:
    return node.__class__ is Atom and node.kind == KEYWORD  # type: ignore[attr-defined]


def _sym(node: Node | None) -> str | None:
    return node.text if isinstance(node, Atom) and node.kind == SYMBOL else None


class _FormPart:
    """One top-level form's share of a resolution: the names it binds at top level and what
    resolving it found. Kept by a :class:`ResolutionCache` for the next resolution of a tree
    that holds the same form: reused while every name it looked up at top level is bound as
    before (the same Binding object, or still nothing)."""

    __slots__ = ("assignments", "bindings", "builtin_refs", "calls", "calls_by_name", "form",
                 "function_of", "generation", "lambdas", "late_roots", "lookups", "owner",
                 "resolved", "root_refs", "root_sets", "roots", "scopes", "top_scopes",
                 "unbound")

    def __init__(self, form: Node) -> None:
        self.form = form
        self.generation = generation(form)
        self.roots: list[Binding] = []  # its top-level bindings (predeclared)
        self.late_roots: list[Binding] = []  # top-level bindings made while resolving it
        self.bindings: list[Binding] = []
        self.resolved: dict[int, Binding] = {}
        self.builtin_refs: dict[int, catalog.Entry] = {}
        self.unbound: list[Atom] = []
        self.calls: list[Call] = []
        self.calls_by_name: dict[str, list[Call]] = {}
        self.assignments: list[tuple[ListNode, Atom, Binding | None]] = []
        self.function_of: dict[int, Binding] = {}
        self.lambdas: list[ListNode] = []
        self.scopes: list[Scope] = []
        self.top_scopes: list[Scope] = []  # its scopes directly under the file's
        self.root_refs: list[tuple[Binding, Atom]] = []  # uses of top-level bindings
        self.root_sets: list[Binding] = []  # top-level bindings it set!s
        self.lookups: dict[str, Binding | None] = {}  # names looked up at top level
        # The lineage of resolutions that last put it together with others (see _splice):
        # their bindings and top-level scopes point to that lineage's file scope.
        self.owner: object | None = None

    def current(self, form: Node) -> bool:
        return self.form is form and self.generation == generation(form)

    @classmethod
    def again(cls, form: Node, roots: list[Binding]) -> _FormPart:
        """A share of ``form`` to resolve again, keeping its top-level bindings ``roots``
        (other forms' shares refer to them)."""
        part = cls(form)
        part.roots = roots
        for binding in roots:
            part.resolved[id(binding.atom)] = binding
            if binding.function is not None:
                part.function_of[id(binding.function)] = binding
        return part


class ResolutionCache:
    """What resolving each top-level form found, kept across resolutions of the successive
    trees of one document (the incremental linter's): a form that did not change and whose
    top-level names resolve as before is not resolved again. The Binding objects of its
    top-level definitions are shared by the resolutions that reuse it (their ``refs`` and
    ``assigned`` are redone by each), so only the latest resolution of a form is to be read."""

    def __init__(self) -> None:
        self.parts: dict[int, _FormPart] = {}
        # The latest resolution of each part of the document, by its first form: the next
        # resolution of that part takes it over when only a few of its forms changed.
        self.latest: dict[int, Scopes] = {}
        self.reused = 0  # forms the last resolution took from the cache (for tests, benches)
        self.spliced = False  # whether it was spliced into the part's latest (idem)

    def keep_only(self, forms: list[Node]) -> None:
        """Forget the forms not in ``forms``."""
        alive = {id(f) for f in forms}
        for key in [k for k in self.parts if k not in alive]:
            del self.parts[key]
        for key in [k for k in self.latest if k not in alive]:
            del self.latest[key]

    def clear(self) -> None:
        self.parts.clear()
        self.latest.clear()


class _Resolver:
    def __init__(self, document: Document, cache: ResolutionCache | None = None) -> None:
        self.result = Scopes(document)
        self.root = self.result.root
        self.cache = cache
        self.out: _FormPart = _FormPart(document.forms[0]) if document.forms else \
            _FormPart(Atom(SYMBOL, "", 0, 0))

    # -- bindings -----------------------------------------------------------------
    def bind(self, scope: Scope, atom: Node | None, kind: str, **extra: object) -> Binding | None:
        name = _sym(atom)
        if name is None:
            return None
        assert isinstance(atom, Atom)
        binding = Binding(name, kind, atom, scope, **extra)  # type: ignore[arg-type]
        existing = scope.bindings.get(name)
        if existing is not None and kind != "define":
            # a later parameter of the same name shadows within this scope
            pass
        scope.bindings[name] = binding
        self.out.bindings.append(binding)
        self.out.resolved[id(atom)] = binding
        return binding

    def new_scope(self, node: Node, parent: Scope) -> Scope:
        scope = Scope(node.start, node.end, parent,
                      open=isinstance(node, ListNode) and not node.closed, node=node)
        self.out.scopes.append(scope)
        return scope

    # -- entry --------------------------------------------------------------------
    def run(self) -> Scopes:
        """Resolve the document form by form (taking from the cache what still holds), then
        put the forms' shares together in document order."""
        result, root, cache = self.result, self.root, self.cache
        forms = result.document.forms
        if cache is not None:
            cache.spliced = False
            if forms:
                latest = cache.latest.pop(id(forms[0]), None)
                if latest is not None and latest.document.forms[0] is forms[0]:
                    spliced = self._splice(latest, cache)
                    if spliced is not None:
                        cache.spliced = True
                        cache.latest[id(forms[0])] = spliced
                        return spliced
                    # (the splice may have bound names in `latest`'s file scope: a new one is
                    # used below, and every binding and top-level scope points to it again)
                    self.root = root
        cached = cache.parts if cache is not None else {}
        parts: list[_FormPart] = []
        fresh: list[bool] = []
        # Top-level definitions are visible everywhere in the file (module scope).
        for form in forms:
            part = cached.get(id(form))
            if part is not None and part.current(form):
                fresh.append(False)
                for binding in part.roots:
                    root.bindings[binding.name] = binding
            else:
                part = _FormPart(form)
                fresh.append(True)
                self.out = part
                self.predeclare(form, root, top_level=True)
                part.roots, part.bindings = part.bindings, []
            parts.append(part)
        for binding in (b for part in parts for b in part.roots):
            binding.scope = root
        reused = 0
        for k, form in enumerate(forms):
            part = parts[k]
            if not fresh[k] and all(root.bindings.get(name) is binding
                                    for name, binding in part.lookups.items()):
                reused += 1
                for scope in part.top_scopes:
                    scope.parent = root
                for binding in part.late_roots:
                    binding.scope = root
                    root.bindings[binding.name] = binding
                continue
            if not fresh[k]:  # a name it used is bound anew: resolve it again
                part = parts[k] = _FormPart.again(form, part.roots)
            self._resolve_share(part, root)
        if cache is not None:
            cache.reused = reused
            for part in parts:
                cache.parts[id(part.form)] = part
        self._merge(parts)
        if cache is not None and forms:
            self._keep_for_splice(parts)
            cache.latest[id(forms[0])] = result
        return result

    def _resolve_share(self, part: _FormPart, root: Scope) -> None:
        """Resolve the form of ``part`` (its top-level names already bound) into it."""
        self.out = part
        self.expr(part.form, root, 0)
        part.top_scopes = [sc for sc in part.scopes if sc.parent is root]
        part.late_roots = [b for b in part.bindings if b.scope is root]

    def _keep_for_splice(self, parts: list[_FormPart]) -> None:
        result = self.result
        result._parts = parts
        lineage = result._lineage = object()
        for part in parts:
            part.owner = lineage
        users: dict[str, list[int]] = {}
        for k, part in enumerate(parts):
            for name in part.lookups:
                users.setdefault(name, []).append(k)
        result._lookup_users = users
        seen: set[str] = set()
        shared: set[str] = set()
        for part in parts:
            for binding in (*part.roots, *part.late_roots):
                (shared if binding.name in seen else seen).add(binding.name)
        result._shared_roots = frozenset(shared)
        result._late_roots = any(part.late_roots for part in parts)

    def _splice(self, latest: Scopes, cache: ResolutionCache) -> Scopes | None:
        """This document's resolution made from ``latest`` (the last one of the same part,
        whose containers it takes over: ``latest`` is not to be read again) when only a few
        forms changed, and none of them (before or after) binds a name another form binds,
        binds one while resolving or set!s one: those forms and the forms that looked up a
        name they bind are resolved again, and their shares replace the old ones. The same
        as the whole resolution (tests/test_incremental.py); None when it does not apply,
        having changed nothing that the whole resolution does not set again."""
        forms = self.result.document.forms
        old_forms = latest.document.forms
        parts = latest._parts
        if parts is None or len(old_forms) != len(forms) or len(parts) != len(forms):
            return None
        lineage = latest._lineage
        if latest._late_roots:
            # (a define inside an expression binds at top level only once resolved: what a
            # form before it finds depends on the order forms are resolved in)
            return None
        if not all(part.owner is lineage for part in parts):
            # a resolution of another part took some of these forms' shares since (with
            # their bindings, pointed to its own file scope, and their references)
            return None
        changed = [k for k, (form, old) in enumerate(zip(forms, old_forms, strict=True))
                   if form is not old or not parts[k].current(form)]
        if not changed or len(changed) > 8:
            return None
        root = latest.root
        names: set[str] = set()
        for k in changed:
            part = parts[k]
            if part.late_roots or part.root_sets:
                return None
            names.update(b.name for b in part.roots)
        if not names.isdisjoint(latest._shared_roots):
            return None
        self.root = root
        fresh: dict[int, _FormPart] = {}
        for k in changed:
            part = self.out = fresh[k] = _FormPart(forms[k])
            self.predeclare(forms[k], root, top_level=True)
            part.roots, part.bindings = part.bindings, []
            if [b.name for b in part.roots] != [b.name for b in parts[k].roots]:
                return None
            for binding in part.roots:
                binding.scope = root
        users = latest._lookup_users
        again = set(changed)
        for name in names:
            again.update(users.get(name, ()))
        order = sorted(again)
        for k in order:
            part = fresh.get(k)  # type: ignore[assignment]
            if part is None:  # it looked up a name bound anew: resolved again, same roots
                part = fresh[k] = _FormPart.again(forms[k], parts[k].roots)
            self._resolve_share(part, root)
            if part.late_roots or part.root_sets:
                return None
        # Every check passed: take `latest`'s containers over and replace the shares.
        result = self.result
        result.root = root
        root._end = len(result.document.text)
        for attr in ("scopes", "bindings", "resolved", "builtin_refs", "unbound", "calls",
                     "calls_by_name", "assignments", "function_of", "lambdas", "form_marks",
                     "root_marks", "_lookup_users", "_shared_roots", "_lineage",
                     "_late_roots"):
            setattr(result, attr, getattr(latest, attr))
        latest._parts = None
        result._parts = parts
        for k in reversed(order):
            self._replace_share(k, parts[k], fresh[k])
        self._replace_indexed([(forms[k].start, parts[k], fresh[k]) for k in order])
        for k in order:
            for name in parts[k].lookups:
                if name not in fresh[k].lookups:
                    users[name].remove(k)
                    if not users[name]:
                        del users[name]
            for name in fresh[k].lookups:
                if name not in parts[k].lookups:
                    users.setdefault(name, []).append(k)  # (the order does not matter)
            fresh[k].owner = lineage
            parts[k] = fresh[k]
            cache.parts[id(forms[k])] = fresh[k]
        cache.reused = len(forms) - len(order)
        return result

    def _replace_share(self, k: int, old: _FormPart, new: _FormPart) -> None:
        """Put form ``k``'s new share in place of its old one in the merged lists (the marks
        of the forms after it move by the difference in size)."""
        result = self.result
        roots = result.root_marks
        result.bindings[roots[k]:roots[k + 1]] = new.roots  # (as many: the same names)
        marks = result.form_marks
        (c0, b0, u0, a0, l0, s0), (c1, b1, u1, a1, l1, s1) = marks[k], marks[k + 1]
        result.calls[c0:c1] = new.calls
        result.bindings[b0:b1] = new.bindings
        result.unbound[u0:u1] = new.unbound
        result.assignments[a0:a1] = new.assignments
        result.lambdas[l0:l1] = new.lambdas
        result.scopes[s0:s1] = new.scopes
        dc, db = len(new.calls) - (c1 - c0), len(new.bindings) - (b1 - b0)
        du, da = len(new.unbound) - (u1 - u0), len(new.assignments) - (a1 - a0)
        dl, ds = len(new.lambdas) - (l1 - l0), len(new.scopes) - (s1 - s0)
        if dc or db or du or da or dl or ds:
            marks[k + 1:] = [(c + dc, b + db, u + du, a + da, la + dl, sc + ds)
                             for c, b, u, a, la, sc in marks[k + 1:]]

    def _replace_indexed(self, changes: list[tuple[int, _FormPart, _FormPart]]) -> None:
        """Replace some forms' shares (form start, old share, new share; in document order)
        in the tables and in the per-name lists, which keep document order: every old entry
        goes first (the nodes of a form read again are not where the old ones were), then
        each form's new ones go after those of the forms before it."""
        result = self.result
        for _, old, _ in changes:
            for key in old.resolved:
                result.resolved.pop(key, None)
            for key in old.builtin_refs:
                result.builtin_refs.pop(key, None)
            for key in old.function_of:
                result.function_of.pop(key, None)
        for _, _, new in changes:
            result.resolved.update(new.resolved)
            result.builtin_refs.update(new.builtin_refs)
            result.function_of.update(new.function_of)
        by_name = result.calls_by_name
        names = {name for _, old, new in changes
                 for name in (*old.calls_by_name, *new.calls_by_name)}
        for name in names:
            gone = {id(c) for _, old, _ in changes for c in old.calls_by_name.get(name, ())}
            calls = [c for c in by_name.get(name, ()) if id(c) not in gone]
            for start, _, new in changes:
                added = new.calls_by_name.get(name)
                if added:
                    at = bisect.bisect_left(calls, start, key=_call_start)
                    calls[at:at] = added
            if calls:
                by_name[name] = calls
            else:
                by_name.pop(name, None)
        touched: dict[int, Binding] = {}
        gone_refs: set[int] = set()
        for _, old, new in changes:
            for binding, atom in old.root_refs:
                touched[id(binding)] = binding
                gone_refs.add(id(atom))
            for binding, _ in new.root_refs:
                touched[id(binding)] = binding
        for binding in touched.values():
            binding.refs = [a for a in binding.refs if id(a) not in gone_refs]
        for start, _, new in changes:
            added_by: dict[int, list[Atom]] = {}
            for binding, atom in new.root_refs:
                added_by.setdefault(id(binding), []).append(atom)
            for key, atoms in added_by.items():
                refs = touched[key].refs
                at = bisect.bisect_left(refs, start, key=_atom_start)
                refs[at:at] = atoms

    def _merge(self, parts: list[_FormPart]) -> None:
        result = self.result
        roots = [b for part in parts for b in (*part.roots, *part.late_roots)]
        for binding in roots:
            binding.refs = []
            binding.assigned = False
        for part in parts:
            result.root_marks.append(len(result.bindings))
            result.bindings.extend(part.roots)
        result.root_marks.append(len(result.bindings))
        calls_by_name = result.calls_by_name
        for part in parts:
            result.form_marks.append(_marks(result))
            result.bindings.extend(part.bindings)
            result.resolved.update(part.resolved)
            result.builtin_refs.update(part.builtin_refs)
            result.unbound.extend(part.unbound)
            result.calls.extend(part.calls)
            for name, calls in part.calls_by_name.items():
                calls_by_name.setdefault(name, []).extend(calls)
            result.assignments.extend(part.assignments)
            result.function_of.update(part.function_of)
            result.lambdas.extend(part.lambdas)
            result.scopes.extend(part.scopes)
            for binding, atom in part.root_refs:
                binding.refs.append(atom)
            for binding in part.root_sets:
                binding.assigned = True
        result.form_marks.append(_marks(result))

    def lookup(self, scope: Scope, name: str) -> Binding | None:
        """``scope.lookup``, noting what a name resolves to at top level (cache validity)."""
        binding = scope.lookup(name)
        if binding is None or binding.scope is self.root:
            self.out.lookups[name] = binding
        return binding

    def predeclare(self, form: Node, scope: Scope, top_level: bool = False) -> None:
        """Bind the names a body-level ``define``/``define-values`` introduces."""
        if not isinstance(form, ListNode) or not form.items:
            return
        head = form.head_name()
        if head == "define" and len(form.items) >= 2:
            target = form.items[1]
            # curried define: ((f a) b) → f
            while isinstance(target, ListNode) and target.items:
                if isinstance(target.items[0], ListNode):
                    target = target.items[0]
                    continue
                sig = _signature(target.items[1:])
                binding = self.bind(scope, target.items[0], "function", function=form,
                                    signature=sig, body=form.items[2:], top_level=top_level,
                                    form=form)
                if binding is not None:
                    self.out.function_of[id(form)] = binding
                return
            value = form.items[2] if len(form.items) > 2 else None
            extra: dict[str, object] = {}
            if isinstance(value, ListNode) and value.head_name() in LAMBDA_NAMES \
                    and len(value.items) >= 2:
                extra = {"function": value, "signature": _signature_of_formals(value.items[1]),
                         "body": value.items[2:]}
            binding = self.bind(scope, target, "define", value=value, top_level=top_level,
                                form=form, **extra)
            if binding is not None and "function" in extra:
                self.out.function_of[id(value)] = binding
        elif head == "define-values" and len(form.items) >= 2 and isinstance(form.items[1], ListNode):
            for atom in form.items[1].items:
                self.bind(scope, atom, "values", top_level=top_level, form=form)
        elif head == "begin" and top_level:
            for sub in form.items[1:]:
                self.predeclare(sub, scope, top_level)

    # -- expressions ----------------------------------------------------------------
    def body(self, forms: list[Node], scope: Scope, depth: int) -> None:
        for form in forms:
            self.predeclare(form, scope)
        for form in forms:
            self.expr(form, scope, depth)

    def ref(self, atom: Atom, scope: Scope) -> None:
        name = atom.text
        binding = self.lookup(scope, name)
        if binding is not None:
            if binding.scope is self.root:
                self.out.root_refs.append((binding, atom))  # (its refs are put together last)
            else:
                binding.refs.append(atom)
            self.out.resolved[id(atom)] = binding
            return
        entry = catalog.lookup(name)
        if entry is not None:
            self.out.builtin_refs[id(atom)] = entry
            return
        self.out.unbound.append(atom)

    def expr(self, node: Node, scope: Scope, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(node, Atom):
            if node.kind == SYMBOL:
                self.ref(node, scope)
            return
        if isinstance(node, Quote):
            if node.datum is not None and node.prefix in ("`", "#`"):
                self.quasi(node.datum, scope, depth + 1, 1)
            return
        if not isinstance(node, ListNode) or not node.items or node.is_vector:
            return
        head = node.items[0]
        name = _sym(head)
        special = name is not None and self.lookup(scope, name) is None
        handler = _SPECIAL.get(name) if special and name is not None else None  # type: ignore[arg-type]
        if handler is not None:
            self.out.builtin_refs[id(head)] = catalog.lookup(name) or _FORM_ENTRY  # type: ignore[arg-type]
            handler(self, node, scope, depth + 1)
            return
        # a call
        for item in node.items:
            if not (isinstance(item, Atom) and item.kind == KEYWORD):
                self.expr(item, scope, depth + 1)
        if isinstance(head, Atom) and head.kind == SYMBOL:
            binding = self.out.resolved.get(id(head))
            entry = self.out.builtin_refs.get(id(head)) if binding is None else None
            call = Call(node, head, binding, entry)
            self.out.calls.append(call)
            key = head.text if binding is None else _USER_CALLS
            self.out.calls_by_name.setdefault(key, []).append(call)

    def quasi(self, node: Node, scope: Scope, depth: int, level: int) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(node, Quote):
            if node.datum is None:
                return
            if node.prefix in (",", ",@"):
                if level == 1:
                    self.expr(node.datum, scope, depth + 1)
                else:
                    self.quasi(node.datum, scope, depth + 1, level - 1)
            elif node.prefix == "`":
                self.quasi(node.datum, scope, depth + 1, level + 1)
            return
        if isinstance(node, ListNode):
            head = node.head_name()
            if head in ("unquote", "unquote-splicing") and len(node.items) == 2:
                if level == 1:
                    self.expr(node.items[1], scope, depth + 1)
                return
            for item in node.items:
                self.quasi(item, scope, depth + 1, level)

    # -- special forms --------------------------------------------------------------
    def form_define(self, node: ListNode, scope: Scope, depth: int) -> None:
        items = node.items
        if len(items) < 2:
            return
        target = items[1]
        if isinstance(target, ListNode):
            # (define (f params) body ...) — f was predeclared by the enclosing body
            inner = self.new_scope(node, scope)
            formals = target
            while isinstance(formals, ListNode) and formals.items and isinstance(formals.items[0], ListNode):
                formals = formals.items[0]
            self.params(formals.items[1:] if isinstance(formals, ListNode) else [], inner, depth)
            if isinstance(formals, ListNode) and formals.items:
                fname = formals.items[0]
                if isinstance(fname, Atom) and id(fname) not in self.out.resolved:
                    self.bind(scope, fname, "function", function=node,
                              signature=_signature(formals.items[1:]), body=items[2:], form=node)
            self.out.lambdas.append(node)
            self.body(items[2:], inner, depth)
            return
        if isinstance(target, Atom) and id(target) not in self.out.resolved:
            self.bind(scope, target, "define", value=items[2] if len(items) > 2 else None, form=node)
        for value in items[2:]:
            self.expr(value, scope, depth)

    def form_lambda(self, node: ListNode, scope: Scope, depth: int) -> None:
        if len(node.items) < 2:
            return
        inner = self.new_scope(node, scope)
        formals = node.items[1]
        if isinstance(formals, ListNode):
            self.params(formals.items, inner, depth)
        else:
            self.bind(inner, formals, "parameter")
        self.out.lambdas.append(node)
        self.body(node.items[2:], inner, depth)

    def params(self, items: list[Node], scope: Scope, depth: int) -> None:
        i = 0
        while i < len(items):
            item = items[i]
            if isinstance(item, Atom) and item.kind == KEYWORD:
                i += 1
                if i < len(items):
                    self.param(items[i], scope, depth)
            elif isinstance(item, Atom) and item.kind == "dot":
                if i + 1 < len(items):
                    self.bind(scope, items[i + 1], "parameter")
                i += 1
            else:
                self.param(item, scope, depth)
            i += 1

    def param(self, item: Node, scope: Scope, depth: int) -> None:
        if isinstance(item, ListNode) and item.items:  # [y default]
            for default in item.items[1:]:
                self.expr(default, scope, depth)
            self.bind(scope, item.items[0], "parameter")
        else:
            self.bind(scope, item, "parameter")

    def form_let(self, node: ListNode, scope: Scope, depth: int) -> None:
        items = node.items
        kind = node.head_name()
        if len(items) < 2:
            return
        named = _sym(items[1])
        clauses_at = 2 if named is not None else 1
        if clauses_at >= len(items):
            return
        clauses = items[clauses_at]
        pairs: list[tuple[Node, Node | None]] = []
        if isinstance(clauses, ListNode):
            for clause in clauses.items:
                if isinstance(clause, ListNode) and clause.items:
                    pairs.append((clause.items[0], clause.items[1] if len(clause.items) > 1 else None))
                elif isinstance(clause, Atom):
                    pairs.append((clause, None))
        inner = self.new_scope(node, scope)
        if named is not None:
            loop_scope = self.new_scope(node, scope)
            inner.parent = loop_scope
            for _, init in pairs:
                if init is not None:
                    self.expr(init, scope, depth)
            self.bind(loop_scope, items[1], "loop", function=node,
                      signature=Signature(required=[_sym(n) or "_" for n, _ in pairs]),
                      body=items[3:], form=node)
            for name_node, _ in pairs:
                self.bind(inner, name_node, "let")
            self.out.lambdas.append(node)
        elif kind == "let":
            for _, init in pairs:
                if init is not None:
                    self.expr(init, scope, depth)
            for name_node, init in pairs:
                self.bind(inner, name_node, "let", value=init)
        elif kind == "let*":
            current = scope
            for name_node, init in pairs:
                if init is not None:
                    self.expr(init, current, depth)
                step = self.new_scope(node, current)
                self.bind(step, name_node, "let", value=init)
                current = step
            inner.parent = current
        else:  # letrec
            for name_node, init in pairs:
                self.bind(inner, name_node, "let", value=init)
            for _, init in pairs:
                if init is not None:
                    self.expr(init, inner, depth)
        self.body(items[clauses_at + 1:], inner, depth)

    def form_let_values(self, node: ListNode, scope: Scope, depth: int) -> None:
        items = node.items
        if len(items) < 2 or not isinstance(items[1], ListNode):
            return
        sequential = node.head_name() == "let*-values"
        current = scope
        inner = self.new_scope(node, scope)
        for clause in items[1].items:
            if not isinstance(clause, ListNode) or not clause.items:
                continue
            for init in clause.items[1:]:
                self.expr(init, current if sequential else scope, depth)
            target = self.new_scope(node, current) if sequential else inner
            if isinstance(clause.items[0], ListNode):
                for atom in clause.items[0].items:
                    self.bind(target, atom, "values")
            if sequential:
                current = target
        if sequential:
            inner.parent = current
        self.body(items[2:], inner, depth)

    def form_define_values(self, node: ListNode, scope: Scope, depth: int) -> None:
        if len(node.items) >= 2 and isinstance(node.items[1], ListNode):
            for atom in node.items[1].items:
                if isinstance(atom, Atom) and id(atom) not in self.out.resolved:
                    self.bind(scope, atom, "values", form=node)
        for value in node.items[2:]:
            self.expr(value, scope, depth)

    def form_do(self, node: ListNode, scope: Scope, depth: int) -> None:
        """``(do ([id init step] ...) (stop? result ...) body ...)``: the inits in the outer
        scope; the steps, the test, the results and the body see the ids (loop variables,
        as the named let the runtime makes of it)."""
        items = node.items
        if len(items) < 3 or not isinstance(items[1], ListNode):
            for item in items[1:]:
                self.expr(item, scope, depth)
            return
        specs = [spec for spec in items[1].items if isinstance(spec, ListNode) and spec.items]
        for spec in specs:
            for init in spec.items[1:2]:
                self.expr(init, scope, depth)
        inner = self.new_scope(node, scope)
        for spec in specs:
            self.bind(inner, spec.items[0], "let")
        for spec in specs:
            for step in spec.items[2:]:
                self.expr(step, inner, depth)
        stop = items[2]
        for item in stop.items if isinstance(stop, ListNode) else [stop]:
            self.expr(item, inner, depth)
        for item in items[3:]:
            self.expr(item, inner, depth)

    def form_for(self, node: ListNode, scope: Scope, depth: int) -> None:
        items = node.items
        head = node.head_name() or ""
        i = 1
        inner = self.new_scope(node, scope)
        if head.endswith("fold") and len(items) > 1 and isinstance(items[1], ListNode):
            accumulators = items[1].items
            results: list[Node] = []
            for k, clause in enumerate(accumulators):
                if isinstance(clause, Atom) and clause.kind == KEYWORD:
                    # `#:result expr`: computed from the accumulators after the last round
                    if clause.text == "#:result" and k + 1 < len(accumulators):
                        results.append(accumulators[k + 1])
                elif isinstance(clause, ListNode) and clause.items and \
                        not (k > 0 and _is_keyword(accumulators[k - 1])):
                    for init in clause.items[1:]:
                        self.expr(init, scope, depth)
                    self.bind(inner, clause.items[0], "for")
            for result in results:
                self.expr(result, inner, depth)
            i = 2
        clause_list = items[i] if i < len(items) else None
        if isinstance(clause_list, ListNode):
            sequential = "*" in head
            clause_scope = self.new_scope(node, inner)
            clauses = clause_list.items
            j = 0
            while j < len(clauses):
                clause = clauses[j]
                if isinstance(clause, Atom) and clause.kind == KEYWORD:
                    if j + 1 < len(clauses):
                        self.expr(clauses[j + 1], clause_scope, depth)
                    j += 2
                    continue
                if isinstance(clause, ListNode) and clause.items:
                    for seq in clause.items[1:]:
                        self.expr(seq, clause_scope if sequential else inner, depth)
                    if isinstance(clause.items[0], ListNode):  # [(k v) (in-hash h)]
                        for atom in clause.items[0].items:
                            self.bind(clause_scope, atom, "for")
                    else:
                        self.bind(clause_scope, clause.items[0], "for")
                j += 1
            body_scope = clause_scope
            i += 1
        else:
            body_scope = inner
        self.body(items[i:], body_scope, depth)

    def form_set(self, node: ListNode, scope: Scope, depth: int) -> None:
        items = node.items
        target = items[1] if len(items) > 1 else None
        binding = None
        if isinstance(target, Atom) and target.kind == SYMBOL:
            binding = self.lookup(scope, target.text)
            if binding is not None:
                if binding.scope is self.root:
                    self.out.root_sets.append(binding)
                else:
                    binding.assigned = True
                self.out.resolved[id(target)] = binding
            elif catalog.lookup(target.text) is not None:
                self.out.builtin_refs[id(target)] = catalog.lookup(target.text)  # type: ignore[assignment]
            self.out.assignments.append((node, target, binding))
        for value in items[2:]:
            self.expr(value, scope, depth)

    def form_quote(self, node: ListNode, scope: Scope, depth: int) -> None:
        return

    def form_quasiquote(self, node: ListNode, scope: Scope, depth: int) -> None:
        for item in node.items[1:]:
            self.quasi(item, scope, depth, 1)

    def form_case(self, node: ListNode, scope: Scope, depth: int) -> None:
        items = node.items
        if len(items) > 1:
            self.expr(items[1], scope, depth)
        for clause in items[2:]:
            if isinstance(clause, ListNode):
                for form in clause.items[1:]:
                    self.expr(form, scope, depth)

    def form_cond(self, node: ListNode, scope: Scope, depth: int) -> None:
        for clause in node.items[1:]:
            if isinstance(clause, ListNode):
                for form in clause.items:
                    if _sym(form) in ("else", "=>"):
                        continue
                    self.expr(form, scope, depth)

    def form_generic(self, node: ListNode, scope: Scope, depth: int) -> None:
        """Special forms whose subforms are all expressions (if, when, begin, and, …)."""
        for item in node.items[1:]:
            self.expr(item, scope, depth)

    def form_body(self, node: ListNode, scope: Scope, depth: int) -> None:
        """Forms whose subforms are a body with internal defines (begin at depth > 0)."""
        self.body(node.items[1:], self.new_scope(node, scope), depth)

    def form_bindings_then_body(self, node: ListNode, scope: Scope, depth: int) -> None:
        """parameterize and with-handlers: ([x expr] …) evaluated, then a body."""
        items = node.items
        if len(items) > 1 and isinstance(items[1], ListNode):
            for clause in items[1].items:
                if isinstance(clause, ListNode):
                    for form in clause.items:
                        self.expr(form, scope, depth)
        self.body(items[2:], self.new_scope(node, scope), depth)

    def form_try(self, node: ListNode, scope: Scope, depth: int) -> None:
        for item in node.items[1:]:
            if _sym(item) == "on-error":
                continue
            self.expr(item, scope, depth)


def _signature_of_formals(formals: Node) -> Signature:
    if isinstance(formals, ListNode):
        return _signature(formals.items)
    return Signature(rest=_sym(formals) or "args")


def _signature(items: list[Node]) -> Signature:
    sig = Signature()
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Atom) and item.kind == KEYWORD:
            nxt = items[i + 1] if i + 1 < len(items) else None
            sig.keywords[item.text[2:]] = not isinstance(nxt, ListNode)
            i += 2
            continue
        if isinstance(item, Atom) and item.kind == "dot":
            sig.rest = _sym(items[i + 1]) if i + 1 < len(items) else "rest"
            break
        if isinstance(item, ListNode) and item.items:
            sig.optional.append(_sym(item.items[0]) or "_")
        else:
            sig.required.append(_sym(item) or "_")
        i += 1
    return sig


_FORM_ENTRY = catalog.Entry("special-form", catalog.SPECIAL_FORM)

_SPECIAL = {
    "define": _Resolver.form_define,
    "lambda": _Resolver.form_lambda,
    "λ": _Resolver.form_lambda,
    "define-values": _Resolver.form_define_values,
    "let-values": _Resolver.form_let_values,
    "let*-values": _Resolver.form_let_values,
    "set!": _Resolver.form_set,
    "quote": _Resolver.form_quote,
    "syntax": _Resolver.form_quote,
    "quasiquote": _Resolver.form_quasiquote,
    "case": _Resolver.form_case,
    "cond": _Resolver.form_cond,
    "parameterize": _Resolver.form_bindings_then_body,
    "with-handlers": _Resolver.form_bindings_then_body,
    "try": _Resolver.form_try,
    "do": _Resolver.form_do,
    **{name: _Resolver.form_let for name in LET_FORMS},
    **{name: _Resolver.form_for for name in FOR_FORMS},
    **{name: _Resolver.form_generic for name in ("if", "when", "unless", "and", "or", "begin")},
}
SPECIAL_FORM_NAMES = frozenset(_SPECIAL)  # forms the resolver treats apart, unless shadowed


def _marks(result: Scopes) -> tuple[int, int, int, int, int, int]:
    """Where the next form's share goes in each merged list (see Scopes.form_marks)."""
    return (len(result.calls), len(result.bindings), len(result.unbound),
            len(result.assignments), len(result.lambdas), len(result.scopes))


def _call_start(call: Call) -> int:
    return call.node.start


def _atom_start(atom: Atom) -> int:
    return atom.start


def resolve(document: Document, cache: ResolutionCache | None = None) -> Scopes:
    """Resolve every identifier of ``document`` (reusing what ``cache`` holds from earlier
    trees of the same document)."""
    return _Resolver(document, cache).run()


def comment_above(document: Document, node: Node) -> str | None:
    """The ``;`` comment lines directly above a definition, without the semicolons."""
    line, _ = document.position(node.start)
    lines: list[str] = []
    by_line = {document.position(c.start)[0]: c for c in document.comments
               if isinstance(c, Comment) and c.kind == "line"}
    current = line - 1
    while current in by_line:
        lines.append(by_line[current].text.lstrip(";").strip())
        current -= 1
    return "\n".join(reversed(lines)) or None


def is_special_form(name: str) -> bool:
    return name in _SPECIAL
