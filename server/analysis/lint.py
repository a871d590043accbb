"""The lint pipeline: read → analyse → run the selected rules → noqa → severities → sort."""

from __future__ import annotations

import fnmatch
import gc
import re
from collections.abc import Iterable
from pathlib import PurePath

from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.runtime.lang.syntax import Document

from ..rules import Rule, all_rules, known_selector, matches
from .context import Analysis, RuleContext
from .diagnostics import Diagnostic, Edit, apply_edits

_NOQA = re.compile(r";+\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*))?", re.IGNORECASE)


class LintResult:
    """Diagnostics of one document, and the analysis they came from."""

    __slots__ = ("analysis", "diagnostics", "internal_errors")

    def __init__(self, analysis: Analysis, diagnostics: list[Diagnostic],
                 internal_errors: list[str] | None = None) -> None:
        self.analysis = analysis
        self.diagnostics = diagnostics
        self.internal_errors = internal_errors or []  # a rule that crashed (a bug of ours)


def selected_rules(config: Config, filename: str = "",
                   select: Iterable[str] | None = None,
                   ignore: Iterable[str] | None = None) -> list[Rule]:
    """Rules enabled by configuration plus command-line selection (the latter wins)."""
    chosen_select = list(select) if select is not None else (config.select or ["ALL"])
    chosen_ignore = list(config.ignore) + list(ignore or [])
    path = PurePath(filename).as_posix() if filename else ""
    for pattern, codes in config.per_file_ignores.items():
        if path and (fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(PurePath(path).name, pattern)
                     or fnmatch.fnmatch(path, f"*/{pattern}")):
            chosen_ignore.extend(codes)
    return [rule for rule in all_rules()
            if matches(rule.code, chosen_select) and not _ignored(rule.code, chosen_select, chosen_ignore)]


def unknown_selectors(config: Config) -> list[str]:
    """The rule selectors of a configuration that match no rule (``select = ["NOPE9"]``
    turned every rule off without a word), as messages."""
    found: list[str] = []
    for what, selectors in (("select", config.select or []), ("ignore", config.ignore),
                            *((f"per-file-ignores.{pattern}", selected)
                              for pattern, selected in config.per_file_ignores.items())):
        for selector in selectors:
            if not known_selector(selector):
                found.append(f"`{what}`: {selector!r} matches no rule (rule codes: "
                             "`recipe rule --all`)")
    return found


def _ignored(code: str, select: list[str], ignore: list[str]) -> bool:
    # ruff's precedence: the more specific of a matching select and ignore wins.
    def specificity(selector: str) -> int:
        return 0 if selector == "ALL" else len(selector)

    best_ignore = max((specificity(s) for s in ignore if s == "ALL" or code.startswith(s)),
                      default=-1)
    if best_ignore < 0:
        return False
    best_select = max((specificity(s) for s in select if s == "ALL" or code.startswith(s)),
                      default=-1)
    return best_ignore >= best_select


def noqa_lines(document: Document) -> dict[int, set[str] | None]:
    """Line (0-based) → codes silenced there (None: every code)."""
    out: dict[int, set[str] | None] = {}
    for comment in document.comments:
        if comment.kind != "line":
            continue
        match = _NOQA.search(comment.text)
        if not match:
            continue
        line = document.position(comment.start)[0]
        codes = match.group("codes")
        out[line] = {c.strip().upper() for c in codes.split(",")} if codes else None
    return out


def lint_document(document: Document, config: Config, filename: str = "<recipe>",
                  select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
                  context_tokens: int | None = None,
                  analysis: Analysis | None = None) -> LintResult:
    """Run the selected rules over a read document. Never raises."""
    analysis = analysis or Analysis(document, config, filename, context_tokens)
    diagnostics: list[Diagnostic] = []
    internal: list[str] = []
    # The analysis builds many small linked objects; pausing the cyclic collector while the
    # rules run keeps big files linear (it resumes, and collects, right after).
    enabled = gc.isenabled()
    gc.disable()
    try:
        for rule in selected_rules(config, filename, select, ignore):
            severity = config.severity.get(rule.code, rule.severity)
            ctx = RuleContext(analysis, rule.code, severity)
            try:
                diagnostics.extend(rule.check(ctx))
            except (RecursionError, Exception) as exc:  # a bug in a rule must not stop others
                internal.append(f"{rule.code}: {type(exc).__name__}: {exc}")
    finally:
        if enabled:
            gc.enable()
    return LintResult(analysis, apply_noqa(document, diagnostics), internal)


def apply_noqa(document: Document, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics not silenced by a ``; noqa`` comment on their line, sorted."""
    silenced = noqa_lines(document)
    if silenced:
        kept = []
        for diag in diagnostics:
            line = document.position(diag.start)[0]
            codes = silenced.get(line, ())
            if codes is None or (codes and diag.code in codes):
                continue
            kept.append(diag)
        diagnostics = kept
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics


def lint_text(text: str, config: Config | None = None, filename: str = "<recipe>",
              select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
              context_tokens: int | None = None) -> LintResult:
    return lint_document(read(text), config or Config(), filename, select, ignore, context_tokens)


def fix_text(text: str, config: Config, filename: str = "<recipe>",
             select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
             unsafe: bool = False, max_passes: int = 8) -> tuple[str, int]:
    """Apply fixes until none applies (or ``max_passes``); returns (new text, fixes applied)."""
    total = 0
    for _ in range(max_passes):
        result = lint_text(text, config, filename, select, ignore)
        edits: list[Edit] = []
        claimed: list[tuple[int, int]] = []
        taken = 0
        for diag in result.diagnostics:
            fix = diag.fix
            if fix is None or (not fix.safe and not unsafe):
                continue
            spans = [(e.start, e.end) for e in fix.edits]
            if any((s < ce and cs < e) or (s == e == cs) for s, e in spans for cs, ce in claimed):
                continue  # overlaps a fix already taken this pass: next pass
            claimed.extend(spans)
            edits.extend(fix.edits)
            taken += 1
        if not edits:
            break
        new_text, _ = apply_edits(text, edits)
        if new_text == text:
            break
        text = new_text
        total += taken
    return text, total
