"""Offsets ↔ LSP positions and analysis objects ↔ lsprotocol types.

Offsets are Python string indices (code points) into the document text; LSP positions count
columns in the negotiated encoding (UTF-16 by default, UTF-8 or UTF-32 when the client asks
for it). This module is the only place that converts between the two.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter
from recipe.runtime.lang.syntax import Document
from recipe.server.analysis.diagnostics import ERROR, INFO, WARNING, Diagnostic

RULE_DOCS_BASE = "https://recipe-tools.dev/rules/"
SOURCE = "recipe"

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

_SEVERITY = {
    ERROR: types.DiagnosticSeverity.Error,
    WARNING: types.DiagnosticSeverity.Warning,
    INFO: types.DiagnosticSeverity.Information,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
_SEVERITY_VALUE = {level: int(value) for level, value in _SEVERITY.items()}
_WARNING_VALUE = int(types.DiagnosticSeverity.Warning)
_CONVERTER = get_converter()
_UNNECESSARY = {"N008", "F002"}
_DEPRECATED = {"J005"}


def encoding_name(encoding: object) -> str:
    """``utf-8``, ``utf-16`` or ``utf-32`` for a negotiated position encoding, given as a
    ``PositionEncodingKind`` or as its value; UTF-16 (the LSP default) for anything else.

    ``str()`` of a ``PositionEncodingKind`` is ``"PositionEncodingKind.Utf16"``, not
    ``"utf-16"`` (a str-valued Enum, not a StrEnum): compare values, never ``str()``.
    """
    value = getattr(encoding, "value", encoding)
    name = value.lower() if isinstance(value, str) else UTF16
    return name if name in (UTF8, UTF16, UTF32) else UTF16


class Positions:
    """Converts between offsets of one document and LSP positions in one encoding."""

    __slots__ = ("document", "encoding")

    def __init__(self, document: Document, encoding: object = UTF16) -> None:
        self.document = document
        self.encoding = encoding_name(encoding)

    def line_character(self, offset: int) -> tuple[int, int]:
        """(line, character) of an offset, the character counted in this encoding."""
        doc = self.document
        offset = max(0, min(offset, len(doc.text)))
        line, col = doc.position(offset)
        if self.encoding == UTF32:
            return line, col
        start = doc.line_starts[line]
        segment = doc.text[start:offset]
        if segment.isascii():
            return line, col
        if self.encoding == UTF8:
            return line, len(segment.encode("utf-8", "surrogatepass"))
        return line, col + sum(1 for ch in segment if ord(ch) > 0xFFFF)

    def position(self, offset: int) -> types.Position:
        line, character = self.line_character(offset)
        return types.Position(line=line, character=character)

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def range_json(self, start: int, end: int) -> dict[str, dict[str, int]]:
        """:meth:`range` as it goes on the wire."""
        line, character = self.line_character(start)
        end_line, end_character = self.line_character(max(start, end))
        return {"start": {"line": line, "character": character},
                "end": {"line": end_line, "character": end_character}}

    def offset(self, position: types.Position) -> int:
        """The offset of a position, clamped to the document (never raises)."""
        doc = self.document
        line = position.line
        character = max(position.character, 0)
        starts = doc.line_starts
        if line < 0:
            return 0
        if line >= len(starts):
            return len(doc.text)
        if self.encoding == UTF32:
            return int(doc.offset_at(line, character))
        if self.encoding == UTF16:
            return int(doc.offset_at(line, character, utf16=True))
        start, end = doc.line_span(line)
        text = doc.text
        units = 0
        offset: int = start
        while offset < end and units < character:
            units += len(text[offset].encode("utf-8", "surrogatepass"))
            offset += 1
        return offset

    def span(self, rng: types.Range) -> tuple[int, int]:
        start = self.offset(rng.start)
        end = self.offset(rng.end)
        return (start, end) if start <= end else (end, start)


def severity(level: str) -> types.DiagnosticSeverity:
    return _SEVERITY.get(level, types.DiagnosticSeverity.Warning)


def diagnostic_json(diag: Diagnostic, pos: Positions, uri: str,
                    source: str = SOURCE) -> dict[str, Any]:
    """The LSP Diagnostic of ``diag``, as it goes on the wire (JSON-ready). Built directly
    rather than through lsprotocol's converter: a big file publishes hundreds on each edit."""
    out: dict[str, Any] = {
        "range": pos.range_json(diag.start, diag.end),
        "message": diag.message,
        "severity": _SEVERITY_VALUE.get(diag.severity, _WARNING_VALUE),
        "code": diag.code,
        "source": source,
    }
    if diag.code and diag.code[0].isalpha() and diag.code[1:].isdigit():
        out["codeDescription"] = {"href": RULE_DOCS_BASE + diag.code}
    if diag.related:
        out["relatedInformation"] = [
            {"location": {"uri": uri, "range": pos.range_json(r.start, r.end)},
             "message": r.message} for r in diag.related]
    tags = ([types.DiagnosticTag.Unnecessary.value] if diag.code in _UNNECESSARY else []) \
        + ([types.DiagnosticTag.Deprecated.value] if diag.code in _DEPRECATED else [])
    if tags:
        out["tags"] = tags
    if diag.fix is not None:
        # (what the quick fix will do, for a client that shows it before asking; nothing for
        # a finding without one: a big file re-sends every finding on each keystroke)
        out["data"] = {"fix": {"message": diag.fix.message, "safe": diag.fix.safe,
                               "edits": [[e.start, e.end, e.new_text] for e in diag.fix.edits]}}
    return out


def to_lsp_diagnostic(diag: Diagnostic, pos: Positions, uri: str,
                      source: str = SOURCE) -> types.Diagnostic:
    """:func:`diagnostic_json` as an lsprotocol object."""
    structured: types.Diagnostic = _CONVERTER.structure(diagnostic_json(diag, pos, uri, source),
                                                        types.Diagnostic)
    return structured
