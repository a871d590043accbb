"""Definition, references, rename, highlights, symbols and signature help."""

from __future__ import annotations

from lsprotocol import types
from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import (
    KEYWORD,
    STRING,
    SYMBOL,
    Atom,
    Document,
    ListNode,
    Node,
    Quote,
)
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.scopes import Binding

from .convert import Positions
from .locate import argument_index, chain_at, symbol_at
from .state import catalog_entries, lookup

MAX_DEPTH = 150
_BAD_NAME_CHARS = set("()[]{}\"';`,# \t\r\n|\\")


class RenameError(Exception):
    """A rename that cannot be done; the message is shown to the user."""


def binding_at(analysis: Analysis, offset: int) -> tuple[Atom | None, Binding | None]:
    atom = symbol_at(analysis.document, offset)
    if atom is None:
        return None, None
    return atom, analysis.scopes.binding_of(atom)


def occurrences(analysis: Analysis, binding: Binding) -> list[tuple[Atom, bool]]:
    """Every atom that names ``binding``: (atom, is_write), in source order."""
    resolved = analysis.scopes.resolved
    out: list[tuple[Atom, bool]] = []
    writes: set[int] = set()
    if binding.atom is not None:
        writes.add(id(binding.atom))
    for _form, target, b in analysis.scopes.assignments:
        if b is binding:
            writes.add(id(target))
    for node in analysis.document.walk():
        if isinstance(node, Atom) and node.kind == SYMBOL and resolved.get(id(node)) is binding:
            out.append((node, id(node) in writes))
    if binding.atom is not None and all(a is not binding.atom for a, _ in out):
        out.insert(0, (binding.atom, True))
    return out


def finish_var_uses(analysis: Analysis, binding: Binding) -> list[Atom]:
    """The ``(finish-var "name")`` strings naming a top-level variable (the run reads it by
    name when it ends, LANGUAGE.md §7): uses of it for navigation and rename."""
    scopes = analysis.scopes
    if binding.scope is not scopes.root:
        return []
    quoted = f'"{binding.name}"'
    out: list[Atom] = []
    for call in scopes.calls_to("finish-var"):
        args = call.positional()
        if call.binding is None and args and isinstance(args[0], Atom) \
                and args[0].kind == STRING and args[0].text == quoted:
            out.append(args[0])
    return out


def _finish_var_binding(analysis: Analysis, offset: int) -> tuple[Atom | None, Binding | None]:
    """The top-level variable a ``finish-var`` string under the cursor names."""
    chain = chain_at(analysis.document, offset)
    atom = chain[-1] if chain else None
    if not isinstance(atom, Atom) or atom.kind != STRING or not isinstance(atom.value, str):
        return None, None
    binding = analysis.scopes.root.bindings.get(atom.value)
    if binding is None or all(use is not atom for use in finish_var_uses(analysis, binding)):
        return None, None
    return atom, binding


def _inside(atom: Atom) -> tuple[int, int]:
    """The name inside a string atom (its quotes left out)."""
    return atom.start + 1, atom.end - 1


def definition(analysis: Analysis, pos: Positions, uri: str, offset: int) -> types.Location | None:
    _, binding = binding_at(analysis, offset)
    if binding is None:
        _, binding = _finish_var_binding(analysis, offset)
    if binding is None or binding.atom is None:
        return None
    return types.Location(uri=uri, range=pos.range(binding.atom.start, binding.atom.end))


def references(analysis: Analysis, pos: Positions, uri: str, offset: int,
               include_declaration: bool) -> list[types.Location]:
    _, binding = binding_at(analysis, offset)
    if binding is None:
        _, binding = _finish_var_binding(analysis, offset)
    if binding is None:
        return []
    return [types.Location(uri=uri, range=pos.range(a.start, a.end))
            for a, _ in occurrences(analysis, binding)
            if include_declaration or a is not binding.atom] + [
        types.Location(uri=uri, range=pos.range(*_inside(a)))
        for a in finish_var_uses(analysis, binding)]


def highlights(analysis: Analysis, pos: Positions, offset: int) -> list[types.DocumentHighlight]:
    atom, binding = binding_at(analysis, offset)
    if atom is None:
        return []
    if binding is None:
        # a catalogue name: highlight its uses that are not shadowed
        scopes = analysis.scopes
        out = []
        for node in analysis.document.walk():
            if isinstance(node, Atom) and node.kind == SYMBOL and node.text == atom.text \
                    and scopes.binding_of(node) is None:
                out.append(types.DocumentHighlight(range=pos.range(node.start, node.end),
                                                   kind=types.DocumentHighlightKind.Text))
        return out
    return [types.DocumentHighlight(
        range=pos.range(a.start, a.end),
        kind=types.DocumentHighlightKind.Write if write else types.DocumentHighlightKind.Read)
        for a, write in occurrences(analysis, binding)] + [
        types.DocumentHighlight(range=pos.range(*_inside(a)), kind=types.DocumentHighlightKind.Read)
        for a in finish_var_uses(analysis, binding)]


def valid_name(name: str) -> bool:
    if not name or any(ch in _BAD_NAME_CHARS for ch in name) or name == ".":
        return False
    try:
        float(name)
        return False
    except ValueError:
        pass
    return not (name[0] in "+-" and name[1:2].isdigit())


def prepare_rename(analysis: Analysis, offset: int) -> tuple[Atom, Binding]:
    atom = symbol_at(analysis.document, offset)
    if atom is None:
        raise RenameError("Nothing to rename here: put the cursor on a name.")
    binding = analysis.scopes.binding_of(atom)
    if binding is None:
        entry = lookup(atom.text)
        if entry is not None:
            what = "a protected name" if entry.protected else f"a {entry.kind}"
            raise RenameError(f"`{atom.text}` is {what} of the language and cannot be renamed.")
        raise RenameError(f"`{atom.text}` is not defined in this file.")
    if binding.kind == "implicit":
        raise RenameError(f"`{atom.text}` cannot be renamed.")
    return atom, binding


def rename(analysis: Analysis, pos: Positions, uri: str, offset: int,
           new_name: str) -> types.WorkspaceEdit:
    _atom, binding = prepare_rename(analysis, offset)
    if not valid_name(new_name):
        raise RenameError(f"`{new_name}` is not a valid identifier.")
    if new_name == binding.name:
        return types.WorkspaceEdit(changes={uri: []})
    entry = lookup(new_name)
    if entry is not None and (entry.protected or new_name in catalog_entries()):
        raise RenameError(f"`{new_name}` is a name of the language ({entry.kind}); "
                          "renaming to it would shadow or redefine it.")
    occ = occurrences(analysis, binding)
    scopes = analysis.scopes
    for a, _ in occ:
        other = scopes.scope_at(a.start).lookup(new_name)
        if other is not None and other is not binding:
            where = analysis.where(other.atom.start) if other.atom is not None else "here"
            raise RenameError(f"`{new_name}` is already bound at {where}: the rename would "
                              "change what a name refers to.")
    if binding.scope.bindings.get(new_name) is not None:
        raise RenameError(f"`{new_name}` is already defined in the same scope.")
    edits = [types.TextEdit(range=pos.range(a.start, a.end), new_text=new_name) for a, _ in occ]
    edits += [types.TextEdit(range=pos.range(*_inside(a)), new_text=new_name)
              for a in finish_var_uses(analysis, binding)]
    return types.WorkspaceEdit(changes={uri: edits})


# -- symbols ------------------------------------------------------------------------------
def _define_name(form: ListNode) -> tuple[Atom | None, bool]:
    if len(form.items) < 2:
        return None, False
    target = form.items[1]
    depth = 0
    while isinstance(target, ListNode) and target.items and depth < 10:
        if isinstance(target.items[0], ListNode):
            target = target.items[0]
            depth += 1
            continue
        head = target.items[0]
        return (head if isinstance(head, Atom) and head.kind == SYMBOL else None), True
    if isinstance(target, Atom) and target.kind == SYMBOL:
        value = form.items[2] if len(form.items) > 2 else None
        is_fn = isinstance(value, ListNode) and value.head_name() in ("lambda", "λ")
        return target, is_fn
    return None, False


def _symbols(nodes: list[Node], pos: Positions, depth: int) -> list[types.DocumentSymbol]:
    out: list[types.DocumentSymbol] = []
    if depth > MAX_DEPTH:
        return out
    for node in nodes:
        if isinstance(node, Quote):
            continue
        if not isinstance(node, ListNode):
            continue
        head = node.head_name()
        if head in ("define", "define-values"):
            children = _symbols(node.items[2:], pos, depth + 1)
            if head == "define":
                atom, is_fn = _define_name(node)
                if atom is None:
                    out.extend(children)
                    continue
                out.append(types.DocumentSymbol(
                    name=atom.text,
                    kind=types.SymbolKind.Function if is_fn else types.SymbolKind.Variable,
                    range=pos.range(node.start, node.end),
                    selection_range=pos.range(atom.start, atom.end),
                    detail=_detail(pos.document, node) if is_fn else None,
                    children=children or None))
            else:
                names = node.items[1]
                if isinstance(names, ListNode):
                    for a in names.items:
                        if isinstance(a, Atom) and a.kind == SYMBOL:
                            out.append(types.DocumentSymbol(
                                name=a.text, kind=types.SymbolKind.Variable,
                                range=pos.range(node.start, node.end),
                                selection_range=pos.range(a.start, a.end)))
                out.extend(children)
        else:
            out.extend(_symbols(node.items, pos, depth + 1))
    return out


def _detail(document: Document, form: ListNode) -> str | None:
    target = form.items[1]
    text: str = document.text[target.start:target.end]
    return text if len(text) <= 80 else text[:79] + "…"


def document_symbols(document: Document, pos: Positions) -> list[types.DocumentSymbol]:
    return _symbols(document.forms, pos, 0)


def top_level_names(document: Document) -> list[tuple[str, bool, Node, Atom]]:
    """(name, is_function, form, name atom) of every top-level definition."""
    out: list[tuple[str, bool, Node, Atom]] = []
    for form in document.forms:
        if isinstance(form, ListNode) and form.head_name() == "define":
            atom, is_fn = _define_name(form)
            if atom is not None:
                out.append((atom.text, is_fn, form, atom))
    return out


# -- signature help ------------------------------------------------------------------------
def _entry_signature(entry: catalog.Entry) -> tuple[str, list[tuple[int, int]], list[str]]:
    label = "(" + entry.name
    spans: list[tuple[int, int]] = []
    docs: list[str] = []
    for p in entry.params:
        part = f"{p.name} ..." if p.rest else f"[{p.name}]" if p.optional else p.name
        label += " "
        spans.append((len(label), len(label) + len(part)))
        docs.append(f"{p.name}: {p.type}" + (f" = {p.default}" if p.default else ""))
        label += part
    for kw in entry.keywords:
        part = f"#:{kw.name} {kw.type}" if kw.required else f"[#:{kw.name} {kw.type}]"
        label += " "
        spans.append((len(label), len(label) + len(part)))
        docs.append(kw.doc + (f" (default {kw.default_text})" if kw.default_text else ""))
        label += part
    label += f") → {entry.result}"
    return label, spans, docs


def signature_help(analysis: Analysis, offset: int) -> types.SignatureHelp | None:
    doc = analysis.document
    chain = chain_at(doc, offset)
    lst: ListNode | None = None
    for node in reversed(chain):
        if isinstance(node, ListNode) and not node.is_vector and node.start < offset and (
                offset < node.end or not node.closed):
            first = node.items[0] if node.items else None
            if isinstance(first, Atom) and first.kind == SYMBOL and not (
                    first.start <= offset <= first.end):
                lst = node
                break
    if lst is None:
        return None
    head = lst.items[0]
    assert isinstance(head, Atom)
    index, keyword = argument_index(lst, offset)
    binding = analysis.scopes.binding_of(head)
    if binding is not None:
        sig = binding.signature
        if sig is None:
            return None
        params = [*sig.required, *(f"[{o}]" for o in sig.optional)]
        kws = [f"#:{k} {k}" if req else f"[#:{k} {k}]" for k, req in sig.keywords.items()]
        parts = params + kws + ([f". {sig.rest}"] if sig.rest else [])
        label = "(" + binding.name
        spans = []
        for part in parts:
            label += " "
            spans.append((len(label), len(label) + len(part)))
            label += part
        label += ")"
        active: int | None
        if keyword is not None:
            names = list(sig.keywords)
            active = len(params) + names.index(keyword) if keyword in names else None
        elif index < len(params):
            active = index
        else:
            active = len(parts) - 1 if sig.rest else None
        info = types.SignatureInformation(
            label=label, parameters=[types.ParameterInformation(label=s) for s in spans])
        return types.SignatureHelp(signatures=[info], active_signature=0, active_parameter=active)
    entry = lookup(head.text)
    if entry is None:
        return None
    if not entry.is_procedure:
        info = types.SignatureInformation(
            label=entry.signature,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=entry.doc))
        return types.SignatureHelp(signatures=[info], active_signature=0)
    label, spans, docs = _entry_signature(entry)
    n_pos = len(entry.params)
    if keyword is not None:
        names = [k.name for k in entry.keywords]
        active = n_pos + names.index(keyword) if keyword in names else None
    elif index < n_pos:
        active = index
    elif entry.params and entry.params[-1].rest:
        active = n_pos - 1
    else:
        active = None
    info = types.SignatureInformation(
        label=label,
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=entry.doc),
        parameters=[types.ParameterInformation(
            label=s, documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=d))
            for s, d in zip(spans, docs, strict=True)])
    return types.SignatureHelp(signatures=[info], active_signature=0, active_parameter=active)


def is_keyword_atom(node: Node | None) -> bool:
    return isinstance(node, Atom) and node.kind == KEYWORD
