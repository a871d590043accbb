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


class FileReport(NamedTuple):
    """One linted file: its display path, document and diagnostics."""

    path: str
    document: Document
    diagnostics: list[Diagnostic]


def _loc(document: Document, offset: int) -> dict[str, int]:
    line, col = document.position(offset)
    return {"row": line + 1, "column": col + 1}


def render_text(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        for d in report.diagnostics:
            loc = _loc(report.document, d.start)
            lines.append(f"{report.path}:{loc['row']}:{loc['column']}: {d.code} {d.message}")
    return "\n".join(lines)


def render_json(reports: list[FileReport]) -> str:
    out = []
    for report in reports:
        doc = report.document
        for d in report.diagnostics:
            fix = None
            if d.fix is not None:
                fix = {
                    "message": d.fix.message,
                    "applicability": "safe" if d.fix.safe else "unsafe",
                    "edits": [{"content": e.new_text, "location": _loc(doc, e.start),
                               "end_location": _loc(doc, e.end)} for e in d.fix.edits],
                }
            out.append({
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
                "filename": report.path,
                "location": _loc(doc, d.start),
                "end_location": _loc(doc, d.end),
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
        doc = report.document
        for d in report.diagnostics:
            start, end = _loc(doc, d.start), _loc(doc, d.end)
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
        doc = report.document
        for d in report.diagnostics:
            start, end = _loc(doc, d.start), _loc(doc, d.end)
            level = _GITHUB_LEVEL.get(d.severity, "warning")
            lines.append(
                f"::{level} file={_github_escape(report.path, True)},line={start['row']},"
                f"col={start['column']},endLine={end['row']},endColumn={end['column']},"
                f"title={d.code}::{_github_escape(d.message)}")
    return "\n".join(lines)
