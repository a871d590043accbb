"""What a rule sees: the document, its resolution, flow facts, estimates and configuration."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from recipe.runtime.lang.config import Config
from recipe.runtime.lang.models import Model
from recipe.runtime.lang.syntax import Atom, Document, ListNode, Node

from .diagnostics import Diagnostic, Fix, Related, shorten_quotes
from .facts import Facts, FanOutSite
from .scopes import Binding, Call, FormShare, ResolutionCache, Scopes, resolve

if TYPE_CHECKING:
    from .estimate import CallEstimate, Estimates
    from .python_code import EmbeddedPython

_S = TypeVar("_S")


class Spans:
    """Some top-level forms' spans: whether a node lies in one of them."""

    __slots__ = ("ends", "starts")

    def __init__(self, forms: list[Node]) -> None:
        self.starts = [f.start for f in forms]
        self.ends = [f.end for f in forms]

    def holds(self, node: Node) -> bool:
        i = bisect.bisect_right(self.starts, node.start) - 1
        return i >= 0 and node.start < self.ends[i]

    def misses(self, node: Node) -> bool:
        # (not `not self.holds(node)`: this runs for every kept call and site per keystroke)
        start = node.start
        i = bisect.bisect_right(self.starts, start) - 1
        return i < 0 or start >= self.ends[i]


class Reuse:
    """An earlier analysis's figures, and the forms an edit since may have affected
    (``changed``): the fan-out sites and the estimates of the calls outside those are kept
    (see IncrementalLinter._cone)."""

    __slots__ = ("context", "estimates", "keeps", "sites")

    def __init__(self, earlier: Analysis, changed: Spans) -> None:
        # (spans, not the Focus: the facts made with this keep `keeps`, and a Focus holds
        # its analysis, which holds those facts — a cycle freeing a whole analysis per edit)
        self.keeps: Callable[[Node], bool] = changed.misses
        self.estimates: Estimates | None = earlier.__dict__.get("estimates")
        facts: Facts | None = earlier.__dict__.get("facts")
        self.sites: dict[int, list[FanOutSite]] = {}
        self.context = facts._context if facts is not None else None
        if facts is not None and facts._fan_outs is not None:
            for site in facts._fan_outs:
                self.sites.setdefault(id(site.call.node), []).append(site)


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
        # Set by the incremental linter before estimates are made: an earlier estimate of
        # the same tree and the nodes an edit left alone since (their figures are kept).
        self.reuse: Reuse | None = None
        # Set by the incremental linter: what resolving each form found last time.
        self.resolution_cache: ResolutionCache | None = None
        self.shared: dict[str, object] = {}  # see RuleContext.shared

    @cached_property
    def scopes(self) -> Scopes:
        return resolve(self.document, self.resolution_cache)

    @cached_property
    def facts(self) -> Facts:
        reuse = self.reuse
        if reuse is None:
            return Facts(self.scopes)
        return Facts(self.scopes, reused_sites=reuse.sites, keeps=reuse.keeps,
                     earlier_context=reuse.context)

    @cached_property
    def estimates(self) -> Estimates:
        from .estimate import estimate

        estimates = estimate(self, self.reuse)  # (the facts it makes read self.reuse too)
        self.reuse = None  # (kept, it would hold every earlier analysis)
        self.facts.forget_earlier()
        return estimates

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


class Focus:
    """Some top-level forms of an analysed document: what a rule with ``LOCAL = True`` looks
    at when the incremental linter re-checks only the forms an edit can affect (the analysis
    itself still covers the whole document). Built lazily, shared by the rules of one lint."""

    def __init__(self, analysis: Analysis, indices: list[int]) -> None:
        self.analysis = analysis
        self.indices = sorted(indices)
        self.forms = [analysis.document.forms[i] for i in self.indices]
        self._nodes: list[Node] | None = None
        self._share: FormShare | None = None
        self.spans = Spans(self.forms)
        self._estimate_calls: list[CallEstimate] | None = None
        self.shared: dict[str, object] = {}  # see RuleContext.shared

    def walk(self) -> list[Node]:
        if self._nodes is None:
            self._nodes = list(self.analysis.document.subset(self.forms).walk())
        return self._nodes

    @property
    def share(self) -> FormShare:
        if self._share is None:
            self._share = self.analysis.scopes.of_forms(self.indices)
        return self._share

    def holds(self, node: Node) -> bool:
        return self.spans.holds(node)

    def estimate_calls(self) -> list[CallEstimate]:
        if self._estimate_calls is None:
            # (the focus's calls looked up, not every estimate of the file filtered)
            self._estimate_calls = self.analysis.estimates.of_calls(self.share.calls)
        return self._estimate_calls


class RuleContext:
    """Handed to each rule's ``check``: the analysis plus a diagnostic factory. A rule with
    ``LOCAL = True`` iterates through :meth:`forms`, :meth:`walk`, :meth:`calls` … (all the
    document's, or only the focus forms'), and reports only inside what it iterates."""

    def __init__(self, analysis: Analysis, code: str, severity: str,
                 focus: Focus | None = None) -> None:
        self.analysis = analysis
        self.code = code
        self.severity = severity
        self.focus = focus

    def shared(self, key: str, make: Callable[[RuleContext], _S]) -> _S:
        """What ``make`` gives for the forms to check, worked out once for all the rules of a
        lint that ask for it under ``key``."""
        memo = self.focus.shared if self.focus is not None else self.analysis.shared
        if key not in memo:
            memo[key] = make(self)
        return memo[key]  # type: ignore[return-value]

    def in_focus(self, node: Node) -> bool:
        """Whether ``node`` lies in the forms to check (for a rule that iterates more than
        them and reports elsewhere than what it iterates: T005 reports inside the functions
        a fan-out runs)."""
        return self.focus is None or self.focus.holds(node)

    def forms(self) -> list[Node]:
        """The top-level forms to check."""
        return self.focus.forms if self.focus is not None else self.analysis.document.forms

    def walk(self) -> Iterator[Node]:
        """Every node of the forms to check, in source order."""
        return iter(self.focus.walk()) if self.focus is not None \
            else self.analysis.document.walk()

    def calls(self) -> list[Call]:
        return self.focus.share.calls if self.focus is not None else self.analysis.scopes.calls

    def calls_to(self, *names: str) -> Iterator[Call]:
        if self.focus is None:
            return self.analysis.scopes.calls_to(*names)
        calls = self.focus.share.calls
        return (c for name in names for c in calls  # (in the order of `names`, as Scopes)
                if c.binding is None and c.head.text == name)

    def bindings(self) -> list[Binding]:
        return self.focus.share.bindings if self.focus is not None \
            else self.analysis.scopes.bindings

    def unbound(self) -> list[Atom]:
        return self.focus.share.unbound if self.focus is not None \
            else self.analysis.scopes.unbound

    def assignments(self) -> list[tuple[ListNode, Atom, Binding | None]]:
        return self.focus.share.assignments if self.focus is not None \
            else self.analysis.scopes.assignments

    def fan_outs(self) -> list[FanOutSite]:
        facts = self.analysis.facts
        if self.focus is None:
            return facts.fan_outs()
        by_call = facts.sites_by_call()
        return [site for call in self.focus.share.calls
                for site in by_call.get(id(call.node), ()) if site.call is call]

    def estimate_calls(self) -> list[CallEstimate]:
        if self.focus is None:
            return self.analysis.estimates.calls
        return self.focus.estimate_calls()

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
        return Diagnostic(self.code, shorten_quotes(message), start, end, self.severity, fix,
                          related or [])
