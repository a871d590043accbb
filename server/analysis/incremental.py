"""Incremental lint: on each edit, re-run the rules only over the top-level forms the edit can
affect, and reuse every other diagnostic (shifted to its new place).

The unit of reuse is a *part*: a set of top-level forms that are linked to each other, and to
nothing else. Two forms are linked when

* one binds a name in the file's scope (``define``, ``define-values``, also inside a
  top-level ``begin`` or expression) that the other mentions — as a symbol, or as a string without spaces (``finish-var "x"``);
* both mention a Python-bridge primitive (``py-…``): Python names flow between them unseen;
* both belong to the *finish group*: the forms that mention ``finish``, ``finish-var`` or
  ``finish-error``, every form after the first top-level call of one, and the file's last form
  (F001 and F002 look at those together).

Linking is transitive, so a part is a connected component. An edit that changes no link (a
name that no form binds, a number, a string) keeps the parts and re-lints only its own. The diagnostics of a part depend
only on its own forms, plus (1) the names the file binds at top level, when a rule looked
them up (did-you-mean suggestions, ``finish-var``) and (2) line numbers, when a message quoted
a ``line:col``. A part's result is reused while it has exactly the same form objects (the
reader hands back the very same objects for forms an edit did not touch) and, when they were
consulted, the same top-level names and the same line:col for each of its forms (and the
file's last form in it, or not, as before).

A part is linted as :meth:`Document.subset` of its forms — the whole file's text and offsets,
so positions and messages are those of a whole-file lint — with the file's top-level names
visible (:attr:`Scopes.file_top_level_names`). Rules with ``SCOPE = "file"`` (the reader's
errors) run over the whole document each time; C007 adds up the cost of every part
(``partial``/``combine``). The result always equals :func:`lint_document` of the whole
document; ``tests/test_incremental.py`` checks that over random edit sequences.
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Callable, Container, Iterable
from typing import Any

from recipe.runtime.lang import catalog
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.syntax import (
    STRING,
    SYMBOL,
    Atom,
    Document,
    ListNode,
    Node,
    Quote,
    generation,
)

from ..rules import FILE, Rule
from .context import Analysis, Focus, Reuse, RuleContext
from .diagnostics import QUOTE_LIMIT, Diagnostic, Edit, Fix, Related
from .facts import FINISHERS, LLM_CALLS, Facts
from .lint import LintResult, apply_noqa, selected_rules
from .scopes import SPECIAL_FORM_NAMES, Binding, ResolutionCache, Scopes, resolve

# An edit inside the literal `#:instruction` or `#:data` of an LLM call changes only that
# call's input estimate and what the rules with READS_PROMPTS read. A part of at least
# PATCH_MIN_FORMS forms keeps its analysis, patched on such an edit instead of re-analysed.
PATCH_MIN_FORMS = 16
# A part of at least CONE_MIN_FORMS forms that an edit changed without changing its links
# runs its LOCAL rules again only over the forms the edit can affect (its *cone*, see
# ``_cone``) and keeps their findings elsewhere, while rules that are not LOCAL and the
# analysis itself cover the part as before.
CONE_MIN_FORMS = 16
CONE_MAX_SHARE = 0.5  # a cone of more of the part than this: the part is linted whole
# Catalogue results that cannot hold a procedure: a name bound to one links its readers to
# nothing they could call (see ``_cone``).
_NO_PROCEDURE = frozenset((catalog.STRING, catalog.SYNTAX, catalog.TEXT, catalog.NUMBER,
                           catalog.INTEGER, catalog.NATURAL, catalog.BOOLEAN, catalog.SYMBOL,
                           catalog.CHAR, catalog.STRINGS, catalog.SYNTAXES, catalog.VOID,
                           catalog.HANDLE, catalog.HANDLES, catalog.NEVER))


_MAX_NAME_STRING = 100


class FormInfo:
    """What linking needs to know of one top-level form (cached per form object)."""

    __slots__ = ("assigns", "binders", "finisher_call", "form", "generation", "link",
                 "mentions", "mentions_finisher", "python")

    def __init__(self, form: Node, document: Document) -> None:
        self.form = form  # held, so that the id() keys of the cache stay unique
        self.generation = generation(form)
        # What the form binds in the file's scope, by the resolver itself (a define in an
        # expression position of a top-level form binds there too).
        scopes = resolve(document.subset([form]))
        self.binders = tuple(scopes.root.bindings)
        # The names it set!s outside any local scope: their bindings' `assigned` flag, which
        # what reads them depends on (see _cone_of).
        self.assigns = tuple(sorted({atom.text for _, atom, binding in scopes.assignments
                                     if binding is None or binding.scope is scopes.root}))
        mentions: set[str] = set()
        stack: list[Node] = [form]
        while stack:
            node = stack.pop()
            cls = node.__class__
            if cls is ListNode:
                stack.extend(node.items)  # type: ignore[attr-defined]
            elif cls is Quote:
                if node.datum is not None:  # type: ignore[attr-defined]
                    stack.append(node.datum)  # type: ignore[attr-defined]
            elif cls is Atom:
                kind = node.kind  # type: ignore[attr-defined]
                if kind == SYMBOL:
                    mentions.add(node.text)  # type: ignore[attr-defined]
                elif kind == STRING and len(node.text) <= _MAX_NAME_STRING + 2:  # type: ignore[attr-defined]
                    value = node.value  # type: ignore[attr-defined]
                    if isinstance(value, str) and value and not any(c.isspace() for c in value):
                        mentions.add(value)
        self.mentions = frozenset(mentions)
        self.mentions_finisher = not mentions.isdisjoint(FINISHERS)
        self.python = any(name.startswith("py-") for name in mentions)
        self.finisher_call = _calls_finisher(form)
        # Everything _parts reads: equal links, equal parts.
        self.link = (self.binders, self.mentions, self.mentions_finisher, self.python,
                     self.finisher_call, self.assigns)


def _calls_finisher(form: Node) -> bool:
    """Whether a top-level form is a call of a finisher, or a top-level ``begin`` holding one
    among its forms (they are top-level forms too: F002 splices them)."""
    if form.__class__ is not ListNode:
        return False
    head = form.head_name()  # type: ignore[attr-defined]
    if head in FINISHERS:
        return True
    return head == "begin" and any(_calls_finisher(f) for f in form.items[1:])  # type: ignore[attr-defined]


class PartResult:
    """The cached lint of one part."""

    __slots__ = ("analysis", "diagnostics", "ends", "exports", "forms", "generations", "internal",
                 "names", "partials", "positions", "starts")

    def __init__(self, forms: list[Node], diagnostics: list[Diagnostic],
                 partials: dict[str, list[Any]], internal: list[str],
                 names: tuple[str, ...] | None, positions: list[tuple[int, int]] | None,
                 document: Document, analysis: Analysis | None = None,
                 exports: dict[str, tuple[object, ...]] | None = None) -> None:
        self.forms = forms
        self.generations = [generation(f) for f in forms]
        self.analysis = analysis  # kept for a big part: an edit inside a string patches it
        self.starts = [f.start for f in forms]
        self.ends = [f.end for f in forms]
        self.diagnostics = diagnostics
        self.partials = partials
        self.internal = internal
        self.names = names  # the file's top-level names, when a rule consulted them
        self.positions = positions  # line/col of each form, when a message quoted one
        # What the other forms see of some of the part's top-level variables (_Exports), as
        # of this lint: what the next edit's cone compares with
        self.exports = exports if exports is not None else {}

    def moved(self, diagnostics: list[Diagnostic]) -> PartResult:
        """This result after its forms moved (see :meth:`shifted`)."""
        copy = PartResult.__new__(PartResult)
        copy.forms = self.forms
        copy.generations = self.generations
        copy.analysis = self.analysis
        copy.starts = [f.start for f in self.forms]
        copy.ends = [f.end for f in self.forms]
        copy.diagnostics = diagnostics
        copy.partials = self.partials
        copy.internal = self.internal
        copy.names = self.names
        copy.positions = self.positions
        copy.exports = self.exports
        return copy

    def reusable(self, names: tuple[str, ...], document: Document) -> bool:
        if self.generations != [generation(f) for f in self.forms]:
            return False  # a form was edited in place (Document.edit_string)
        if self.names is not None and self.names != names:
            return False
        return self.positions_hold(document)

    def positions_hold(self, document: Document) -> bool:
        """Whether each form still starts at the line:col a message quoted (if any did)."""
        if self.positions is not None:
            return all(document.position(f.start) == pos
                       for f, pos in zip(self.forms, self.positions, strict=True))
        return True

    def shifted(self) -> list[Diagnostic] | None:
        """The diagnostics moved to where the forms are now; None when one cannot be placed
        (it lies between two forms that moved by different amounts)."""
        deltas = [f.start - s for f, s in zip(self.forms, self.starts, strict=True)]
        if all(d == 0 for d in deltas):
            return self.diagnostics
        if all(d == deltas[0] for d in deltas):
            delta = deltas[0]
            return [_shift(d, lambda offset: offset + delta) for d in self.diagnostics]
        starts, ends = self.starts, self.ends

        def move(offset: int) -> int:
            i = bisect.bisect_right(starts, offset) - 1
            if i >= 0 and offset <= ends[i]:
                return offset + deltas[i]
            before = deltas[i] if i >= 0 else deltas[0]
            after = deltas[i + 1] if i + 1 < len(deltas) else deltas[-1]
            if before != after:
                raise _Unplaceable
            return offset + before

        try:
            return [_shift(d, move) for d in self.diagnostics]
        except _Unplaceable:
            return None


class _Unplaceable(Exception):
    pass


def _shift(diag: Diagnostic, move: Any) -> Diagnostic:
    fix = diag.fix
    if fix is not None:
        fix = Fix(fix.message, tuple(Edit(move(e.start), move(e.end), e.new_text)
                                     for e in fix.edits), fix.safe)
    related = [Related(move(r.start), move(r.end), r.message) for r in diag.related]
    return Diagnostic(diag.code, diag.message, move(diag.start), move(diag.end), diag.severity,
                      fix, related, diag.origin or diag)


class IncrementalLinter:
    """Lints successive versions of one document, reusing what an edit did not affect.
    One per open document and configuration; not thread-safe (the server lints each document
    on one worker)."""

    def __init__(self, config: Config, filename: str = "<recipe>") -> None:
        self.config = config
        self.filename = filename
        self.rules: list[Rule] = selected_rules(config, filename)
        self.prompt_rules = frozenset(r.code for r in self.rules if r.reads_prompts)
        self.local_rules = frozenset(r.code for r in self.rules if r.local)
        self._infos: dict[int, FormInfo] = {}
        self._parts: dict[tuple[int | bool, ...], PartResult] = {}
        self._links: list[tuple[Any, ...]] = []
        self._last_parts: list[list[int]] = []
        # The last lint's forms, their infos, and each part's key and result, in part order:
        # what lets an edit that changed no link touch only the parts of the forms it changed.
        self._forms: list[Node] = []
        self._info_list: list[FormInfo] = []
        self._names: tuple[str, ...] = ()
        self._part_of: list[int] = []
        self._keys: list[tuple[int | bool, ...]] = []
        self._results: list[PartResult] = []
        self._generations: list[int] = []
        self._serial = 0  # the serial of the last document linted and kept
        self._resolutions = ResolutionCache()  # what resolving each form found, for the parts
        # each big part's index of who binds and who mentions what, while its links hold
        self._part_links: dict[int, tuple[list[int], _PartLinks]] = {}
        self.patched_parts = 0  # parts the last lint patched (for tests and benches)
        self.relinted_forms = 0  # forms re-analysed by the last lint (for tests and benches)
        self.relinked = False  # whether the last lint worked out the links again (idem)
        self.cone_forms = 0  # forms the last lint re-checked as a cone of a bigger part (idem)

    def lint(self, document: Document, analysis: Analysis | None = None,
             commit: Callable[[], bool] | None = None) -> LintResult:
        """Every diagnostic of ``document``, as :func:`lint_document` gives them.

        What was computed is kept for the next call unless ``commit`` returns False: the
        language server passes a check that no edit moved the tree meanwhile (edits shift
        the nodes of the forms after them in place)."""
        analysis = analysis or Analysis(document, self.config, self.filename)
        forms = document.forms
        fast = self._unchanged_links(forms, document)
        self.relinked = fast is None
        if fast is not None:
            # The edit changed no link (typing inside a string, a number, a keyword value…):
            # same parts, same top-level names; only the parts of the changed forms re-lint.
            infos, changed_forms, changed = fast
            names, parts, links = self._names, self._last_parts, list(self._links)
            for i in changed_forms:
                links[i] = infos[i].link
            fresh_infos = None
        else:
            infos, fresh = self._form_infos(document)
            fresh_infos = fresh
            changed_forms, changed = [], None
            names = tuple(dict.fromkeys(name for info in infos for name in info.binders))
            links = [info.link for info in infos]
            if links == self._links:
                parts = self._last_parts
            elif SPECIAL_FORM_NAMES.isdisjoint(names):
                parts = _parts(infos, len(forms) - 1)
            else:
                # A top-level definition shadows a special form (`(define (lambda …) …)`):
                # how every other form binds names then depends on it. One part, the file.
                parts = [list(range(len(forms)))] if forms else []
        diagnostics: list[Diagnostic] = []
        internal: list[str] = []
        partials: dict[str, list[Any]] = {}
        keys: list[tuple[int | bool, ...]] = []
        results: list[PartResult] = []
        self.relinted_forms = 0
        self.patched_parts = 0
        self.cone_forms = 0
        enabled = gc.isenabled()
        gc.disable()  # see lint_document
        try:
            last = len(forms) - 1
            for p, indices in enumerate(parts):
                if changed is not None and p not in changed:
                    # Same forms as last time: the key and result stand; a result with no
                    # diagnostics and no line:col in a message needs no moving either.
                    key, result = self._keys[p], self._results[p]
                    if result.diagnostics or result.positions is not None:
                        # same forms, generations and top-level names: only lines can move
                        moved = result.shifted() if result.positions_hold(document) else None
                        if moved is None:
                            result = self._lint_part(document, [forms[i] for i in indices], names)
                        elif moved is not result.diagnostics:
                            result = result.moved(moved)
                else:
                    part_forms = [forms[i] for i in indices]
                    # Whether the part holds the file's last form is part of the key: F001,
                    # N008 and the discarded-value rules treat the last form apart.
                    key = (*(id(f) for f in part_forms), indices[-1] == last)
                    result = self._parts.get(key)  # type: ignore[assignment]
                    patched = self._patch(document, result, names) \
                        if result is not None and changed is not None else None
                    if patched is not None:
                        result = patched
                        self.patched_parts += 1
                    else:
                        moved = result.shifted() if result is not None \
                            and result.reusable(names, document) else None
                        coned = self._cone(document, part_forms, self._results[p], names,
                                           [infos[i] for i in indices], indices) \
                            if moved is None and changed is not None else None
                        if coned is not None:
                            result = coned
                        elif result is None or moved is None:
                            result = self._lint_part(document, part_forms, names)
                        elif moved is not result.diagnostics:
                            result = result.moved(moved)
                keys.append(key)
                results.append(result)
                if result.diagnostics:
                    diagnostics.extend(result.diagnostics)
                if result.internal:
                    internal.extend(result.internal)
                for code, values in result.partials.items():
                    partials.setdefault(code, []).extend(values)
            for rule in self.rules:
                if rule.scope != FILE and rule.combine is None:
                    continue
                ctx = RuleContext(analysis, rule.code, self.config.severity.get(rule.code, rule.severity))
                try:
                    found: Iterable[Diagnostic] = rule.check(ctx) if rule.scope == FILE \
                        else rule.combine(ctx, partials.get(rule.code, []))  # type: ignore[misc]
                    diagnostics.extend(found)
                except (RecursionError, Exception) as exc:
                    internal.append(f"{rule.code}: {type(exc).__name__}: {exc}")
        finally:
            if enabled:
                gc.enable()
        if commit is None or commit():
            self._parts = dict(zip(keys, results, strict=True))
            if fresh_infos is None:
                fresh_infos = self._infos
                for i in changed_forms:
                    fresh_infos.pop(id(self._forms[i]), None)
                    fresh_infos[id(forms[i])] = infos[i]
            self._infos = fresh_infos
            self._links, self._last_parts, self._names = links, parts, names
            self._forms, self._info_list = list(forms), infos
            self._generations = [generation(f) for f in forms]
            self._serial = document.serial
            self._keys, self._results = keys, results
            # (what resolving each form found is kept for the big parts only: a small part
            # is linted again whole, or not at all)
            self._resolutions.keep_only([f for indices in parts if len(indices) >= CONE_MIN_FORMS
                                         for f in (forms[i] for i in indices)])
            if fast is None:
                self._part_links.clear()
                part_of = [0] * len(forms)
                for p, indices in enumerate(parts):
                    for i in indices:
                        part_of[i] = p
                self._part_of = part_of
        else:
            # Resolutions of this tree shared Binding objects with the kept analyses (see
            # ResolutionCache): those are no longer to be read.
            self._resolutions.clear()
            for result in [*self._parts.values(), *self._results]:
                result.analysis = None
        return LintResult(analysis, apply_noqa(document, diagnostics), internal)

    def _unchanged_links(self, forms: list[Node], document: Document
                         ) -> tuple[list[FormInfo], list[int], set[int]] | None:
        """When ``forms`` differ from the last lint's only in forms whose links are the same
        as before: the infos of ``forms``, the indices of the changed forms and of the parts
        holding them. Otherwise None."""
        old = self._forms
        if len(forms) != len(old) or not old or len(self._results) != len(self._last_parts):
            return None
        generations = self._generations
        changed_forms = [i for i, (a, b) in enumerate(zip(forms, old, strict=True))
                         if a is not b or generation(a) != generations[i]]
        if len(changed_forms) > 8:
            return None
        infos = list(self._info_list)
        top_level = frozenset(self._names)
        for i in changed_forms:
            info = FormInfo(forms[i], document)
            if info.link != infos[i].link and not _same_linking(info, infos[i], top_level):
                return None
            infos[i] = info
        return infos, changed_forms, {self._part_of[i] for i in changed_forms}

    def _form_infos(self, document: Document) -> tuple[list[FormInfo], dict[int, FormInfo]]:
        old = self._infos
        infos: list[FormInfo] = []
        fresh: dict[int, FormInfo] = {}
        for form in document.forms:
            info = old.get(id(form))
            if info is None or info.form is not form or info.generation != generation(form):
                info = FormInfo(form, document)
            fresh[id(form)] = info
            infos.append(info)
        return infos, fresh

    def _analysis(self, document: Document, forms: list[Node], names: tuple[str, ...],
                  earlier: Analysis | None = None) -> Analysis:
        """A part's analysis: the file's text and offsets, its top-level names visible, and
        (for a big part) resolved through the cache of what each form's resolution found
        (and with ``earlier``, the part's last analysis, its parent map made from that)."""
        analysis = Analysis(document.subset(forms, earlier.document if earlier else None),
                            self.config, self.filename)
        if len(forms) >= CONE_MIN_FORMS:
            analysis.resolution_cache = self._resolutions
        if len(forms) < len(document.forms):
            analysis.scopes.file_top_level_names = list(names)
        return analysis

    def _lint_part(self, document: Document, forms: list[Node],
                   names: tuple[str, ...], analysis: Analysis | None = None) -> PartResult:
        self.relinted_forms += len(forms)
        if analysis is None:
            analysis = self._analysis(document, forms, names)
        scopes = analysis.scopes
        diagnostics: list[Diagnostic] = []
        internal: list[str] = []
        partials: dict[str, list[Any]] = {}
        self._run_rules(analysis, None, diagnostics, partials, internal)
        positions = [document.position(f.start) for f in forms] if analysis.used_where else None
        return PartResult(forms, diagnostics, partials, internal,
                          names if scopes.used_file_names else None, positions, document,
                          analysis if len(forms) >= PATCH_MIN_FORMS else None)

    def _run_rules(self, analysis: Analysis, codes: frozenset[str] | None,
                   diagnostics: list[Diagnostic], partials: dict[str, list[Any]],
                   internal: list[str], focus: Focus | None = None) -> None:
        """Run the part-scoped rules (those of ``codes`` only, if given) over ``analysis``;
        the LOCAL ones over ``focus`` only, if given."""
        for rule in self.rules:
            if rule.scope == FILE or (codes is not None and rule.code not in codes):
                continue
            ctx = RuleContext(analysis, rule.code, self.config.severity.get(rule.code, rule.severity),
                              focus if rule.local else None)
            try:
                if rule.partial is not None:
                    partials[rule.code] = list(rule.partial(ctx))
                else:
                    diagnostics.extend(rule.check(ctx))
            except (RecursionError, Exception) as exc:
                internal.append(f"{rule.code}: {type(exc).__name__}: {exc}")

    def _cone(self, document: Document, forms: list[Node], previous: PartResult,
              names: tuple[str, ...], infos: list[FormInfo],
              indices: list[int]) -> PartResult | None:
        """The lint of a big part after an edit that changed some of its forms but no link,
        from ``previous`` (its lint before the edit): the part is analysed again, its rules
        that are not LOCAL run over all of it, the LOCAL ones over the forms whose findings
        the edit can change only (:func:`_cone_of`), and their findings in the other forms are
        kept, moved. None when that does not apply (the caller lints the part)."""
        if len(forms) < CONE_MIN_FORMS or len(previous.forms) != len(forms) \
                or not SPECIAL_FORM_NAMES.isdisjoint(names) \
                or (previous.names is not None and previous.names != names):
            return None
        changed = [k for k, (form, old, gen) in enumerate(
            zip(forms, previous.forms, previous.generations, strict=True))
            if form is not old or generation(form) != gen]
        if not changed:
            return None
        unchanged = set(range(len(forms))) - set(changed)
        if previous.positions is not None and any(
                document.position(forms[k].start) != previous.positions[k] for k in unchanged):
            return None  # a message quoted a line:col that moved
        analysis = self._analysis(document, forms, names, previous.analysis)
        scopes = analysis.scopes
        kept_links = self._part_links.get(id(indices))
        if kept_links is None or kept_links[0] is not indices:
            kept_links = self._part_links[id(indices)] = (indices, _PartLinks(infos))
        links = kept_links[1]
        co_used = _uses_changed(previous.forms, forms, changed, links.definers)
        exports = _Exports(analysis, self.rules, infos, links, previous.exports)
        cone = _cone_of(infos, changed, scopes, links, co_used, exports.unchanged)
        focus = Focus(analysis, sorted(cone))
        if previous.analysis is not None:
            # outside the cone every fan-out and every call is as before (the cone holds every
            # form whose figures the edit can change: see _cone_of)
            analysis.reuse = Reuse(previous.analysis, focus.spans)
        if len(cone) > CONE_MAX_SHARE * len(forms):
            return self._lint_part(document, forms, names, analysis)
        kept = _kept(previous, forms, cone, self.local_rules)
        if kept is None:
            return self._lint_part(document, forms, names, analysis)
        diagnostics: list[Diagnostic] = []
        internal: list[str] = [m for m in previous.internal
                               if m.split(":", 1)[0] in self.local_rules]
        partials: dict[str, list[Any]] = {}
        self._run_rules(analysis, None, diagnostics, partials, internal, focus)
        self.cone_forms += len(cone)
        positions = [document.position(f.start) for f in forms] \
            if analysis.used_where or previous.positions is not None else None
        return PartResult(forms, kept + diagnostics, partials, list(dict.fromkeys(internal)),
                          names if scopes.used_file_names or previous.names is not None
                          else None, positions, document, analysis,
                          exports.result([infos[k] for k in cone]))

    def _patch(self, document: Document, result: PartResult,
               names: tuple[str, ...]) -> PartResult | None:
        """``result`` brought up to date without re-analysing the part, when the only change
        since it is one edit inside the literal ``#:instruction`` or ``#:data`` of an LLM call
        (:meth:`Document.edit_string`); None when that is not the case."""
        analysis = result.analysis
        if analysis is None:
            return None
        edited = [f for f, g in zip(result.forms, result.generations, strict=True)
                  if generation(f) != g]
        if len(edited) != 1:
            return None
        form = edited[0]
        edit = form.edit  # type: ignore[attr-defined]
        if edit is None or generation(form) != result.generations[result.forms.index(form)] + 1 \
                or edit.base != self._serial or edit.result != document.serial \
                or result.names not in (None, names):
            return None
        estimates = analysis.estimates
        atom = edit.atom
        call_node = estimates._estimator.parent_list(atom)
        call = analysis.facts.call_at.get(id(call_node)) if call_node is not None else None
        if call is None or call.entry is None or call.binding is not None \
                or call.entry.name not in LLM_CALLS \
                or (call.keyword("instruction") is not atom and call.keyword("data") is not atom) \
                or estimates.call(call.node) is None:
            return None
        start: int = edit.start
        end: int = edit.end
        delta: int = edit.delta

        def move(offset: int) -> int:
            if offset <= start:
                return offset
            if offset >= end:
                return offset + delta
            raise _Unplaceable

        old_text = edit.old_text
        prompt_rules = self.prompt_rules
        kept = [d for d in result.diagnostics if d.code not in prompt_rules]
        quoted = old_text[:QUOTE_LIMIT - 1]  # (what a message shows of a long one)
        for d in kept:
            # a message or fix that copies source text holding the literal (C002's rewrite,
            # T003 quoting a short call): that rule must run again, so the whole part does
            if quoted in d.message or any(quoted in r.message for r in d.related) or (
                    d.fix is not None and any(old_text in e.new_text for e in d.fix.edits)):
                return None
        try:
            kept = [_shift(d, move) for d in kept] if delta else kept
        except _Unplaceable:
            return None
        sub = analysis.document
        sub.text = document.text
        sub._line_starts = document.line_starts
        analysis.scopes.follow_text()
        analysis.shared.clear()  # (what the rules worked out together was of the old text)
        analysis.facts.text_changed()
        estimates.refresh_call(call.node)
        partials = dict(result.partials)
        internal = [m for m in result.internal if m.split(":", 1)[0] not in prompt_rules]
        self._run_rules(analysis, prompt_rules, kept, partials, internal)
        forms = result.forms
        positions = [document.position(f.start) for f in forms] if analysis.used_where else None
        if result.positions is not None and positions != result.positions:
            return None  # a message quoted a line:col that moved (the analysis is now patched:
            # the part's fresh lint below does not use it)
        # What the other forms see of the part's variables is as before, but for those the
        # edited form binds (the literal pieces of its value: Facts.literal_parts)
        info = self._infos.get(id(form))
        exports = {name: seen for name, seen in result.exports.items()
                   if name not in info.binders} if info is not None and info.form is form else {}
        return PartResult(forms, kept, partials, internal, result.names, positions, document,
                          analysis, exports)


def _same_linking(new: FormInfo, old: FormInfo, top_level: frozenset[str]) -> bool:
    """Whether a form links to the others as before: only names that no form binds at top
    level (a local variable, a model name, a typo) came or went from what it mentions."""
    return (new.binders == old.binders and new.assigns == old.assigns
            and new.mentions_finisher == old.mentions_finisher
            and new.python == old.python and new.finisher_call == old.finisher_call
            and new.mentions & top_level == old.mentions & top_level)


class _PartLinks:
    """Who binds and who mentions each top-level name, in one part (indices of its forms):
    the same while no link changes, so kept from one keystroke to the next."""

    __slots__ = ("definers", "may_call", "users")

    def __init__(self, infos: list[FormInfo]) -> None:
        # whether each name may hold a procedure (see _may_be_procedure), as worked out so
        # far: forgotten for the names of the forms an edit changes
        self.may_call: dict[str, bool] = {}
        self.definers: dict[str, list[int]] = {}
        for k, info in enumerate(infos):
            for name in info.binders:
                self.definers.setdefault(name, []).append(k)
        self.users: dict[str, list[int]] = {}
        for k, info in enumerate(infos):
            for name in info.mentions:
                if name in self.definers:
                    self.users.setdefault(name, []).append(k)


def _cone_of(infos: list[FormInfo], changed: list[int], scopes: Scopes,
             links: _PartLinks, co_used: Iterable[str] = (),
             unchanged: Callable[[int], bool] | None = None) -> set[int]:
    """The forms of a part (indices) whose findings an edit of the ``changed`` ones can
    change, when no link changed: those, the forms they read (what is said about a
    definition depends on its uses), every form that reads what they bind or set!,
    transitively (what it computes may change), and the definitions of what any of these
    may call, transitively
    (how often their calls run may change: fan-out sizes, invocation counts). A name bound
    to a value that cannot hold a procedure (a string, a number, a list of strings…) links
    its readers to nothing they could call.

    Also readers, of the names in ``co_used`` (whose uses in the changed forms changed:
    what is said about one use of a name may depend on the others — X003's validation, a
    fix that is safe for a single use): the forms that mention them; with a Python-bridge
    form among the readers, every Python-bridge form of the part (Python names flow
    between them unseen). A reader whose syntax is unchanged passes on to its own readers
    only when what they can see of the names it binds changed (``unchanged(k)`` is False:
    see _Exports): a synthesis reading the joined result of a fan-out whose call an edit
    changed is not checked again while that result looks the same from outside."""
    definers, users = links.definers, links.users
    callable_names = links.may_call
    for k in changed:
        for name in infos[k].binders:
            callable_names.pop(name, None)
    cone = set(changed)
    for k in changed:
        for name in infos[k].mentions:
            cone.update(definers.get(name, ()))
    seeds = set(changed)
    readers = set(changed)
    for name in co_used:
        readers.update(users.get(name, ()))
    todo = list(readers)
    python = False
    while todo:
        k = todo.pop()
        info = infos[k]
        if info.python and not python:
            python = True
            for j, other in enumerate(infos):
                if other.python and j not in readers:
                    readers.add(j)
                    todo.append(j)
        passes_on = k in seeds or unchanged is None or not unchanged(k)
        for name in (*info.binders, *info.assigns) if passes_on else info.assigns:
            for user in users.get(name, ()):
                if user not in readers:
                    readers.add(user)
                    todo.append(user)
    cone |= readers
    callees = set(readers)
    todo = list(readers)
    while todo:
        for name in infos[todo.pop()].mentions:
            if name not in definers:
                continue
            may = callable_names.get(name)
            if may is None:
                may = callable_names[name] = _may_be_procedure(scopes.root.bindings.get(name),
                                                               scopes)
            if may:
                for definer in definers[name]:
                    if definer not in callees:
                        callees.add(definer)
                        todo.append(definer)
    cone |= callees
    return cone


def _uses_changed(old_forms: list[Node], forms: list[Node], changed: list[int],
                  names: Container[str]) -> set[str]:
    """The top-level names used differently in the changed forms than before the edit (one
    use more or less, or in another place of its call)."""
    out: set[str] = set()
    for k in changed:
        before, after = _uses(old_forms[k], names), _uses(forms[k], names)
        out.update(name for name in before.keys() | after.keys()
                   if before.get(name) != after.get(name))
    return out


def _uses(form: Node, names: Container[str]) -> dict[str, list[tuple[str | None, int]]]:
    """Each mention of a name of ``names`` in a form: (its list's head, its index there)."""
    found: dict[str, list[tuple[str | None, int]]] = {}
    stack: list[tuple[Node, ListNode | None, int]] = [(form, None, 0)]
    while stack:
        node, parent, index = stack.pop()
        cls = node.__class__
        if cls is ListNode:
            assert isinstance(node, ListNode)
            stack.extend((item, node, i) for i, item in enumerate(node.items))
        elif cls is Quote:
            if node.datum is not None:  # type: ignore[attr-defined]
                stack.append((node.datum, None, 0))  # type: ignore[attr-defined]
        elif cls is Atom and node.kind == SYMBOL and node.text in names:  # type: ignore[attr-defined]
            found.setdefault(node.text, []).append(  # type: ignore[attr-defined]
                (parent.head_name() if parent is not None else None, index))
    return found


class _Exports:
    """What the other forms of a part can see of the names a form binds, after an edit and
    before it (``earlier``: kept from the last lint of the part, for the names of the forms
    it checked): :meth:`Facts.exported`, and each LOCAL rule's ``exports``. Worked out on a
    Facts of its own (the analysis's are made once the cone is known: they keep what lies
    outside it) and only for a variable bound to a value that cannot hold a procedure (the
    facts of a procedure are its body's, and what its callers do with it)."""

    def __init__(self, analysis: Analysis, rules: list[Rule], infos: list[FormInfo],
                 links: _PartLinks, earlier: dict[str, tuple[object, ...]]) -> None:
        self.analysis = analysis
        self.infos = infos
        self.rules = [rule for rule in rules if rule.local and rule.exports is not None]
        self.links = links
        self.earlier = earlier
        self.fresh: dict[str, tuple[object, ...]] = {}
        self._probe: tuple[Facts, list[tuple[Any, RuleContext]]] | None = None

    def unchanged(self, k: int) -> bool:
        """Whether every name form ``k`` binds is seen from outside as before the edit."""
        scopes = self.analysis.scopes
        same = True
        for name in self.infos[k].binders:
            binding = scopes.root.bindings.get(name)
            if binding is None or binding.assigned or binding.is_function \
                    or binding.value is None or len(self.links.definers.get(name, ())) != 1 \
                    or _may_be_procedure(binding, scopes):
                return False
            seen = self.fresh.get(name)
            if seen is None:
                seen = self.fresh[name] = self._exported(binding)
            if self.earlier.get(name) != seen:
                same = False
        return same

    def _exported(self, binding: Binding) -> tuple[object, ...]:
        if self._probe is None:
            probe = Analysis(self.analysis.document, self.analysis.config,
                             self.analysis.filename)
            probe.__dict__["scopes"] = self.analysis.scopes
            self._probe = (probe.facts, [(rule.exports, RuleContext(probe, rule.code, rule.severity))
                                         for rule in self.rules])
        facts, contexts = self._probe
        value = binding.value
        assert value is not None
        return (*facts.exported(binding), *(export(ctx, value) for export, ctx in contexts))

    def result(self, cone: list[FormInfo]) -> dict[str, tuple[object, ...]]:
        """What the part's next lint compares with: the earlier findings for the names bound
        outside the cone (nothing they read changed), the fresh ones inside it."""
        exports = dict(self.earlier)
        for info in cone:
            for name in info.binders:
                exports.pop(name, None)
        exports.update(self.fresh)
        return exports


def _may_be_procedure(binding: Binding | None, scopes: Scopes) -> bool:
    """Whether a top-level name may hold a procedure (or a list of them) as far as the
    analysis can follow one: anything but a literal, a quoted datum or the result of a
    catalogue procedure that returns no procedure."""
    if binding is None or binding.function is not None or binding.value is None:
        return True
    value = binding.value
    if value.__class__ is Atom:
        return value.kind == SYMBOL  # type: ignore[attr-defined]
    if value.__class__ is Quote:
        return False
    head = value.items[0] if value.__class__ is ListNode and value.items else None  # type: ignore[attr-defined]
    if head.__class__ is Atom and scopes.binding_of(head) is None:  # type: ignore[arg-type]
        entry = scopes.builtin_refs.get(id(head))
        if entry is not None and entry.kind != catalog.SPECIAL_FORM:
            return entry.result not in _NO_PROCEDURE
    return True


def _kept(previous: PartResult, forms: list[Node], cone: set[int],
          local_rules: frozenset[str]) -> list[Diagnostic] | None:
    """The LOCAL rules' findings of ``previous`` in the forms outside ``cone``, moved to
    where those forms are now; None when one cannot be placed (it points into a changed
    form, or between forms that moved by different amounts)."""
    starts, ends = previous.starts, previous.ends
    deltas: list[int | None] = [
        None if k in cone else form.start - start
        for k, (form, start) in enumerate(zip(forms, starts, strict=True))]

    def form_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    def move(offset: int) -> int:
        i = form_of(offset)
        if i >= 0 and offset <= ends[i]:
            delta = deltas[i]
        else:
            before = deltas[i] if i >= 0 else deltas[0]
            after = deltas[i + 1] if i + 1 < len(deltas) else deltas[-1]
            delta = before if before == after else None
        if delta is None:
            raise _Unplaceable
        return offset + delta

    kept: list[Diagnostic] = []
    try:
        for diag in previous.diagnostics:
            if diag.code not in local_rules:
                continue
            i = form_of(diag.start)
            if i < 0 or i in cone or diag.start > ends[i]:
                continue  # (a LOCAL rule reports inside a form: this one is re-checked)
            moved = _shift(diag, move)
            # unmoved (the edit was after it, on the same line…): the very same object, which
            # the language server sends again without rebuilding its JSON
            kept.append(diag if moved.start == diag.start and moved.end == diag.end
                        and moved.related == diag.related and moved.fix == diag.fix else moved)
    except _Unplaceable:
        return None
    return kept


def _parts(infos: list[FormInfo], last: int) -> list[list[int]]:
    """The linked sets of forms (indices, in file order), in the order of their first form."""
    count = len(infos)
    parent = list(range(count + 2))  # + the finish group and the Python group
    finish_group, python_group = count, count + 1

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    definer: dict[str, int] = {}
    for i, info in enumerate(infos):
        for name in info.binders:
            first = definer.setdefault(name, i)
            if first != i:
                union(i, first)
    if definer:
        top_level = set(definer)
        for i, info in enumerate(infos):
            for name in info.mentions & top_level:
                union(i, definer[name])
    first_call = next((i for i, info in enumerate(infos) if info.finisher_call), count)
    for i, info in enumerate(infos):
        if info.mentions_finisher or i == last or i > first_call:
            union(i, finish_group)
        if info.python:
            union(i, python_group)
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
