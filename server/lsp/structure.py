"""Semantic tokens, folding ranges and selection ranges."""

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
    has_line_break,
    line_end,
)
from recipe.server.analysis.context import Analysis

from .convert import Positions
from .locate import chain_at

TOKEN_TYPES = ["keyword", "function", "macro", "variable", "parameter", "property", "string"]
TOKEN_MODIFIERS = ["declaration", "defaultLibrary", "readonly", "async", "primitive",
                   "combinator", "embedded"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)
_T = {name: i for i, name in enumerate(TOKEN_TYPES)}
_M = {name: 1 << i for i, name in enumerate(TOKEN_MODIFIERS)}
PYTHON_CODE_CALLS = ("py-exec", "py-eval")


def _entry_token(entry: catalog.Entry) -> tuple[int, int]:
    lib = _M["defaultLibrary"]
    if entry.kind == catalog.SPECIAL_FORM:
        return _T["keyword"], 0
    if entry.kind == catalog.COMBINATOR:
        return _T["macro"], lib | _M["combinator"]
    if entry.kind == catalog.PRIMITIVE:
        mods = lib | _M["primitive"]
        if entry.cost in (catalog.LLM_ASYNC,):
            mods |= _M["async"]
        return _T["function"], mods
    if entry.kind in (catalog.VARIABLE, catalog.PARAMETER):
        return _T["variable"], lib | _M["readonly"]
    return _T["function"], lib


def semantic_tokens(analysis: Analysis, pos: Positions) -> list[int]:
    doc = analysis.document
    scopes = analysis.scopes
    raw: list[tuple[int, int, int, int, int]] = []  # line, char, length, type, modifiers
    python_strings: set[int] = set()
    for call in scopes.calls:
        if call.binding is None and call.name in PYTHON_CODE_CALLS:
            args = call.args()
            if args and isinstance(args[0], Atom) and args[0].kind == STRING:
                python_strings.add(id(args[0]))

    def add(start: int, end: int, ttype: int, mods: int) -> None:
        s = pos.position(start)
        e = pos.position(end)
        if s.line == e.line:
            if e.character > s.character:
                raw.append((s.line, s.character, e.character - s.character, ttype, mods))
            return
        # split a multi-line token per line (each piece up to its line's break)
        text, starts = doc.text, doc.line_starts
        for line in range(s.line, e.line + 1):
            piece_start = max(start, starts[line])
            piece_end = line_end(text, piece_start, end)
            ls = pos.position(piece_start)
            le = pos.position(piece_end)
            if le.character > ls.character:
                raw.append((ls.line, ls.character, le.character - ls.character, ttype, mods))

    for node in doc.walk():
        if not isinstance(node, Atom):
            continue
        if node.kind == KEYWORD:
            add(node.start, node.end, _T["property"], 0)
        elif node.kind == STRING and id(node) in python_strings:
            add(node.start, node.end, _T["string"], _M["embedded"])
        elif node.kind == SYMBOL:
            binding = scopes.binding_of(node)
            if binding is not None:
                decl = _M["declaration"] if binding.atom is node else 0
                if binding.signature is not None:
                    add(node.start, node.end, _T["function"], decl)
                elif binding.kind == "parameter":
                    add(node.start, node.end, _T["parameter"], decl)
                else:
                    add(node.start, node.end, _T["variable"], decl)
                continue
            entry = scopes.builtin_refs.get(id(node))
            if entry is None or entry.name == "special-form":
                from .state import lookup

                entry = lookup(node.text)
            if entry is not None:
                ttype, mods = _entry_token(entry)
                add(node.start, node.end, ttype, mods)
    raw.sort()
    data: list[int] = []
    prev_line = prev_char = 0
    for line, char, length, ttype, mods in raw:
        delta_line = line - prev_line
        delta_char = char - prev_char if delta_line == 0 else char
        data.extend((delta_line, delta_char, length, ttype, mods))
        prev_line, prev_char = line, char
    return data


def folding_ranges(doc: Document) -> list[types.FoldingRange]:
    out: list[types.FoldingRange] = []

    def fold(start: int, end: int, kind: str | None = None) -> None:
        s = doc.position(start)[0]
        e = doc.position(max(start, end - 1))[0]
        if e > s:
            out.append(types.FoldingRange(start_line=s, end_line=e, kind=kind))

    for form in doc.forms:
        fold(form.start, form.end)
    run_start: int | None = None
    run_end = 0
    last_line = -2
    for comment in doc.comments:
        if comment.kind == "block":
            fold(comment.start, comment.end, types.FoldingRangeKind.Comment)
        elif comment.kind == "line":
            line = doc.position(comment.start)[0]
            if line == last_line + 1 and run_start is not None:
                run_end = comment.end
            else:
                if run_start is not None:
                    fold(run_start, run_end, types.FoldingRangeKind.Comment)
                run_start, run_end = comment.start, comment.end
            last_line = line
    if run_start is not None:
        fold(run_start, run_end, types.FoldingRangeKind.Comment)
    for node in doc.walk():
        if isinstance(node, Atom) and node.kind == STRING and has_line_break(node.text):
            fold(node.start, node.end, types.FoldingRangeKind.Region)
        elif isinstance(node, ListNode) and node not in doc.forms and node.head_name() in (
                "define", "lambda", "λ", "let", "let*", "letrec"):
            fold(node.start, node.end)
    out.sort(key=lambda r: (r.start_line, -r.end_line))
    return out


MAX_SELECTION = 100  # ranges in one selection chain, at most


def selection_range(doc: Document, pos: Positions, offset: int) -> types.SelectionRange:
    chain = chain_at(doc, offset)
    result: types.SelectionRange | None = None
    spans: list[tuple[int, int]] = []
    for node in chain:
        if isinstance(node, ListNode) and node.items and node.end - node.start > 2:
            spans.append((node.start, node.end))
            inner = (node.items[0].start, node.items[-1].end)
            if inner != (node.start, node.end):
                spans.append(inner)
        else:
            spans.append((node.start, node.end))
    seen: set[tuple[int, int]] = set()
    # (the innermost MAX_SELECTION only: the client's JSON reader, and the server's writer,
    # recurse once per level of the chain)
    for start, end in spans[-MAX_SELECTION:]:
        if (start, end) in seen or not start <= offset <= end:
            continue  # (each range holds the position: not the inside of a list at its paren)
        if result is not None and not (start >= _sr_start(result, pos) and end <= _sr_end(result, pos)):
            continue
        seen.add((start, end))
        result = types.SelectionRange(range=pos.range(start, end), parent=result)
    if result is None:
        return types.SelectionRange(range=pos.range(offset, offset))
    return result


def _sr_start(sr: types.SelectionRange, pos: Positions) -> int:
    return pos.offset(sr.range.start)


def _sr_end(sr: types.SelectionRange, pos: Positions) -> int:
    return pos.offset(sr.range.end)
