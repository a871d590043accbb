"""``recipe fmt``: a Racket-style pretty printer for recipes.

* Body forms (``define``, ``lambda``, ``let``, ``when``, ``for/…`` …) keep their
  distinguished parts on the first line and indent their body by 2.
* Other calls keep their first argument on the head's line and align the rest under it;
  a keyword and its value stay together (``#:model "gpt-4.1-nano"``).
* A form that fits within :data:`WIDTH` columns and contains no comment stays on one line
  (the closers that follow it on that line count).
* Arguments after a head that a comment ends (``(finish ; why``) go under the head.
* Every comment is kept, in order; a comment that ended a line still ends that line (so
  ``; noqa`` keeps silencing the same form). At most one blank line is kept between forms.
* Atoms are printed verbatim, so strings (embedded Python included) never change.
* A document with syntax errors is refused: the text comes back unchanged.

The result is idempotent: formatting formatted text changes nothing.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from recipe.runtime.lang.reader import read
from recipe.runtime.lang.syntax import (
    BLOCK_COMMENT,
    DATUM_COMMENT,
    KEYWORD,
    LANG_LINE,
    LINE_COMMENT,
    STRING,
    SYMBOL,
    Atom,
    Comment,
    Document,
    ListNode,
    Node,
    Quote,
    has_line_break,
    line_end,
)

WIDTH = 100
BODY_INDENT = 2
MAX_ALIGN_COLUMN = 60

# head → number of distinguished subforms kept on the head's line; the rest is a body.
BODY_FORMS: dict[str, int] = {
    "define": 1, "define-values": 1, "lambda": 1, "λ": 1, "let": 1, "let*": 1, "letrec": 1,
    "letrec*": 1, "let-values": 1, "let*-values": 1, "when": 1, "unless": 1, "begin": 0,
    "parameterize": 1, "with-handlers": 1, "case": 1, "for": 1, "for/list": 1, "for/sum": 1,
    "for/first": 1, "for/last": 1, "for/and": 1, "for/or": 1, "for*/list": 1, "for*": 1,
    "for/vector": 1, "for/hash": 1, "for/product": 1, "for*/sum": 1, "for/fold": 2,
    "for*/fold": 2, "define-syntax-rule": 1, "struct": 1,
}


class FormatRefused(Exception):
    """The document cannot be formatted (syntax errors); the message says why."""


@dataclass
class FormatResult:
    text: str
    changed: bool
    refused: str | None = None  # why the document was left as it is


@dataclass
class _Unit:
    """One element of a list (or of the top level) as printed: a form, a keyword with its
    value, or a comment, plus the comments that end its line."""

    nodes: list[Node | Comment]
    trailing: list[Comment] = field(default_factory=list)
    blank_before: bool = False

    @property
    def is_comment(self) -> bool:
        return isinstance(self.nodes[0], Comment)


def format_text(text: str) -> str:
    """The formatted text; the text unchanged when it has syntax errors."""
    return format_result(text).text


def format_result(text: str) -> FormatResult:
    doc = read(text)
    if doc.errors:
        first = doc.errors[0]
        line, col = doc.position(first.start)
        return FormatResult(text, False, f"not formatted: syntax error at {line + 1}:{col + 1}: "
                                         f"{first.message} [{first.code}]")
    out = _Printer(doc).document()
    if _crlf_layout(doc):
        out = _with_crlf(out)
    return FormatResult(out, out != text)


def _verbatim_spans(doc: Document) -> list[tuple[int, int]]:
    """Spans printed exactly as written (strings, block and datum comments), in order."""
    spans = [(c.start, c.end) for c in doc.comments if c.kind in (BLOCK_COMMENT, DATUM_COMMENT)]
    for form in doc.forms:
        spans.extend((n.start, n.end) for n in form.walk()
                     if isinstance(n, Atom) and n.kind == STRING)
    return sorted(spans)


def _layout_newlines(doc: Document) -> tuple[int, int]:
    """(CRLF, bare LF) line ends outside the spans printed verbatim."""
    text = doc.text
    crlf = lf = 0
    pos = 0
    for start, end in [*_verbatim_spans(doc), (len(text), len(text))]:
        if start < pos:
            continue
        part = text[pos:start]
        n, r = part.count("\n"), part.count("\r\n")
        crlf += r
        lf += n - r
        pos = end
    return crlf, lf


def _crlf_layout(doc: Document) -> bool:
    """A file written with CRLF line ends keeps them (Windows editors)."""
    crlf, lf = _layout_newlines(doc)
    return crlf > lf


def _with_crlf(out: str) -> str:
    """LF-formatted text with CRLF line ends, strings and block comments left as they are."""
    parts: list[str] = []
    pos = 0
    for start, end in [*_verbatim_spans(read(out)), (len(out), len(out))]:
        if start < pos:
            continue
        parts.append(out[pos:start].replace("\n", "\r\n"))
        parts.append(out[start:end])
        pos = end
    return "".join(parts)


def check_text(text: str) -> bool:
    """True when ``text`` is already formatted (or cannot be: syntax errors)."""
    return not format_result(text).changed


class _Printer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.inner_comments: dict[int, list[Comment]] = {}
        self.top_comments: list[Comment] = []
        self._flat_cache: dict[int, str | None] = {}
        datum_spans = [(c.start, c.end) for c in doc.comments if c.kind == DATUM_COMMENT]
        for comment in doc.comments:
            if any(s < comment.start and comment.end <= e for s, e in datum_spans):
                continue  # printed verbatim as part of a datum comment
            owner = self._owner(comment)
            if owner is None:
                self.top_comments.append(comment)
            else:
                self.inner_comments.setdefault(id(owner), []).append(comment)

    def _owner(self, comment: Comment) -> ListNode | None:
        owner: ListNode | None = None
        for node in self.doc.node_at(comment.start):
            if isinstance(node, ListNode) and node.start < comment.start < node.end:
                owner = node
        return owner

    # -- units ------------------------------------------------------------------------------
    def _newline_between(self, a: int, b: int) -> int:
        return int(self.text.count("\n", a, b))

    def units(self, items: list[Node], comments: list[Comment], pair_keywords: bool) -> list[_Unit]:
        # A comment between a quote's prefix and its datum (`' ; why` then `x`) is printed
        # before the quote form: after it, a line comment would swallow what follows.
        quotes = [(q.start, q.end) for q in items if isinstance(q, Quote)]
        starts = [start for start, _ in quotes]

        def place(n: Node | Comment) -> tuple[int, int, int]:
            if isinstance(n, Comment) and quotes:
                k = bisect.bisect_left(starts, n.start) - 1
                if k >= 0 and n.start < quotes[k][1]:
                    return (quotes[k][0], 0, n.start)
            return (n.start, 1, n.start)

        elements: list[Node | Comment] = sorted([*items, *comments], key=place)
        units: list[_Unit] = []
        prev_end: int | None = None
        i = 0
        while i < len(elements):
            el = elements[i]
            newlines = self._newline_between(prev_end, el.start) if prev_end is not None else 1
            if isinstance(el, Comment) and units and newlines == 0 and el.kind != DATUM_COMMENT:
                units[-1].trailing.append(el)
                # a comment inside a quote form (`' ; c` then the datum) ends before it
                prev_end = max(prev_end or 0, el.end)
                i += 1
                continue
            unit = _Unit([el], blank_before=prev_end is not None and newlines >= 2)
            if pair_keywords and isinstance(el, Atom) and el.kind == KEYWORD and i + 1 < len(elements):
                nxt = elements[i + 1]
                if not isinstance(nxt, Comment) and not (isinstance(nxt, Atom) and nxt.kind == KEYWORD):
                    unit.nodes.append(nxt)
                    i += 1
            units.append(unit)
            prev_end = max(prev_end or 0, unit.nodes[-1].end)
            i += 1
        return units

    # -- flat rendering ----------------------------------------------------------------------
    def flat(self, node: Node) -> str | None:
        """The one-line text of a form, or None when it cannot be on one line."""
        key = id(node)
        if key in self._flat_cache:
            return self._flat_cache[key]
        result: str | None
        if isinstance(node, Atom):
            result = None if has_line_break(node.text) else node.text
        elif isinstance(node, Quote):
            inner = self.flat(node.datum) if node.datum is not None else ""
            result = None if inner is None else node.prefix + inner
        elif isinstance(node, ListNode):
            if self.inner_comments.get(key):
                result = None
            else:
                parts: list[str] = []
                result = ""
                for item in node.items:
                    text = self.flat(item)
                    if text is None:
                        result = None
                        break
                    parts.append(text)
                if result is not None:
                    result = node.opener + " ".join(parts) + _closer(node.opener)
        else:
            result = None
        self._flat_cache[key] = result
        return result

    # -- rendering ---------------------------------------------------------------------------
    def comment(self, c: Comment) -> str:
        text: str = c.text
        return text.rstrip() if c.kind in (LINE_COMMENT, LANG_LINE) else text

    def unit_text(self, unit: _Unit, col: int, trail: int = 0) -> str:
        """A unit rendered at ``col`` (first line unindented), trailing comments included;
        ``trail`` closers follow it on its last line unless a comment ends that line."""
        out = ""
        cur = col
        last = len(unit.nodes) - 1
        node_trail = 0 if self.unit_ends_line(unit) else trail
        for k, node in enumerate(unit.nodes):
            if k:
                out += " "
                cur += 1
            text = self.comment(node) if isinstance(node, Comment) \
                else self.render(node, cur, node_trail if k == last else 0)
            out += text
            cur = _end_col(text, cur)
        for c in unit.trailing:
            out += " " + self.comment(c)
        return out

    def unit_ends_line(self, unit: _Unit) -> bool:
        last: Node | Comment = unit.trailing[-1] if unit.trailing else unit.nodes[-1]
        return isinstance(last, Comment) and last.kind in (LINE_COMMENT, LANG_LINE)

    def render(self, node: Node, col: int, trail: int = 0) -> str:
        """``node`` printed at ``col``, with ``trail`` closers of enclosing lists after it on
        its last line: it stays on one line only when that line, closers included, fits."""
        if isinstance(node, Atom):
            return str(node.text)
        if isinstance(node, Quote):
            prefix: str = node.prefix
            if node.datum is None:
                return prefix
            return prefix + self.render(node.datum, col + len(prefix), trail)
        if not isinstance(node, ListNode):
            return self.text[node.start:node.end]
        flat = self.flat(node)
        if flat is not None and col + len(flat) + trail <= WIDTH:
            return flat
        return self.broken(node, col, trail)

    def broken(self, node: ListNode, col: int, trail: int = 0) -> str:
        opener: str = node.opener
        closer = _closer(opener)
        inner = col + len(opener)
        last_trail = trail + len(closer)  # what follows the last element on its line
        comments = self.inner_comments.get(id(node), [])
        if not node.items:
            # only comments: a line comment last puts the closer on the next line
            units = self.units([], comments, False)
            return opener + self.sequence(units, inner, last_trail) + closer
        head = node.items[0]
        head_name = head.text if isinstance(head, Atom) and head.kind == SYMBOL else None
        first_is_head = not comments or comments[0].start > head.start
        units = self.units(node.items, comments, True)
        if not first_is_head or node.is_vector or not isinstance(head, Atom) \
                or len(units[0].nodes) > 1:  # data like `(#:k v …)`: one unit per line
            return opener + self.sequence(units, inner, last_trail) + closer
        head_unit, rest = units[0], units[1:]
        head_text = self.unit_text(head_unit, inner, 0 if rest else last_trail)
        if not rest:
            if self.unit_ends_line(head_unit):
                return opener + head_text + "\n" + " " * inner + closer
            return opener + head_text + closer
        distinguished = BODY_FORMS.get(head_name, -1) if head_name is not None else -1
        if head_name in ("let", "for/fold") and head_name == "let" and len(node.items) > 2 \
                and isinstance(node.items[1], Atom) and node.items[1].kind == SYMBOL:
            distinguished = 2  # named let: (let loop ([x 1]) body ...)
        out = opener + head_text
        cur = _end_col(out, col)
        if distinguished >= 0:
            body_col = col + BODY_INDENT
            first_line = rest[:distinguished]
            body = rest[distinguished:]
            ended = self.unit_ends_line(head_unit)
            fold = head_name is not None and head_name.endswith("/fold")
            for k, unit in enumerate(first_line):
                if ended or unit.is_comment:  # (a blank line here is not kept)
                    out += "\n" + " " * (col + 2 * BODY_INDENT)
                    cur = col + 2 * BODY_INDENT
                else:
                    out += " "
                    cur += 1
                after = last_trail if k == len(first_line) - 1 and not body else 0
                if k and cur > col + 2 * BODY_INDENT \
                        and (cur + self._first_width(unit, cur, after) > WIDTH
                             or (fold and not self._fits_flat(unit, cur, after))):
                    # a later distinguished part whose first line cannot fit after the
                    # others (`(for/fold ([acc …]) ([x …])`): on its own line, as after a
                    # comment; for/fold's clauses too when they cannot stay on one line
                    # there (broken at the far right, every line of them would be too long)
                    cur = col + 2 * BODY_INDENT
                    out = out[:-1] + "\n" + " " * cur
                text = self.unit_text(unit, cur, after)
                out += text
                cur = _end_col(text, cur)
                ended = self.unit_ends_line(unit)
            if body:
                out += self.lines(body, body_col, None, last_trail)
                ended = self.unit_ends_line(body[-1])
            if ended:
                out += "\n" + " " * body_col
            return out + closer
        align = cur + 1
        first = rest[0]
        head_ends = self.unit_ends_line(head_unit)
        if head_ends or first.is_comment or first.blank_before or align > MAX_ALIGN_COLUMN:
            if head_ends:
                # `(finish ; why` — the arguments go under the head (cur is past the comment)
                body_col = inner
            else:
                body_col = col + BODY_INDENT if align > MAX_ALIGN_COLUMN else align
            out += self.lines(rest, body_col, None, last_trail)
            if self.unit_ends_line(rest[-1]):
                out += "\n" + " " * body_col
            return out + closer
        text = self.unit_text(first, align, last_trail if len(rest) == 1 else 0)
        out += " " + text
        if len(rest) > 1:
            out += self.lines(rest[1:], align, None, last_trail)
        if self.unit_ends_line(rest[-1]):
            out += "\n" + " " * align
        return out + closer

    def _fits_flat(self, unit: _Unit, col: int, trail: int) -> bool:
        """Whether ``unit`` (no comment after it) fits on one line at ``col``."""
        if unit.trailing or unit.is_comment:
            return False
        width = len(unit.nodes) - 1
        for node in unit.nodes:
            text = self.flat(node) if not isinstance(node, Comment) else None
            if text is None:
                return False
            width += len(text)
        return col + width + trail <= WIDTH

    def _first_width(self, unit: _Unit, col: int, trail: int) -> int:
        """A lower bound on the width of the first line of ``unit`` rendered at ``col``
        (``trail`` closers after it), found without rendering it (rendering to find out
        would be exponential in the nesting): a form that stays on one line counts whole; a
        broken list, its opener and head, then what broken() keeps on the head's line."""
        node: Node | Comment | None = unit.nodes[0]
        width = 0
        if len(unit.nodes) > 1 and isinstance(node, Atom):  # a keyword and its value
            width = len(node.text) + 1
            node = unit.nodes[1]
        if unit.trailing:
            trail = 0
        while True:
            if isinstance(node, Comment):
                return width + len(self.comment(node))
            if isinstance(node, Atom):
                first = line_end(node.text, 0)
                return width + (first if first < len(node.text) else len(node.text) + trail)
            if isinstance(node, Quote):
                width += len(node.prefix)
                node = node.datum
                continue
            if not isinstance(node, ListNode):
                return width
            flat = self.flat(node)
            if flat is not None and col + width + len(flat) + trail <= WIDTH:
                return width + len(flat) + trail
            width += len(node.opener)
            items = node.items
            if not items:
                return width
            head = items[0]
            trail = 0
            if len(items) < 2 or node.is_vector or self.inner_comments.get(id(node)) \
                    or not isinstance(head, Atom) or head.kind != SYMBOL \
                    or self._newline_between(head.end, items[1].start) >= 2:
                node = head
                continue
            # broken() keeps the first argument (or distinguished part) on the head's line
            width += len(head.text) + 1
            if BODY_FORMS.get(head.text, 1) == 0 \
                    or (head.text not in BODY_FORMS and col + width > MAX_ALIGN_COLUMN):
                return width - 1
            node = items[1]
            if isinstance(node, Atom) and node.kind == KEYWORD and len(items) > 2:
                nxt = items[2]
                if not (isinstance(nxt, Atom) and nxt.kind == KEYWORD):
                    width += len(node.text) + 1
                    node = nxt

    def sequence(self, units: list[_Unit], col: int, trail: int = 0) -> str:
        """Units one per line at ``col``, the first right after the opener (``trail``: what
        follows the last one on its line)."""
        if not units:
            return ""
        out = self.unit_text(units[0], col, trail if len(units) == 1 else 0)
        if len(units) > 1:
            out += self.lines(units[1:], col, None, trail)
        if self.unit_ends_line(units[-1]):
            out += "\n" + " " * col
        return out

    def lines(self, units: list[_Unit], col: int, first_col: int | None, trail: int = 0) -> str:
        """Each unit on a new line at ``col`` (``first_col`` not None: the first one stays
        on the current line); ``trail`` closers follow the last one."""
        out = ""
        last = len(units) - 1
        for k, unit in enumerate(units):
            after = trail if k == last else 0
            if k == 0 and first_col is not None:
                out += self.unit_text(unit, first_col, after)
                continue
            out += "\n" + ("\n" if unit.blank_before else "") + " " * col \
                + self.unit_text(unit, col, after)
        return out

    def document(self) -> str:
        units = self.units(list(self.doc.forms), self.top_comments, False)
        parts: list[str] = []
        for k, unit in enumerate(units):
            if k and unit.blank_before:
                parts.append("")
            parts.append(self.unit_text(unit, 0))
        if not parts:
            return ""
        return "\n".join(parts) + "\n"


def _closer(opener: str) -> str:
    return {"(": ")", "[": "]", "{": "}"}[opener[-1]]


def _end_col(text: str, col: int) -> int:
    nl = text.rfind("\n")
    return col + len(text) if nl < 0 else len(text) - nl - 1


def is_body_form(name: str) -> bool:
    return name in BODY_FORMS


__all__ = ["BLOCK_COMMENT", "FormatRefused", "FormatResult", "check_text", "format_result",
           "format_text"]
