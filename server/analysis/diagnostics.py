"""Diagnostics, fixes and edits, in document offsets (converted to lines and columns, or to
LSP types, only at the edges)."""

from __future__ import annotations

from typing import NamedTuple

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_RANK = {INFO: 0, WARNING: 1, ERROR: 2}


class Edit(NamedTuple):
    """Replace ``text[start:end]`` with ``new_text``."""

    start: int
    end: int
    new_text: str


class Fix(NamedTuple):
    """A rewrite that resolves a diagnostic. ``safe`` fixes keep the recipe's meaning and are
    applied by ``--fix``; unsafe ones (a different model, concurrency) need ``--unsafe-fixes``."""

    message: str
    edits: tuple[Edit, ...]
    safe: bool = True


class Related(NamedTuple):
    """Another place that explains a diagnostic ("the fan-out starts here")."""

    start: int
    end: int
    message: str


class Diagnostic:
    """A finding: a rule code, a message and a span of the document (offsets)."""

    __slots__ = ("code", "end", "fix", "message", "origin", "related", "severity", "start")
    _COMPARED = ("code", "end", "fix", "message", "related", "severity", "start")

    def __init__(self, code: str, message: str, start: int, end: int, severity: str = WARNING,
                 fix: Fix | None = None, related: list[Related] | None = None,
                 origin: Diagnostic | None = None) -> None:
        self.code = code
        self.message = message
        self.start = start
        self.end = end
        self.severity = severity
        self.fix = fix
        self.related = related if related is not None else []
        # The finding this one is a moved copy of (the first of the line of copies), when
        # the incremental linter moved it with its form: the language server reuses the
        # JSON text of a finding whose line and column did not change.
        self.origin = origin

    def __repr__(self) -> str:
        return f"Diagnostic({self.code}, {self.message!r}, {self.start}-{self.end})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self._COMPARED)

    __hash__ = None  # type: ignore[assignment]

    def sort_key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.code)


QUOTE_LIMIT = 60  # characters of source text a message quotes between backquotes


def shorten_quotes(message: str) -> str:
    """``message`` with each piece of source text it quotes (between backquotes) cut to
    :data:`QUOTE_LIMIT` characters: a 3,000-character name or string stays readable."""
    if len(message) <= QUOTE_LIMIT + 2:
        return message
    pieces = message.split("`")
    for i in range(1, len(pieces) - 1, 2):
        if len(pieces[i]) > QUOTE_LIMIT:
            pieces[i] = pieces[i][:QUOTE_LIMIT - 1] + "…"
    return "`".join(pieces)


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, int]:
    """Apply non-overlapping edits (later ones that overlap are skipped); returns the new text
    and how many edits were applied."""
    applied = 0
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            continue
        out.append(text[pos:edit.start])
        out.append(edit.new_text)
        pos = edit.end
        applied += 1
    out.append(text[pos:])
    return "".join(out), applied
