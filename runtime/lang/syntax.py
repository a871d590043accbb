"""Syntax tree of a recipe: nodes with character offsets, and the document that owns them.

The tree is lossless: a :class:`Document` keeps the source text, every significant form
(atoms, lists, quote forms), every comment, and every syntax error, each with its span.
Whitespace is the text between spans. Offsets are Python string indices (code points);
:meth:`Document.position` turns them into 0-based line/column, and
:meth:`Document.utf16_position` into the UTF-16 columns the LSP uses.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction

# Atom kinds
SYMBOL = "symbol"
STRING = "string"
NUMBER = "number"
BOOLEAN = "boolean"
CHAR = "char"
KEYWORD = "keyword"
DOT = "dot"
ERROR = "error"  # a malformed token; the reader reports it (S004/S005)

# Comment kinds
LINE_COMMENT = "line"
BLOCK_COMMENT = "block"
DATUM_COMMENT = "datum"
LANG_LINE = "lang"

QUOTE_NAMES = {
    "'": "quote",
    "`": "quasiquote",
    ",": "unquote",
    ",@": "unquote-splicing",
    "#'": "syntax",
    "#`": "quasisyntax",
    "#,": "unsyntax",
    "#,@": "unsyntax-splicing",
}
CLOSER_FOR = {"(": ")", "[": "]", "{": "}"}

NAMED_CHARS = {
    "space": " ", "newline": "\n", "linefeed": "\n", "tab": "\t", "return": "\r",
    "nul": "\0", "null": "\0", "backspace": "\b", "delete": "\x7f", "rubout": "\x7f",
    "escape": "\x1b", "alarm": "\x07", "vtab": "\v", "page": "\f",
}
STRING_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "a": "\x07", "b": "\b",
    "v": "\v", "f": "\f", "e": "\x1b", "0": "\0", "'": "'", "\n": "",
}


class Node:
    """Base of every tree node: a half-open span ``[start, end)`` of the source text."""

    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, in source order, without recursion."""
        return _walk([self])

    def _shift(self, delta: int) -> None:
        # Hot on every keystroke (the forms after an edit move): a plain loop, no generator.
        stack: list[Node] = [self]
        pop, extend, append = stack.pop, stack.extend, stack.append
        list_node, quote = ListNode, Quote
        while stack:
            node = pop()
            node.start += delta
            node.end += delta
            cls = node.__class__
            if cls is list_node:
                extend(node.items)  # type: ignore[attr-defined]
            elif cls is quote and node.datum is not None:  # type: ignore[attr-defined]
                append(node.datum)  # type: ignore[attr-defined]


class Atom(Node):
    """A leaf: symbol, string, number, boolean, character, keyword, ``.`` or a bad token."""

    __slots__ = ("_value", "kind", "text")

    def __init__(self, kind: str, text: str, start: int, end: int) -> None:
        super().__init__(start, end)
        self.kind = kind
        self.text = text
        self._value: object = _UNSET

    @property
    def value(self) -> object:
        """The datum: decoded string, int/Fraction/float, bool, char, keyword name, symbol."""
        if self._value is _UNSET:
            self._value = atom_value(self.kind, self.text)
        return self._value

    def is_symbol(self, name: str | None = None) -> bool:
        return self.kind == SYMBOL and (name is None or self.text == name)

    def __repr__(self) -> str:
        return f"Atom({self.kind}, {self.text!r}, {self.start}-{self.end})"


class ListNode(Node):
    """``( … )``, ``[ … ]``, ``{ … }`` or a vector ``#( … )``; ``closed`` is False when the
    reader had to close it itself (S001)."""

    __slots__ = ("_below", "_parents", "closed", "edit", "generation", "items", "opener")

    def __init__(self, opener: str, items: list[Node], start: int, end: int, closed: bool) -> None:
        super().__init__(start, end)
        self.opener = opener
        self.items = items
        self.closed = closed
        self._below: list[Node] | None = None
        self._parents: dict[int, Node] | None = None
        # A top-level form edited in place (Document.edit_string): how many times, and the
        # last edit.
        self.generation = 0
        self.edit: StringEdit | None = None

    def descendants(self) -> list[Node]:
        """Every node below this one, in source order (listed once: a read tree never
        changes shape)."""
        below = self._below
        if below is None:
            below = self._below = list(_walk(self.items))
        return below

    def parent_map(self) -> dict[int, Node]:
        """id(node) → the list or quote directly containing it, for every node below this
        one (built once, like :meth:`descendants`)."""
        parents = self._parents
        if parents is None:
            parents = self._parents = _parent_map([self])
        return parents

    def _shift(self, delta: int) -> None:
        # A top-level form after an edit moves on every keystroke: its nodes move in a flat
        # loop.
        below = self.descendants()
        self.start += delta
        self.end += delta
        for node in below:
            node.start += delta
            node.end += delta

    @property
    def is_vector(self) -> bool:
        return self.opener.startswith("#")

    def head_name(self) -> str | None:
        """The symbol in operator position, if any."""
        items = self.items
        if items and self.opener[0] != "#":
            head = items[0]
            if head.__class__ is Atom and head.kind == SYMBOL:  # type: ignore[attr-defined]
                return head.text  # type: ignore[attr-defined]
        return None

    def __repr__(self) -> str:
        return f"ListNode({self.opener!r}, {len(self.items)} items, {self.start}-{self.end})"


def generation(form: Node) -> int:
    """How many times a top-level form was edited in place (:meth:`Document.edit_string`)."""
    return form.generation if form.__class__ is ListNode else 0  # type: ignore[attr-defined]


class StringEdit:
    """One edit made inside a string literal in place: ``atom``'s text, between offsets
    ``start`` and ``end`` of the document numbered ``base``, was replaced, moving what
    follows by ``delta``; the document numbered ``result`` came out. ``old_text`` is the
    literal as it was written before."""

    __slots__ = ("atom", "base", "delta", "end", "old_text", "result", "start")

    def __init__(self, atom: Atom, start: int, end: int, delta: int, base: int,
                 result: int, old_text: str) -> None:
        self.atom = atom
        self.old_text = old_text
        self.start = start
        self.end = end
        self.delta = delta
        self.base = base
        self.result = result


class Quote(Node):
    """A quote form: ``'x`` ``\\`x`` ``,x`` ``,@x``; ``datum`` is None when nothing followed."""

    __slots__ = ("datum", "prefix")

    def __init__(self, prefix: str, datum: Node | None, start: int, end: int) -> None:
        super().__init__(start, end)
        self.prefix = prefix
        self.datum = datum

    @property
    def name(self) -> str:
        """``quote``, ``quasiquote``, ``unquote`` or ``unquote-splicing`` (or the syntax forms)."""
        return QUOTE_NAMES[self.prefix]

    def __repr__(self) -> str:
        return f"Quote({self.prefix!r}, {self.datum!r})"


class Comment(Node):
    """A line comment, block comment, ``#lang`` line, or a datum comment ``#;form``."""

    __slots__ = ("datum", "kind", "text")

    def __init__(self, kind: str, text: str, start: int, end: int, datum: Node | None = None) -> None:
        super().__init__(start, end)
        self.kind = kind
        self.text = text
        self.datum = datum

    def _shift(self, delta: int) -> None:
        self.start += delta
        self.end += delta
        if self.datum is not None:
            self.datum._shift(delta)

    def __repr__(self) -> str:
        return f"Comment({self.kind}, {self.text[:20]!r}, {self.start}-{self.end})"


Form = Atom | ListNode | Quote


class SyntaxIssue:
    """A syntax error found by the reader (codes S001–S005)."""

    __slots__ = ("code", "end", "message", "refs", "related", "start", "template")

    def __init__(
        self, code: str, template: str, start: int, end: int,
        related: tuple[int, int] | None = None, refs: tuple[int, ...] = (),
    ) -> None:
        self.code = code
        self.template = template  # the message, with {0}… for the positions of `refs`
        self.message = template if not refs else ""  # rendered by the Document
        self.start = start
        self.end = end
        self.related = related  # e.g. the opener a mismatched closer should have closed
        self.refs = refs

    def _shift(self, delta: int) -> None:
        self.start += delta
        self.end += delta
        if self.related is not None:
            self.related = (self.related[0] + delta, self.related[1] + delta)
        self.refs = tuple(r + delta for r in self.refs)

    def _move_from(self, offset: int, delta: int) -> None:
        """Move what lies at or after ``offset`` by ``delta`` (text was inserted or removed
        just before ``offset``, inside a string literal: see Document.edit_string)."""
        def move(at: int) -> int:
            return at + delta if at >= offset else at

        self.start, self.end = move(self.start), move(self.end)
        if self.related is not None:
            self.related = (move(self.related[0]), move(self.related[1]))
        self.refs = tuple(move(r) for r in self.refs)

    def __repr__(self) -> str:
        return f"SyntaxIssue({self.code}, {self.message!r}, {self.start}-{self.end})"


_SERIALS = itertools.count(1)
# Line breaks as LSP counts them (and Racket's line counting): \n, \r\n and a lone \r — not
# U+2028, form feeds or \x85, which str.splitlines also breaks on.
_LINE_BREAK = re.compile(r"\r\n?|\n")


def has_line_break(text: str) -> bool:
    return "\n" in text or "\r" in text


def line_end(text: str, offset: int, end: int | None = None) -> int:
    """Where the line holding ``offset`` ends: the offset of its line break (its \r for a
    \r\n), or ``end`` (the text's end) when there is none before that."""
    stop = len(text) if end is None else end
    found = _LINE_BREAK.search(text, offset, stop)
    return found.start() if found is not None else stop


def moved_line_starts(old_starts: list[int], text: str, start: int, end: int,
                      new_length: int) -> list[int]:
    """The line starts of ``text``, which is an old text with ``[start, end)`` replaced by
    ``new_length`` characters, from the old text's: those before the line holding the edit
    stay, those after the first line break made of characters after it move, and the text in
    between is scanned again (an edit next to a \r can join or split a \r\n)."""
    first_line = max(bisect.bisect_right(old_starts, start - 1) - 1, 0)
    first = old_starts[first_line]
    after = bisect.bisect_right(old_starts, end)  # (its break ends at or after `end`)
    delta = new_length - (end - start)
    tail = old_starts[after:]
    if tail:
        limit = tail[0] + delta
        found = [m.end() for m in _LINE_BREAK.finditer(text, first, limit) if m.end() < limit]
    else:
        found = [m.end() for m in _LINE_BREAK.finditer(text, first)]
    return old_starts[:first_line + 1] + found + ([s + delta for s in tail] if delta else tail)


def _form_parents(form: Node) -> dict[int, Node]:
    """id(node) → the list or quote directly containing it, below one top-level form."""
    if form.__class__ is ListNode:
        return form.parent_map()  # type: ignore[attr-defined, no-any-return]
    return _parent_map([form])


class Document:
    """A read recipe: its text, top-level forms, comments and syntax errors, in source order."""

    __slots__ = ("_last", "_line_starts", "_nodes", "_parents", "_parents_from", "comments",
                 "errors", "forms", "recovering", "serial", "text")

    def __init__(
        self, text: str, forms: list[Node], comments: list[Comment], errors: list[SyntaxIssue]
    ) -> None:
        self.text = text
        self.forms = forms
        self.comments = comments
        self.errors = errors
        self.recovering = True  # the reader used column-0 recovery (unbalanced brackets)
        self._line_starts: list[int] | None = None
        self._nodes: list[Node] | None = None
        self._parents: dict[int, Node] | None = None
        self._parents_from: Document | None = None
        self._last: Node | _Unset | None = _UNSET
        self.serial = next(_SERIALS)  # tells documents apart (ids are reused)
        for issue in errors:
            if issue.refs:
                issue.message = issue.template.format(*(self.where(r) for r in issue.refs))

    @property
    def last_form(self) -> Node | None:
        """The file's last top-level form (for a :meth:`subset`, still the whole file's)."""
        last = self._last
        if isinstance(last, _Unset):
            return self.forms[-1] if self.forms else None
        return last

    def subset(self, forms: list[Node], earlier: Document | None = None) -> Document:
        """A document of some of this one's top-level forms, for analysing part of a file:
        same text, offsets, lines and comments; no syntax errors (those belong to the file);
        :attr:`last_form` stays the file's. ``earlier``: a subset of an earlier tree with
        mostly the same forms, whose parent map this one's is made from."""
        sub = Document.__new__(Document)
        sub._parents_from = earlier if earlier is not None and earlier._parents is not None \
            else None
        sub.text = self.text
        sub.forms = forms
        sub.comments = self.comments
        sub.errors = []
        sub.recovering = self.recovering
        sub._line_starts = self.line_starts
        sub._nodes = None
        sub._parents = None
        sub._last = self.last_form
        sub.serial = next(_SERIALS)
        return sub

    def where(self, offset: int) -> str:
        """1-based ``line:col`` of an offset, as messages show it."""
        line, col = self.position(offset)
        return f"{line + 1}:{col + 1}"

    @property
    def line_starts(self) -> list[int]:
        """Where each line starts (after \n, \r\n or a lone \r, as LSP counts lines)."""
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in _LINE_BREAK.finditer(self.text))]
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, column in code points) of an offset."""
        starts = self.line_starts
        line = bisect.bisect_right(starts, offset) - 1
        return line, offset - starts[line]

    def utf16_position(self, offset: int) -> tuple[int, int]:
        """0-based (line, column in UTF-16 code units): what the LSP calls a Position."""
        line, col = self.position(offset)
        start = self.line_starts[line]
        segment = self.text[start:offset]
        if segment.isascii():
            return line, col
        return line, col + sum(1 for ch in segment if ord(ch) > 0xFFFF)

    def offset_at(self, line: int, column: int, utf16: bool = False) -> int:
        """Inverse of :meth:`position`; clamps to the document and to the line's end."""
        starts = self.line_starts
        if line < 0:
            return 0
        if line >= len(starts):
            return len(self.text)
        start, end = self.line_span(line)  # (a column past the end clamps there)
        if not utf16:
            return min(start + max(column, 0), end)
        units = 0
        offset = start
        while offset < end and units < column:
            units += 2 if ord(self.text[offset]) > 0xFFFF else 1
            offset += 1
        return offset

    def line_span(self, line: int) -> tuple[int, int]:
        """(start, end) of a line's text, without its line break (\n, \r\n or \r)."""
        starts = self.line_starts
        start = starts[line]
        return start, line_end(self.text, start,
                               starts[line + 1] if line + 1 < len(starts) else len(self.text))

    def line_text(self, line: int) -> str:
        """A line's text, without its line break."""
        if not 0 <= line < len(self.line_starts):
            return ""
        start, end = self.line_span(line)
        return self.text[start:end]

    def walk(self) -> Iterator[Node]:
        """Every form node of the document, in source order."""
        nodes = self._nodes
        if nodes is None:
            # Listed once: every rule walks the whole tree (the forms' node lists are the
            # ones their moves use, see ListNode._shift).
            nodes = []
            for form in self.forms:
                nodes.append(form)
                if form.__class__ is ListNode:
                    nodes.extend(form.descendants())  # type: ignore[attr-defined]
                else:
                    below = _walk([form])
                    next(below)  # the form itself
                    nodes.extend(below)
            self._nodes = nodes
        return iter(nodes)

    @property
    def parents(self) -> dict[int, Node]:
        """id(node) → the list or quote directly containing it, for every node of every form
        (the forms' own maps, merged once per document)."""
        parents = self._parents
        if parents is None and self._parents_from is not None:
            parents = self._parents = self._parents_from._spliced_parents(self.forms)
            self._parents_from = None
        if parents is None:
            parents = {}
            for form in self.forms:
                parents.update(_form_parents(form))
            self._parents = parents
        return parents

    def _spliced_parents(self, forms: list[Node]) -> dict[int, Node] | None:
        """The parent map of ``forms`` made from this document's (a copy, less the maps of
        the forms no longer there, plus those of the new ones); None when they are not the
        same number of forms or more than a few changed."""
        old = self.forms
        if self._parents is None or len(old) != len(forms):
            return None
        changed = [k for k, (a, b) in enumerate(zip(old, forms, strict=True)) if a is not b]
        if len(changed) > 8:
            return None
        parents = self._parents.copy()
        for k in changed:
            for key in _form_parents(old[k]):
                parents.pop(key, None)
        for k in changed:
            parents.update(_form_parents(forms[k]))
        return parents

    def node_at(self, offset: int) -> list[Node]:
        """The chain of forms containing ``offset``, outermost first (empty between forms)."""
        chain: list[Node] = []
        candidates = self.forms
        while True:
            i = bisect.bisect_right([n.start for n in candidates], offset) - 1
            if i < 0:
                return chain
            node = candidates[i]
            if not node.start <= offset <= node.end:
                return chain
            chain.append(node)
            if isinstance(node, ListNode):
                candidates = node.items
            elif isinstance(node, Quote) and node.datum is not None:
                candidates = [node.datum]
            else:
                return chain

    def edit_string(self, start: int, end: int, new_text: str) -> Document | None:
        """The document after replacing ``text[start:end]`` with ``new_text``, when the edit
        lies inside one string literal and cannot change how anything is read (no quote,
        backslash or line break typed or removed, the string has no escapes, the file has no
        syntax error): the string is edited in place, and what follows moves. The top-level form
        keeps its identity; its ``generation`` goes up and ``edit`` says what changed. None
        when the edit is not of that kind (use ``reread``). Syntax errors elsewhere stay
        what they were (nothing else is read differently), moved like the nodes."""
        text = self.text
        if self.recovering or not 0 <= start <= end <= len(text):
            return None  # (column-0 recovery: an edit can change where the reader resyncs)
        removed = text[start:end]
        for ch in '"\\\n\r':
            if ch in new_text or ch in removed:
                return None
        if start > 0 and text[start - 1] == "\r":
            return None  # (it would split a \r\n, or join a lone \r to a \n)
        chain = self.node_at(start)
        if not chain or not isinstance(chain[0], ListNode):
            return None
        atom = chain[-1]
        if not (isinstance(atom, Atom) and atom.kind == STRING and atom.start < start
                and end < atom.end and len(atom.text) >= 2 and atom.text[-1] == '"'
                and "\\" not in atom.text):
            return None
        form = chain[0]
        old_end = atom.end
        delta = len(new_text) - (end - start)
        old_text = atom.text
        atom.text = atom.text[:start - atom.start] + new_text + atom.text[end - atom.start:]
        atom._value = _UNSET
        if delta:
            form.end += delta
            for node in form.descendants():
                if node.start >= old_end:
                    node.start += delta
                    node.end += delta
                elif node.end >= old_end:
                    node.end += delta  # the string itself and the lists around it
        index = self.forms.index(form)
        for later in self.forms[index + 1:]:
            later._shift(delta)
        comments = self.comments
        errors = self.errors
        if delta:
            for item in comments:
                if item.start >= old_end:
                    item._shift(delta)
            for issue in errors:
                issue._move_from(old_end, delta)
        document = Document(text[:start] + new_text + text[end:], list(self.forms),
                            list(comments), [])
        document.recovering = False
        starts = self._line_starts
        if starts is not None:
            cut = bisect.bisect_right(starts, start)
            document._line_starts = starts[:cut] + [s + delta for s in starts[cut:]] \
                if delta else starts
        document.errors = list(errors)
        for issue in errors:
            if issue.refs:  # ("… opened at {0}": a column on the edited line moves)
                issue.message = issue.template.format(*(document.where(r) for r in issue.refs))
        form.generation += 1
        form.edit = StringEdit(atom, start, end, delta, self.serial, document.serial, old_text)
        return document

    def comment_at(self, offset: int) -> Comment | None:
        i = bisect.bisect_right([c.start for c in self.comments], offset) - 1
        if i >= 0 and self.comments[i].start <= offset < self.comments[i].end:
            return self.comments[i]
        return None


def _walk(roots: list[Node]) -> Iterator[Node]:
    # Hot: every rule walks trees. Exact class checks and bound methods, no recursion.
    stack = list(reversed(roots))
    pop = stack.pop
    extend = stack.extend
    append = stack.append
    list_node, quote = ListNode, Quote
    while stack:
        node = pop()
        yield node
        cls = node.__class__
        if cls is list_node:
            items = node.items  # type: ignore[attr-defined]
            if items:
                extend(reversed(items))
        elif cls is quote and node.datum is not None:  # type: ignore[attr-defined]
            append(node.datum)  # type: ignore[attr-defined]


def _parent_map(roots: list[Node]) -> dict[int, Node]:
    parents: dict[int, Node] = {}
    stack = list(roots)
    pop, extend, append = stack.pop, stack.extend, stack.append
    list_node, quote = ListNode, Quote
    while stack:
        node = pop()
        cls = node.__class__
        if cls is list_node:
            items = node.items  # type: ignore[attr-defined]
            for item in items:
                parents[id(item)] = node
            extend(items)
        elif cls is quote and node.datum is not None:  # type: ignore[attr-defined]
            parents[id(node.datum)] = node  # type: ignore[attr-defined]
            append(node.datum)  # type: ignore[attr-defined]
    return parents


class _Unset:
    __slots__ = ()


_UNSET = _Unset()


class Char(str):
    """A character datum (``#\\a``): a one-character ``str`` that remembers it was a char."""

    __slots__ = ()


class Keyword(str):
    """A keyword datum (``#:model``); the string is the name without ``#:``."""

    __slots__ = ()


class Symbol(str):
    """A symbol datum; compares equal to its name."""

    __slots__ = ()


def parse_number(text: str) -> int | Fraction | float | None:
    """The value of a number token, or None if it is not a valid number."""
    try:
        if text.lstrip("+-") in ("inf.0", "inf.f"):
            return float("-inf") if text[0] == "-" else float("inf")
        if text.lstrip("+-") in ("nan.0", "nan.f"):
            return float("nan")
        if "/" in text:
            from fractions import Fraction  # rare: only exact rationals pay for the import

            num, den = text.split("/")
            if int(den) == 0:
                return None
            value = Fraction(int(num), int(den))
            return int(value) if value.denominator == 1 else value
        if any(c in text for c in ".eE"):
            return float(text)
        return int(text)
    except (ValueError, ZeroDivisionError):
        return None


def decode_pieces(body: str) -> Iterator[tuple[str, int, int, bool]]:
    """The escapes of a string literal's body, piece by piece: (decoded text, raw start,
    raw end, whether the escape was unknown). The one decoder: values, the reader's S005
    check and the embedded-Python position map all use it."""
    i = 0
    n = len(body)
    find = body.find
    while i < n:
        j = find("\\", i)
        if j < 0 or j + 1 >= n:  # the rest is plain text (a lone trailing backslash too)
            yield body[i:], i, n, False
            return
        if j > i:  # a run of plain text: one piece, one character per raw character
            yield body[i:j], i, j, False
            i = j
        nxt = body[i + 1]
        if nxt in STRING_ESCAPES:
            yield STRING_ESCAPES[nxt], i, i + 2, False
            i += 2
        elif nxt in "uUx":
            limit = {"u": 4, "U": 8, "x": 2}[nxt]
            j = i + 2
            while j < n and j - (i + 2) < limit and body[j] in "0123456789abcdefABCDEF":
                j += 1
            if j == i + 2:
                yield nxt, i, i + 2, True
            else:
                code = int(body[i + 2 : j], 16)
                yield (chr(code) if code < 0x110000 and not 0xD800 <= code < 0xE000
                       else "\ufffd"), i, j, False
            i = j
        elif nxt in "01234567":
            j = i + 1
            while j < n and j - (i + 1) < 3 and body[j] in "01234567":
                j += 1
            yield chr(int(body[i + 1 : j], 8)), i, j, False
            i = j
        else:
            yield nxt, i, i + 2, True
            i += 2


def decode_string(body: str) -> tuple[str, str | None]:
    """Decode the escapes of a string literal's body; returns (value, first bad escape)."""
    if "\\" not in body:
        return body, None
    out: list[str] = []
    bad: str | None = None
    for text, start, end, unknown in decode_pieces(body):
        out.append(text)
        if unknown and bad is None:
            bad = body[start:end]
    return "".join(out), bad


def atom_value(kind: str, text: str) -> object:
    if kind == STRING:
        return decode_string(text[1:-1])[0]
    if kind == NUMBER:
        return parse_number(text)
    if kind == BOOLEAN:
        return text in ("#t", "#true")
    if kind == KEYWORD:
        return Keyword(text[2:])
    if kind == CHAR:
        name = text[2:]
        if len(name) == 1:
            return Char(name)
        if name in NAMED_CHARS:
            return Char(NAMED_CHARS[name])
        if name[0] in "ux" and len(name) > 1:
            try:
                return Char(chr(int(name[1:], 16)))
            except (ValueError, OverflowError):
                return None
        return None
    if kind == SYMBOL:
        return Symbol(text)
    return None
