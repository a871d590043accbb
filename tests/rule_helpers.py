"""Helpers shared by the rule tests: lint a text, pick one code, locate and apply fixes."""

from __future__ import annotations

from recipe.runtime.lang.config import Config
from recipe.server.analysis.diagnostics import Diagnostic, apply_edits
from recipe.server.analysis.lint import LintResult, lint_text


def lint(text: str, config: Config | None = None) -> LintResult:
    """Lint with every rule; a rule that crashes fails the test."""
    result = lint_text(text, config or Config(), "test.recipe")
    assert not result.internal_errors, result.internal_errors
    return result


def found(text: str, code: str, config: Config | None = None) -> list[Diagnostic]:
    return [d for d in lint(text, config).diagnostics if d.code == code]


def where(text: str, diag: Diagnostic) -> tuple[tuple[int, int], tuple[int, int]]:
    """0-based (line, column) of the diagnostic's start and end."""
    doc = lint(text).analysis.document
    return doc.position(diag.start), doc.position(diag.end)


def fixed(text: str, diag: Diagnostic) -> str:
    """Apply the diagnostic's fix; every edit applies and the result has no syntax errors."""
    assert diag.fix is not None
    new, applied = apply_edits(text, list(diag.fix.edits))
    assert applied == len(diag.fix.edits)
    after = lint(new).diagnostics
    assert not [d for d in after if d.code.startswith("S")], after
    return new
