"""Shared by the S rules: the reader's syntax errors of one code, as diagnostics."""

from __future__ import annotations

from collections.abc import Iterator

from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.diagnostics import Diagnostic, Related


def syntax_diagnostics(ctx: RuleContext) -> Iterator[Diagnostic]:
    for issue in ctx.document.errors:
        if issue.code != ctx.code:
            continue
        related = []
        if issue.related is not None:
            related.append(Related(issue.related[0], issue.related[1], "the list opened here"))
        yield ctx.diagnostic((issue.start, issue.end), issue.message, related=related)
