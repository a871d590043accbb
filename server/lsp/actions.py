"""Code actions (quick fixes, noqa, run, estimate), code lens and inlay hints."""

from __future__ import annotations

import re

from lsprotocol import types
from recipe.runtime.lang.syntax import STRING, Atom
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.diagnostics import Diagnostic
from recipe.server.analysis.lint import LintResult

from . import estimates as est
from .convert import Positions, to_lsp_diagnostic
from .locate import chain_at

RUN_COMMAND = "recipe.run"
ESTIMATE_COMMAND = "recipe.estimateCost"
# Plain "source": clients built on lsprotocol cannot decode custom kinds like "source.recipe.run".
KIND_RUN = types.CodeActionKind.Source
KIND_ESTIMATE = types.CodeActionKind.Source
_NOQA = re.compile(r";+\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*))?", re.IGNORECASE)


def _overlaps(diag: Diagnostic, start: int, end: int) -> bool:
    return bool(diag.start <= end and start <= diag.end)


def _wanted(only: list[str] | None, kind: str) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def noqa_edit(analysis: Analysis, line: int, code: str) -> tuple[int, int, str] | None:
    """The edit adding ``; noqa: CODE`` to ``line`` (merged with an existing noqa), or None
    when the line ends inside a string or block comment."""
    doc = analysis.document
    if line >= len(doc.line_starts):
        return None
    line_start, line_end = doc.line_span(line)
    for comment in doc.comments:
        if comment.kind != "line" or not (line_start <= comment.start < line_end):
            if comment.kind == "block" and comment.start < line_end < comment.end:
                return None
            continue
        match = _NOQA.search(comment.text)
        if match is None:
            return (comment.end, comment.end, f" ; noqa: {code}")
        codes = match.group("codes")
        if codes is None:
            return None  # a bare noqa already silences everything
        existing = [c.strip().upper() for c in codes.split(",")]
        if code in existing:
            return None
        merged = ", ".join([*existing, code])
        s = comment.start + match.start("codes")
        return (s, comment.start + match.end("codes"), merged)
    for node in chain_at(doc, line_end):
        if isinstance(node, Atom) and node.kind in (STRING, "error") and node.start < line_end < node.end:
            return None
    text = doc.text[line_start:line_end]
    sep = "" if text.endswith(" ") or not text else "  "
    return (line_end, line_end, f"{sep}; noqa: {code}")


def code_actions(analysis: Analysis, lint: LintResult, pos: Positions, uri: str,
                 start: int, end: int, only: list[str] | None) -> list[types.CodeAction]:
    actions: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix):
        noqa_done: set[tuple[int, str]] = set()
        for diag in lint.diagnostics:
            if not _overlaps(diag, start, end):
                continue
            lsp_diag = to_lsp_diagnostic(diag, pos, uri)
            if diag.fix is not None and diag.fix.edits:
                edits = [types.TextEdit(range=pos.range(e.start, e.end), new_text=e.new_text)
                         for e in diag.fix.edits]
                actions.append(types.CodeAction(
                    title=diag.fix.message + ("" if diag.fix.safe else " (unsafe)"),
                    kind=types.CodeActionKind.QuickFix, diagnostics=[lsp_diag],
                    is_preferred=diag.fix.safe,
                    edit=types.WorkspaceEdit(changes={uri: edits})))
            line = analysis.document.position(diag.start)[0]
            if (line, diag.code) in noqa_done or diag.code.startswith("S"):
                continue
            noqa_done.add((line, diag.code))
            edit = noqa_edit(analysis, line, diag.code)
            if edit is not None:
                actions.append(types.CodeAction(
                    title=f"Ignore {diag.code} for this line",
                    kind=types.CodeActionKind.QuickFix, diagnostics=[lsp_diag],
                    edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(
                        range=pos.range(edit[0], edit[1]), new_text=edit[2])]})))
    if _wanted(only, KIND_ESTIMATE):
        actions.append(types.CodeAction(
            title="Estimate cost", kind=KIND_ESTIMATE,
            command=types.Command(title="Estimate cost", command=ESTIMATE_COMMAND, arguments=[uri])))
    if _wanted(only, KIND_RUN):
        actions.append(types.CodeAction(
            title="Run recipe", kind=KIND_RUN,
            command=types.Command(title="Run recipe", command=RUN_COMMAND, arguments=[uri])))
    return actions


def lens_title(analysis: Analysis) -> str:
    """``▶ Run · est. $0.0047–$0.012 + 1 unpriced · ~2.5 min``: the total of ``recipe cost``
    (one figure when the range is a point)."""
    total = est.total(analysis)
    if total is None:
        return "▶ Run · no estimate"
    if total.calls == 0:
        return "▶ Run · no LLM calls"
    if total.complete or total.known_high:
        cost = f"est. {est.total_cost_text(total, short=True)}"
    else:
        n = len(total.unknown)
        cost = f"cost unknown ({n} call site{'s' if n != 1 else ''} unpriced)"
    return f"▶ Run · {cost} · {est.total_latency_text(total)}"


def code_lenses(analysis: Analysis, pos: Positions, uri: str) -> list[types.CodeLens]:
    rng = pos.range(0, 0)
    return [
        types.CodeLens(range=rng, command=types.Command(
            title=lens_title(analysis), command=RUN_COMMAND, arguments=[uri])),
        types.CodeLens(range=rng, command=types.Command(
            title="Estimate cost", command=ESTIMATE_COMMAND, arguments=[uri])),
    ]


def inlay_hints(analysis: Analysis, pos: Positions, start: int, end: int) -> list[types.InlayHint]:
    """After each fan-out: the calls it makes per model and what they cost in all (the rows
    of ``recipe cost`` for those calls), e.g. `` 12 × gpt-4.1-nano + 3 × gpt-4.1 ≈ $0.02``."""
    hints: list[types.InlayHint] = []
    for node, group in est.fan_out_groups(analysis):
        if not (start <= node.end <= end):
            continue
        calls = est.group_calls(group)
        if not calls:
            continue
        window = group[0].window
        hints.append(types.InlayHint(
            position=pos.position(node.end),
            label=f" {est.calls_text(calls)} ≈ {est.calls_cost_text(calls)}",
            kind=None, padding_left=True,
            tooltip=f"estimated {est.calls_cost_text(calls)}, "
                    f"{est.latency(est.group_latency(group))} at window "
                    f"{window if window is not None else 'unbounded'}"))
    return hints
