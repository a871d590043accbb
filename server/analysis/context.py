"""What a rule sees: the document, its resolution, flow facts, estimates and configuration."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from recipe.runtime.lang.config import Config
from recipe.runtime.lang.models import Model
from recipe.runtime.lang.syntax import Document, Node

from .diagnostics import Diagnostic, Fix, Related
from .facts import Facts
from .scopes import Scopes, resolve

if TYPE_CHECKING:
    from .estimate import Estimates
    from .python_code import EmbeddedPython


class Analysis:
    """Everything known about one document without running it. Parts are computed on first
    use, so a rule selection that needs no estimates never pays for them."""

    def __init__(self, document: Document, config: Config, filename: str = "<recipe>",
                 context_tokens: int | None = None) -> None:
        self.document = document
        self.config = config
        self.filename = filename
        self.context_tokens = context_tokens if context_tokens is not None else config.context_size
        self.used_where = False  # a message quoted a line:col (read by the incremental linter)

    @cached_property
    def scopes(self) -> Scopes:
        return resolve(self.document)

    @cached_property
    def facts(self) -> Facts:
        return Facts(self.scopes)

    @cached_property
    def estimates(self) -> Estimates:
        from .estimate import estimate

        return estimate(self)

    @cached_property
    def python(self) -> EmbeddedPython:
        from .python_code import EmbeddedPython

        return EmbeddedPython(self)

    def model(self, name: str | None) -> Model | None:
        return self.config.models.get(name) if name is not None else None

    def where(self, offset: int) -> str:
        """``line:col`` (1-based) of an offset, for messages."""
        self.used_where = True
        return self.document.where(offset)

    def text(self, node: Node) -> str:
        return self.document.text[node.start:node.end]


class RuleContext:
    """Handed to each rule's ``check``: the analysis plus a diagnostic factory."""

    def __init__(self, analysis: Analysis, code: str, severity: str) -> None:
        self.analysis = analysis
        self.code = code
        self.severity = severity

    @property
    def document(self) -> Document:
        return self.analysis.document

    @property
    def config(self) -> Config:
        return self.analysis.config

    @property
    def scopes(self) -> Scopes:
        return self.analysis.scopes

    @property
    def facts(self) -> Facts:
        return self.analysis.facts

    def diagnostic(self, node_or_span: Node | tuple[int, int], message: str,
                   fix: Fix | None = None, related: list[Related] | None = None) -> Diagnostic:
        if isinstance(node_or_span, tuple):
            start, end = node_or_span
        else:
            start, end = node_or_span.start, node_or_span.end
        return Diagnostic(self.code, message, start, end, self.severity, fix, related or [])
