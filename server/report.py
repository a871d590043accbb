"""Lint output formats: text (ruff's ``path:line:col: CODE message``), JSON, SARIF 2.1.0 and
GitHub Actions annotations. Rows and columns are 1-based, columns in characters."""

from __future__ import annotations

import json
from typing import NamedTuple

from recipe.runtime import __version__
from recipe.runtime.lang.syntax import Document

from .analysis.diagnostics import Diagnostic
from .rules import rule_by_code

RULE_DOC_URL = "https://recipe-tools.dev/rules/{code}"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


class Position(NamedTuple):
    row: int  # 1-based
    column: int  # 1-based, in characters


class LocatedEdit(NamedTuple):
    content: str
    location: Position
    end_location: Position


class LocatedFix(NamedTuple):
    message: str
    safe: bool
    edits: tuple[LocatedEdit, ...]


class Located(NamedTuple):
    """A diagnostic with rows and columns instead of offsets: all a report needs (and cheap
    to send back from a worker process)."""

    code: str
    severity: str
    message: str
    location: Position
    end_location: Position
    fix: LocatedFix | None


class FileReport(NamedTuple):
    """One linted file: its display path and located diagnostics."""

    path: str
    diagnostics: list[Located]


def _pos(document: Document, offset: int) -> Position:
    line, col = document.position(offset)
    return Position(line + 1, col + 1)


def locate(document: Document, diag: Diagnostic) -> Located:
    fix = None
    if diag.fix is not None:
        fix = LocatedFix(diag.fix.message, diag.fix.safe, tuple(
            LocatedEdit(e.new_text, _pos(document, e.start), _pos(document, e.end))
            for e in diag.fix.edits))
    return Located(diag.code, diag.severity, diag.message, _pos(document, diag.start),
                   _pos(document, diag.end), fix)


def file_report(path: str, document: Document, diagnostics: list[Diagnostic]) -> FileReport:
    return FileReport(path, [locate(document, d) for d in diagnostics])


def _loc(position: Position) -> dict[str, int]:
    return {"row": position.row, "column": position.column}


def render_text(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        for d in report.diagnostics:
            lines.append(f"{report.path}:{d.location.row}:{d.location.column}: {d.code} {d.message}")
    return "\n".join(lines)


def render_json(reports: list[FileReport]) -> str:
    out = []
    for report in reports:
        for d in report.diagnostics:
            fix = None
            if d.fix is not None:
                fix = {
                    "message": d.fix.message,
                    "applicability": "safe" if d.fix.safe else "unsafe",
                    "edits": [{"content": e.content, "location": _loc(e.location),
                               "end_location": _loc(e.end_location)} for e in d.fix.edits],
                }
            out.append({
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
                "filename": report.path,
                "location": _loc(d.location),
                "end_location": _loc(d.end_location),
                "fix": fix,
                "url": RULE_DOC_URL.format(code=d.code),
            })
    return json.dumps(out, indent=2, ensure_ascii=False)


def render_sarif(reports: list[FileReport]) -> str:
    rules = rule_by_code()
    used = sorted({d.code for r in reports for d in r.diagnostics} | set(rules))
    index = {code: i for i, code in enumerate(used)}
    sarif_rules = []
    for code in used:
        rule = rules.get(code)
        sarif_rules.append({
            "id": code,
            "name": rule.name if rule else code,
            "shortDescription": {"text": rule.summary if rule else code},
            "fullDescription": {"text": rule.doc.strip() if rule else code},
            "helpUri": RULE_DOC_URL.format(code=code),
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity] if rule else "warning"},
        })
    results = []
    for report in reports:
        for d in report.diagnostics:
            start, end = _loc(d.location), _loc(d.end_location)
            results.append({
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _SARIF_LEVEL.get(d.severity, "warning"),
                "message": {"text": d.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": report.path.replace("\\", "/")},
                        "region": {"startLine": start["row"], "startColumn": start["column"],
                                   "endLine": end["row"], "endColumn": end["column"]},
                    }
                }],
            })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "recipe-lint", "version": __version__,
                                "informationUri": "https://recipe-tools.dev",
                                "rules": sarif_rules}},
            "results": results,
        }],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False)


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        for d in report.diagnostics:
            start, end = _loc(d.location), _loc(d.end_location)
            level = _GITHUB_LEVEL.get(d.severity, "warning")
            lines.append(
                f"::{level} file={_github_escape(report.path, True)},line={start['row']},"
                f"col={start['column']},endLine={end['row']},endColumn={end['column']},"
                f"title={d.code}::{_github_escape(d.message)}")
    return "\n".join(lines)
