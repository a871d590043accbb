"""Per-document state of the server: text, syntax tree, configuration, cached analysis."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from recipe.runtime.lang import catalog
from recipe.runtime.lang.config import Config, ConfigError, apply_settings, load_config
from recipe.runtime.lang.reader import read, reread
from recipe.runtime.lang.syntax import Document, has_line_break, line_end
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.diagnostics import Diagnostic
from recipe.server.analysis.incremental import IncrementalLinter
from recipe.server.analysis.lint import LintResult, unknown_selectors

from .convert import UTF16, Positions, diagnostic_json

# Client setting (camelCase, section "recipe") → [tool.recipe] key.
CLIENT_KEYS = {
    "provider": "provider",
    "defaultModel": "default-model",
    "cheapModel": "cheap-model",
    "budgetUsd": "budget-usd",
    "budgetTokens": "budget-tokens",
    "maxCost": "max-cost",
    "contextSize": "context-size",
    "maxConcurrent": "max-concurrent",
    "select": "select",
    "ignore": "ignore",
    "severity": "severity",
}


def uri_to_path(uri: str) -> Path | None:
    """The file of a ``file:`` URI, or None for any other scheme."""
    try:
        parsed = urlparse(uri)
    except ValueError:
        return None
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if len(path) >= 3 and path[0] == "/" and path[2] == ":":  # /C:/x on Windows
        path = path[1:]
    return Path(path)


def lookup(name: str) -> catalog.Entry | None:
    """A catalogue entry, or None (also while the catalogue cannot be loaded)."""
    try:
        return catalog.lookup(name)
    except Exception:
        return None


def catalog_entries() -> dict[str, catalog.Entry]:
    try:
        return dict(catalog.entries())
    except Exception:
        return {}


class Settings:
    """Client settings merged over ``[tool.recipe]``, one :class:`Config` per folder."""

    def __init__(self) -> None:
        self.client: dict[str, Any] = {}
        self._cache: dict[Path | None, Config] = {}
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def set_client(self, settings: dict[str, Any] | None) -> None:
        self.client = dict(settings or {})
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    def client_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for key, value in self.client.items():
            target = CLIENT_KEYS.get(key)
            if target is None and key in CLIENT_KEYS.values():
                target = key
            if target is None or value is None or value == "":
                continue
            if target in ("select", "ignore") and value == []:
                continue
            table[target] = value
        return table

    def config_for(self, path: Path | None) -> Config:
        folder = path.parent if path is not None else None
        with self._lock:
            cached = self._cache.get(folder)
        if cached is not None:
            return cached
        try:
            config = load_config(folder) if folder is not None and folder.exists() else Config()
        except ConfigError as exc:
            self.errors.append(str(exc))
            config = Config()
        table = self.client_table()
        if table:
            # one key at a time, so one bad setting does not discard the others
            for key, value in table.items():
                try:
                    apply_settings(config, {key: value}, "recipe settings")
                except ConfigError as exc:
                    self.errors.append(str(exc))
                except Exception as exc:  # a malformed value of an unexpected type
                    self.errors.append(f"recipe settings: `{key}`: {exc}")
        self.errors.extend(f"recipe settings: {message}" for message in unknown_selectors(config))
        with self._lock:
            self._cache[folder] = config
        return config


# What a diagnostic's JSON text was made from: the finding it was first (its origin), the
# diagnostic, the text, and what it reads as.
_Wired = tuple[Diagnostic, Diagnostic, str, tuple[Any, ...]]


def _single_line_edit(document: Document, start: int, end: int,
                      new_text: str) -> tuple[int, int, int, int] | None:
    """(start, end, delta, where the next line starts) of an edit that neither adds nor
    removes a line break — what every other position keeps its line and column through,
    but those after it on its line; None for any other edit."""
    text = document.text
    if not 0 <= start <= end <= len(text) or has_line_break(new_text) \
            or has_line_break(text[start:end]) \
            or (start > 0 and text[start - 1] == "\r") or text[end:end + 1] == "\n":
        return None  # (a \r and a \n on either side of the edit could join)
    stop = line_end(text, end, len(text))
    next_line = stop + 2 if text.startswith("\r\n", stop) else stop + 1
    return start, end, len(new_text) - (end - start), next_line


def _same_place(before: Diagnostic, now: Diagnostic, at: int, delta: int,
                next_line: int) -> bool:
    """Whether ``now`` (a moved copy of ``before``, or itself) stands where ``before`` did,
    line and column alike, across the edits since: none (``next_line`` 0), one within a line
    at ``at`` moving what follows by ``delta`` (the next line starts at ``next_line``; an
    offset's line and column depend on the text before it only), any other (-1)."""
    if next_line <= 0:
        return next_line == 0 and before.start == now.start and before.end == now.end \
            and before.related == now.related

    pairs = [(before.start, now.start), (before.end, now.end)]
    if before.related or now.related:
        if len(before.related) != len(now.related):
            return False
        for b, n in zip(before.related, now.related, strict=True):
            pairs += ((b.start, n.start), (b.end, n.end))
    for old, new in pairs:
        if not ((old <= at and new == old) or (old >= next_line and new == old + delta)):
            return False
    return True


class DocState:
    """One open document. ``document`` is always the tree of ``version``; the analysis and
    lint result are cached for the version they were computed on."""

    def __init__(self, uri: str, version: int, text: str, config: Config) -> None:
        self.uri = uri
        self.path = uri_to_path(uri)
        self.filename = str(self.path) if self.path is not None else uri
        self.version = version
        self.document: Document = read(text)
        self.config = config
        self._analysis: tuple[int, Analysis] | None = None
        self._lint: tuple[int, LintResult] | None = None
        self._linter: IncrementalLinter | None = None
        self.lock = threading.Lock()
        self.pending: asyncio.Handle | None = None
        self.last_change = 0.0
        self.published: int | None = None
        self.run_diagnostics: list[Any] = []  # from the last "Run recipe" (source "recipe run")
        # id(the finding a diagnostic is a moved copy of, or of itself) → what its JSON text
        # was made from (see diagnostics_wire)
        self._json: dict[int, _Wired] = {}
        self._json_content: dict[tuple[Any, ...], str] = {}  # what it reads as → JSON text
        self._json_encoding = ""
        # The edits since the diagnostics last went on the wire: (start, end, delta, where
        # the line after the edit's last one started), None for one that broke or joined
        # lines or replaced the text.
        self._edits: list[tuple[int, int, int, int] | None] = []

    @property
    def text(self) -> str:
        return str(self.document.text)

    def positions(self, encoding: str = UTF16) -> Positions:
        return Positions(self.document, encoding)

    def apply_change(self, start: int, end: int, new_text: str) -> None:
        # Typing inside a string edits the tree in place (Document.edit_string); anything
        # else re-reads only the forms the edit touches. Both equal read() of the new text
        # (tests/test_reader.py, tests/test_edit_string.py check it on chained random edits).
        old = self.document
        if len(self._edits) < 2:  # (two or more go on the wire alike: no need to keep more)
            self._edits.append(_single_line_edit(old, start, end, new_text))
        self.document = old.edit_string(start, end, new_text) \
            or reread(old, start, end, new_text)

    def replace(self, text: str) -> None:
        self._edits[:] = [None]
        self.document = read(text)

    def set_config(self, config: Config) -> None:
        with self.lock:
            self.config = config
            self._analysis = None
            self._lint = None
            self._linter = None

    def analysis(self) -> Analysis:
        """The analysis of the current version (computed once per version)."""
        with self.lock:
            cached = self._analysis
            if cached is not None and cached[0] == self.version and cached[1].document is self.document:
                return cached[1]
            analysis = Analysis(self.document, self.config, self.filename)
            self._analysis = (self.version, analysis)
            return analysis

    def cached_lint(self) -> LintResult | None:
        cached = self._lint
        if cached is not None and cached[0] == self.version \
                and cached[1].analysis.document is self.document:
            return cached[1]
        return None

    def diagnostics_wire(self, result: LintResult, encoding: str) -> list[str]:
        """``result``'s diagnostics as the JSON text of LSP Diagnostics. What an edit did not
        change is not converted again: a diagnostic that is the same object as last time, or
        a moved copy of one (the incremental linter moves the findings of forms an edit left
        alone), keeps its text while its line and column cannot have changed (the edit was
        within one line, and on another line or after it); any other that reads as one
        last sent (same code, message, line, column…) gets that one's text."""
        pos = self.positions(encoding)
        same_encoding = self._json_encoding == encoding
        wired = self._json if same_encoding else {}
        by_content = self._json_content if same_encoding else {}
        edits, self._edits = self._edits, []
        if len(edits) == 1 and edits[0] is not None:
            at, _, delta, next_line = edits[0]
        else:  # (no edit, or none whose effect on lines and columns is this simple)
            at, delta, next_line = -1, 0, 0 if not edits else -1
        fresh: dict[int, _Wired] = {}
        fresh_content: dict[tuple[Any, ...], str] = {}
        out = []
        where = pos.line_character
        for diag in result.diagnostics:
            origin = diag.origin or diag
            last = wired.get(id(origin))
            if last is None or last[0] is not origin or (
                    diag is not last[1] and (diag.fix is not None or not _same_place(
                        last[1], diag, at, delta, next_line))) or (
                    edits and diag is last[1] and not _same_place(
                        diag, diag, at, delta, next_line)):
                key = (diag.code, diag.message, diag.severity, where(diag.start),
                       where(max(diag.start, diag.end)),
                       tuple((where(r.start), where(max(r.start, r.end)), r.message)
                             for r in diag.related),
                       diag.fix)
                text = by_content.get(key)
                if text is None:
                    text = json.dumps(diagnostic_json(diag, pos, self.uri), separators=(",", ":"))
                last = (origin, diag, text, key)
            elif last[1] is not diag:
                last = (origin, diag, last[2], last[3])
            fresh[id(origin)] = last
            fresh_content[last[3]] = last[2]
            out.append(last[2])
        self._json, self._json_content, self._json_encoding = fresh, fresh_content, encoding
        return out

    def lint(self) -> LintResult:
        """The lint result of the current version (computed once per version)."""
        found = self.cached_lint()
        if found is not None:
            return found
        version = self.version
        analysis = self.analysis()
        with self.lock:
            linter = self._linter
            if linter is None or linter.config is not analysis.config:
                linter = self._linter = IncrementalLinter(analysis.config, self.filename)

        def current() -> bool:
            # Under the lock that edits take: the tree was not moved while it was linted.
            with self.lock:
                return self.version == version and self.document is analysis.document

        result = linter.lint(analysis.document, analysis, commit=current)
        with self.lock:
            if self.version == version:
                self._lint = (version, result)
        return result
