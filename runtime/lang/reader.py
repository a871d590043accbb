"""The reader: recipe text → :class:`~recipe.runtime.lang.syntax.Document`. It never raises.

Tokens come from the grammar (``grammar.peg``); nesting is built here with an explicit stack,
so depth is bounded by memory, not by Python's recursion limit, and every error is recovered:

* S001 — a list left open. When the file's brackets do not balance, a ``(`` at column 0
  while a form is still open means the open form lacks closers: it is reported at its opener
  and closed, and reading goes on, so one mistake never hides the rest of the file. The same
  at end of file. A balanced file is read as written, however it is indented (generated
  recipes often put nested forms at column 0).
* S002 — a closer of the wrong kind closes the innermost open list and is reported.
* S003 — a closer with nothing open is reported and skipped.
* S004 — an unterminated string or block comment runs to the end of the file.
* S005 — a malformed token: ``#:`` alone, a bad ``#\\`` character, ``1.2.3``, a bad
  escape, a quote or ``#;`` with nothing after it, a stray ``#foo``, a misplaced ``.`` (legal
  only as in ``(a . b)`` / ``(a b . c)``: not at top level, in a vector, first or last in a
  list, twice, or with more than one datum after it — the evaluator rejects all of those).

:func:`reread` is the incremental entry point: given the previous document and an edit, it
re-reads only from the top-level form before the edit up to the first top-level form
boundary after it that matches the old text, and reuses (shifts) everything else.
"""

from __future__ import annotations

import bisect
import gc

from .grammar import scanner
from .syntax import (
    BLOCK_COMMENT,
    BOOLEAN,
    CHAR,
    CLOSER_FOR,
    DATUM_COMMENT,
    DOT,
    ERROR,
    KEYWORD,
    LANG_LINE,
    LINE_COMMENT,
    NAMED_CHARS,
    NUMBER,
    STRING,
    SYMBOL,
    Atom,
    Comment,
    Document,
    ListNode,
    Node,
    Quote,
    SyntaxIssue,
    decode_string,
    line_end,
    moved_line_starts,
    parse_number,
)

_ATOM_KINDS = {
    "string": STRING,
    "number": NUMBER,
    "boolean": BOOLEAN,
    "character": CHAR,
    "keyword": KEYWORD,
    "symbol": SYMBOL,
}


def _esc(text: str | None) -> str:
    """Text for a message template rendered with str.format."""
    return (text or "").replace("{", "{{").replace("}", "}}")


def _plain(text: str | None) -> str:
    return text or ""


def _show(text: str, limit: int = 30) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Frame:
    """An open list (or the top level, with ``opener`` None) being read."""

    __slots__ = ("dots", "items", "last_end", "opener", "pending", "start")

    def __init__(self, opener: str | None, start: int, last_end: int) -> None:
        self.opener = opener
        self.start = start
        self.items: list[Node] = []
        self.pending: list[tuple[str, int]] = []  # quote prefixes and "#;" awaiting a datum
        self.last_end = last_end
        self.dots: list[int] | None = None  # indexes in items of `.` atoms (checked at close)


def brackets_balance(text: str, start: int = 0, end: int | None = None) -> bool:
    """True when every opener has a closer (of any kind) and no closer comes first — the
    reader then needs no column-0 recovery. One pass of the token scanner over
    ``text[start:end]`` (``start`` must be a token boundary)."""
    depth = 0
    pos = start
    n = len(text) if end is None else end
    match = scanner().match
    reader: _Reader | None = None
    while pos < n:
        m = match(text, pos)
        assert m is not None
        kind = m.lastgroup
        end = m.end()
        if kind == "open" or kind == "vector_open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                return False
        elif kind == "block_comment":
            reader = reader or _Reader(text)
            end = reader.block_comment_end(pos)
            if end < 0:
                break
        pos = end
    return depth == 0


class _Reader:
    def __init__(self, text: str, recover: bool = True) -> None:
        self.text = text
        self.recover = recover  # column-0 recovery (only when the brackets do not balance)
        self.unbalanced = False  # a closer with nothing open, or lists open at the end
        self.comments: list[Comment] = []
        self.errors: list[SyntaxIssue] = []

    def error(self, code: str, message: str, start: int, end: int,
              related: tuple[int, int] | None = None, refs: tuple[int, ...] = ()) -> None:
        """``message`` may hold ``{0}``, ``{1}``… for the line:col of the offsets in ``refs``
        (rendered by the Document, so that shifted errors keep true positions)."""
        self.errors.append(SyntaxIssue(code, message, start, end, related, refs))

    def run(self, pos: int, resume: dict[int, int] | None = None,
            resume_after: int = 0) -> tuple[list[Node], int, int]:
        """Read top-level forms from ``pos``. With ``resume`` (old boundary → index), stop at
        the first top-level boundary at or after ``resume_after`` found in it; returns
        (forms, stop position, index into resume) or (forms, len(text), -1)."""
        text = self.text
        n = len(text)
        match = scanner().match
        root = _Frame(None, pos, pos)
        stack = [root]
        frame = root
        forms = root.items
        comments = self.comments
        error = self.error

        def emit(node: Node | None) -> None:
            # Give a finished datum to the innermost frame, applying pending prefixes.
            top = stack[-1]
            pending = top.pending
            while pending and node is not None:
                kind, pstart = pending.pop()
                if kind == "#;":
                    comments.append(Comment(DATUM_COMMENT, text[pstart:node.end], pstart,
                                            node.end, node))
                    top.last_end = node.end
                    node = None
                else:
                    node = Quote(kind, node, pstart, node.end)
            if node is not None:
                top.items.append(node)
                top.last_end = node.end

        def flush_pending(top: _Frame) -> None:
            # Prefixes that never got a datum (before a closer or the end of file): the
            # innermost is reported and the outer ones wrap it, as if the form were there.
            node: Node | None = None
            while top.pending:
                kind, pstart = top.pending.pop()
                end = pstart + len(kind)
                if node is None:
                    if kind == "#;":
                        error("S005", "`#;` comments out the next form, but none follows",
                              pstart, end)
                        comments.append(Comment(DATUM_COMMENT, kind, pstart, end))
                        continue
                    error("S005", f"`{kind}` must be followed by a form", pstart, end)
                    node = Quote(kind, None, pstart, end)
                elif kind == "#;":
                    comments.append(Comment(DATUM_COMMENT, text[pstart:node.end], pstart,
                                            node.end, node))
                    node = None
                else:
                    node = Quote(kind, node, pstart, node.end)
            if node is not None:
                top.items.append(node)
                top.last_end = max(top.last_end, node.end)

        def check_dots(frame: _Frame) -> None:
            # A closing list's `.` is legal only as in `(a . b)` / `(a b . c)`: one `.`, at
            # least one datum before it and exactly one after it. Report the first misplaced.
            dots = frame.dots
            if dots is None:
                return
            items = frame.items
            at = dots[0]
            closer = CLOSER_FOR[frame.opener[-1]]  # type: ignore[index]
            if at == 0:
                message = "`.` must come after at least one datum, as in `(a . b)`"
            elif len(dots) > 1:
                at = dots[1]
                message = "only one `.` is allowed in a list, as in `(a b . c)`"
            elif at == len(items) - 1:
                message = f"`.` must be followed by one datum before `{closer}`, as in `(a . b)`"
            elif at != len(items) - 2:
                message = (f"`.` must be followed by exactly one datum and then `{closer}`, "
                           "as in `(a . b)`")
            else:
                return
            dot = items[at]
            error("S005", message, dot.start, dot.end)

        def close_unclosed(reason: str, refs: tuple[int, ...] = ()) -> None:
            # Close every open frame; report S001 at the innermost opener.
            inner = stack[-1]
            outer = stack[1]
            count = len(stack) - 1
            closer = CLOSER_FOR[inner.opener[-1]]  # type: ignore[index]
            more = (f"; {count} lists are open, the outermost from {{{len(refs)}}}"
                    if count > 1 else "")
            all_refs = (*refs, outer.start) if count > 1 else refs
            esc = _esc if all_refs else _plain  # a template only when there is a position in it
            error("S001", f"unclosed `{esc(inner.opener)}`: no `{esc(closer)}` {reason}{more}",
                  inner.start, inner.start + len(inner.opener),  # type: ignore[arg-type]
                  (outer.start, outer.start + 1) if count > 1 else None, all_refs)
            while len(stack) > 1:
                top = stack.pop()
                flush_pending(top)
                check_dots(top)
                emit(ListNode(top.opener, top.items, top.start, top.last_end, False))  # type: ignore[arg-type]

        while pos < n:
            m = match(text, pos)
            assert m is not None  # the grammar's `stray` rule matches any character
            kind = m.lastgroup
            end = m.end()
            if kind == "whitespace":
                pos = end
                continue
            if kind == "open" or kind == "vector_open":
                if len(stack) > 1 and kind == "open" and self.recover \
                        and (pos == 0 or text[pos - 1] == "\n"):
                    close_unclosed("before the next top-level form at {0}", (pos,))
                    frame = root
                    if resume is not None and not root.pending and pos >= resume_after:
                        idx = resume.get(pos)
                        if idx is not None:
                            return forms, pos, idx
                frame = _Frame(m.group(), pos, end)
                stack.append(frame)
                pos = end
                continue
            if kind == "close":
                closer = m.group()
                if len(stack) == 1:
                    self.unbalanced = True
                    error("S003", f"unexpected `{closer}`: nothing is open here", pos, end)
                    pos = end
                    continue
                frame = stack.pop()
                flush_pending(frame)
                check_dots(frame)
                expected = CLOSER_FOR[frame.opener[-1]]  # type: ignore[index]
                if closer != expected:
                    error("S002", f"mismatched `{_esc(closer)}`: expected `{_esc(expected)}` to "
                          f"close `{_esc(frame.opener)}` at {{0}}", pos, end,
                          (frame.start, frame.start + len(frame.opener)),  # type: ignore[arg-type]
                          (frame.start,))
                emit(ListNode(frame.opener, frame.items, frame.start, end, True))  # type: ignore[arg-type]
                frame = stack[-1]
                pos = end
            elif kind == "line_comment":
                comments.append(Comment(LINE_COMMENT, m.group(), pos, end))
                pos = end
                continue
            elif kind == "block_comment":
                end = self.block_comment_end(pos)
                if end < 0:
                    error("S004", "unterminated block comment: `#|` has no matching `|#`",
                          pos, pos + 2)
                    end = n
                comments.append(Comment(BLOCK_COMMENT, text[pos:end], pos, end))
                pos = end
                if stack[-1] is not root or root.pending:
                    continue
            elif kind == "lang_line":
                comments.append(Comment(LANG_LINE, m.group(), pos, end))
                pos = end
                continue
            elif kind == "datum_comment" or kind == "quote_prefix":
                stack[-1].pending.append((m.group() if kind == "quote_prefix" else "#;", pos))
                pos = end
                continue
            elif kind == "string_error":
                stop = line_end(text, pos)
                error("S004", "unterminated string: `\"` has no closing quote", pos,
                      stop if stop > pos else end)
                emit(Atom(ERROR, m.group(), pos, end))
                pos = end
            else:
                tok = m.group()
                atom_kind = _ATOM_KINDS.get(kind, ERROR)  # type: ignore[arg-type]
                if atom_kind == ERROR:
                    self.bad_token(kind, tok, pos, end)  # type: ignore[arg-type]
                elif atom_kind == STRING and "\\" in tok:
                    bad = decode_string(tok[1:-1])[1]
                    if bad is not None:
                        at = text.find(bad, pos)
                        error("S005", f"unknown escape `{bad}` in string", at, at + len(bad))
                elif atom_kind == NUMBER and parse_number(tok) is None:
                    error("S005", f"malformed number `{_show(tok)}`", pos, end)
                    atom_kind = ERROR
                elif atom_kind == CHAR and not _valid_char(tok):
                    error("S005", f"bad character `{_show(tok)}`: use one character or a name "
                          "like `#\\space`", pos, end)
                    atom_kind = ERROR
                elif atom_kind == SYMBOL and tok == ".":
                    atom_kind = DOT
                    top = stack[-1]
                    if top.pending:  # `'.`, `#;.`: the prefix gets no datum
                        error("S005", f"`{top.pending[-1][0]}` must be followed by a form; "
                              "`.` is not one", pos, end)
                    elif len(stack) == 1:
                        error("S005", "`.` is only allowed inside a list, as in `(a . b)`", pos, end)
                    elif top.opener[0] == "#":  # type: ignore[index]
                        error("S005", "`.` is not allowed in a vector", pos, end)
                    elif top.dots is None:
                        top.dots = [len(top.items)]
                    else:
                        top.dots.append(len(top.items))
                emit(Atom(atom_kind, tok, pos, end))
                pos = end
            # A datum finished. At top level with nothing pending, this is a form boundary.
            if resume is not None and len(stack) == 1 and not root.pending and pos >= resume_after:
                idx = resume.get(pos)
                if idx is not None:
                    return forms, pos, idx
        if len(stack) > 1:
            self.unbalanced = True
            close_unclosed("before the end of the file")
        flush_pending(root)
        return forms, n, -1

    def bad_token(self, kind: str, tok: str, pos: int, end: int) -> None:
        if kind == "keyword_error":
            self.error("S005", "`#:` must be followed by a keyword name, as in `#:model`", pos, end)
        elif kind == "number_error":
            self.error("S005", f"malformed number `{_show(tok)}`", pos, end)
        else:
            self.error("S005", f"unexpected `{_show(tok)}`", pos, end)

    def block_comment_end(self, pos: int) -> int:
        """End of the nested block comment starting at ``pos`` (which starts with ``#|``)."""
        text = self.text
        depth = 0
        i = pos
        while True:
            opener = text.find("#|", i)
            closer = text.find("|#", i)
            if closer < 0:
                return -1
            if 0 <= opener < closer:
                depth += 1
                i = opener + 2
            else:
                depth -= 1
                i = closer + 2
                if depth == 0:
                    return i


def _valid_char(tok: str) -> bool:
    name = tok[2:]
    if len(name) == 1 or name in NAMED_CHARS:
        return True
    if name[0] in "ux" and len(name) > 1:
        try:
            return int(name[1:], 16) < 0x110000
        except ValueError:
            return False
    return False


def read(text: str) -> Document:
    """Read a whole recipe. Never raises; syntax errors are in ``Document.errors``."""
    # The tree has no reference cycles; without this, the cyclic collector would rescan the
    # growing heap again and again and make big files superlinear.
    enabled = gc.isenabled()
    gc.disable()
    try:
        # Read as written; only when the brackets turn out not to balance (the reader's depth
        # is brackets_balance's count) read again with column-0 recovery.
        reader = _Reader(text, recover=False)
        forms, _, _ = reader.run(0)
        if reader.unbalanced:
            reader = _Reader(text, recover=True)
            forms, _, _ = reader.run(0)
    finally:
        if enabled:
            gc.enable()
    document = Document(text, forms, _sorted(reader.comments), _sorted(reader.errors))
    document.recovering = reader.recover
    return document


def _sorted(items: list) -> list:  # type: ignore[type-arg]
    items.sort(key=lambda item: item.start)
    return items


def _complete(node: Node) -> bool:
    """False when text after ``node`` could still become part of it (an unclosed list, or a
    quote whose datum is missing or incomplete)."""
    while True:
        if isinstance(node, ListNode):
            if not node.closed:
                return False
            if not node.items:
                return True
            node = node.items[-1]  # an unclosed list closes all of its ancestors
        elif isinstance(node, Quote):
            if node.datum is None:
                return False
            node = node.datum
        else:
            return True


def reread(old: Document, start: int, end: int, new_text: str) -> Document:
    """The document after replacing ``old.text[start:end]`` with ``new_text``.

    Re-reads from the last top-level form that ends before the edit until a top-level form
    boundary after the edit that is also a boundary of the old document; forms, comments and
    errors beyond it are reused, shifted. The result equals ``read()`` of the new text.
    """
    start = max(0, min(start, len(old.text)))
    end = max(start, min(end, len(old.text)))
    text = old.text[:start] + new_text + old.text[end:]
    if old.recovering:
        recover = not brackets_balance(text)
        if not recover:
            return read(text)  # the edit balanced the file: no column-0 recovery any more
    else:
        recover = False  # checked below on the re-read stretch alone
    delta = len(new_text) - (end - start)
    forms = old.forms
    # Restart after the last top-level form that ends strictly before the edit.
    ends = [f.end for f in forms]
    keep = bisect.bisect_left(ends, start)  # forms[:keep] end before `start`
    # A form the reader had to close itself may absorb what is typed after it: re-read it.
    while keep and not _complete(forms[keep - 1]):
        keep -= 1
    restart = forms[keep - 1].end if keep else 0
    # Old top-level boundaries after the edit, in new coordinates.
    resume = {f.end + delta: i for i, f in enumerate(forms) if f.end >= end and i >= keep}
    reader = _Reader(text, recover)
    new_forms, stop, idx = reader.run(restart, resume, start + len(new_text) + 1)
    if not recover and not brackets_balance(text, restart, stop if idx >= 0 else None):
        # The file was balanced, so it still is unless the re-read stretch is not (the text
        # before `restart` and from `stop` on is unchanged and starts at depth 0).
        return read(text)
    old_stop = stop - delta
    tail_forms = forms[idx + 1:] if idx >= 0 else []
    for f in tail_forms:
        f._shift(delta)
    comments = [c for c in old.comments if c.end <= restart]
    errors = [e for e in old.errors if e.end <= restart and e.start < restart]
    reused_comments = [c for c in old.comments if c.start >= old_stop] if idx >= 0 else []
    reused_errors = [e for e in old.errors if e.start >= old_stop] if idx >= 0 else []
    for item in reused_comments:
        item._shift(delta)
    for err in reused_errors:
        err._shift(delta)
    document = Document(
        text,
        forms[:keep] + new_forms + tail_forms,
        comments + _sorted(reader.comments) + reused_comments,
        errors + _sorted(reader.errors) + reused_errors,
    )
    document.recovering = recover
    old_starts = old._line_starts
    if old_starts is not None:
        # Line starts move like the text (not a 2,000-line rescan on every keystroke).
        document._line_starts = moved_line_starts(old_starts, text, start, end, len(new_text))
    return document
