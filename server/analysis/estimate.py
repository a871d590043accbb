"""Cost and latency estimates of a recipe without running it (RULES.md, "Cost and latency
estimates"). Read by the C rules, hover, inlay hints, the code lens and ``recipe cost``.

For every LLM call site (``llm-query``, ``llm-query-async``, ``unsafe-raw-query``, and
``recursive-spawn``, whose procedure makes one ``llm-query`` per call with the default
model — the nested recipe's own calls are not known) a :class:`CallEstimate` says:

- **model**: the literal ``#:model`` (or a constant it names), else the configured default;
  ``None`` when the name is computed at run time.
- **input tokens**: :func:`~recipe.runtime.lang.tokens.chat_prompt_tokens` of the literal
  ``#:instruction`` and ``#:data`` (``(no data provided)`` when there is no data, as the
  runtime sends). When ``#:data`` is the item of a fan-out over a list of literal strings
  (``(map-async f (list "cats" "dogs"))``, also through a binding), the longest of them
  (RULES.md's "when those are literals"). When ``#:data`` is any other fan-out item, a
  function parameter, a loop variable
  or derived from ``context`` (or a named context), the data is taken to be
  ``analysis.context_tokens`` long — the whole context *per call*, deliberately simple and
  on the high side when the items come from splitting the context. Otherwise (data computed
  at run time, e.g. Python output or LLM replies, or no context size known) the input is
  unknown (``tokens_in is None``) and figures are given **per 1,000 input tokens**;
  ``input_floor`` still counts what is certain (the literal instruction and message
  overhead), a lower bound used by C007.
- **output tokens**: the literal ``#:max-tokens``, else unbounded (``tokens_out is None``)
  and the model's output limit (``max_output``) is the worst case.
- **cost per call**: ``low`` assumes replies use a quarter of the output bound,
  ``high`` the whole bound: ``low = price(in, 0.25 × bound)``, ``high = price(in, bound)``
  where ``bound`` is ``#:max-tokens`` or, without it, the model's output limit.
- **multiplicity**: how many times the call runs: the product of the sizes of the fan-outs
  (``map-async``, ``map``, ``parallel`` …), ``for`` loops and named-let loops over a known
  list that enclose it, summed over the places a user function is called from. ``None``
  (symbolic ``N``) when a size is not knowable. Lambdas handed to other procedures
  (``try``, ``memoized`` …) are taken to run once; ``tree-reduce``, ``iterate-until`` and
  ``critique-refine`` use their worst-case call counts.
- **latency**: the model's ``latency_s`` per call. Along sequential code latencies add up;
  ``llm-query-async`` calls started before an ``await`` overlap (the longest counts);
  a concurrent fan-out takes ⌈N / window⌉ × the per-item latency (one batch when the
  window is ``#f``), a sequential one N × the per-item latency; ``if``/``cond`` take the
  slowest branch. A built-in of no cost handed to ``map``/``for-each``… takes no time.

Everything here is bounded (chains of functions, recursion) and never raises on odd code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from recipe.runtime.lang import catalog
from recipe.runtime.lang.models import Model
from recipe.runtime.lang.syntax import KEYWORD, SYMBOL, Atom, ListNode, Node
from recipe.runtime.lang.tokens import chat_prompt_tokens

from .facts import (
    AWAIT_CALLS,
    LLM_CALLS,
    SYNC_LLM_CALLS,
    FanOutSite,
    for_clauses_at,
    index_in,
    parent_list,
)
from .scopes import FOR_FORMS, LAMBDA_NAMES, Call

if TYPE_CHECKING:
    from recipe.runtime.lang.syntax import Document

    from .context import Analysis, Reuse

NO_DATA = "(no data provided)"  # what the runtime sends as the user message without data
LOW_OUTPUT_SHARE = 0.25  # "low" estimate: replies use a quarter of their output bound
PER_INPUT_TOKENS = 1000  # figures "per 1,000 input tokens" when the input is unknown
UNKNOWN_MAX_OUTPUT = 4096  # output bound of a model whose table row has no max_output
MAX_DEPTH = 60  # bound on nested function/loop following
DELEGATE = "recursive-spawn"  # returns a procedure that makes one llm-query per call

Count = int | None


class Locator:
    """Where the ``line:col`` of the estimates of one tree are read: the newest document of
    it. An estimate kept across edits is shared by the analyses before and after them (its
    node moves in place), so the one locator of a chain of reuses follows the edits."""

    __slots__ = ("document",)

    def __init__(self, document: Document) -> None:
        self.document = document


class CallEstimate:
    """The estimate of one LLM call site."""

    __slots__ = ("call", "fan_outs", "input_basis", "input_floor", "locator", "model", "model_name", "multiplicity", "node", "primitive", "tokens_in", "tokens_out",)

    def __init__(self, node: ListNode, call: Call, locator: Locator, primitive: str, model_name: str | None, model: Model | None, tokens_in: int | None, input_basis: str, input_floor: int, tokens_out: int | None, multiplicity: int | None, fan_outs: list[FanOutSite] | None = None) -> None:
        self.node = node
        self.call = call
        self.locator = locator
        self.primitive = primitive
        self.model_name = model_name
        self.model = model
        self.tokens_in = tokens_in
        self.input_basis = input_basis
        self.input_floor = input_floor
        self.tokens_out = tokens_out
        self.multiplicity = multiplicity
        self.fan_outs: list[FanOutSite] = fan_outs if fan_outs is not None else []

    def moved(self, call: Call, fan_outs: list[FanOutSite]) -> CallEstimate:
        """These figures for the same call in a new analysis of the tree."""
        return CallEstimate(self.node, call, self.locator, self.primitive, self.model_name,
                            self.model, self.tokens_in, self.input_basis, self.input_floor,
                            self.tokens_out, self.multiplicity, fan_outs)

    @property
    def site(self) -> str:
        """``line:col`` of the call, in the newest text."""
        return self.locator.document.where(self.node.start)

    @property
    def tier(self) -> str | None:
        return self.model.tier if self.model is not None else None

    @property
    def is_async(self) -> bool:
        return self.primitive == "llm-query-async"

    @property
    def output_bound(self) -> int | None:
        """``#:max-tokens``, or the model's output limit when unbounded (the worst case)."""
        if self.tokens_out is not None:
            return self.tokens_out
        if self.model is None:
            return None
        return self.model.max_output or UNKNOWN_MAX_OUTPUT

    @property
    def per_1k_input(self) -> bool:
        """True when the figures assume 1,000 input tokens (the input is unknown)."""
        return self.tokens_in is None

    def _cost(self, share: float, tokens_in: int | None) -> float | None:
        bound = self.output_bound
        if self.model is None or bound is None:
            return None
        tin = tokens_in if tokens_in is not None else PER_INPUT_TOKENS
        return float(self.model.cost(tin, share * bound))

    @property
    def cost_low(self) -> float | None:
        """Cost of one call, low end (per 1,000 input tokens when the input is unknown)."""
        return self._cost(LOW_OUTPUT_SHARE, self.tokens_in)

    @property
    def cost_high(self) -> float | None:
        """Cost of one call, worst case (per 1,000 input tokens when the input is unknown)."""
        return self._cost(1.0, self.tokens_in)

    @property
    def cost_high_floor(self) -> float | None:
        """A certain lower bound of the worst case of one call (unknown input counted as
        what is sure to be sent)."""
        return self._cost(1.0, self.tokens_in if self.tokens_in is not None else self.input_floor)

    @property
    def total_low(self) -> float | None:
        if self.multiplicity == 0:
            return 0.0  # never runs (a fan-out over an empty list): costs nothing
        return _mul(self.cost_low, self.multiplicity) if self.tokens_in is not None else None

    @property
    def total_high(self) -> float | None:
        if self.multiplicity == 0:
            return 0.0
        return _mul(self.cost_high, self.multiplicity) if self.tokens_in is not None else None

    @property
    def latency_s(self) -> float | None:
        """Typical seconds of one call."""
        return self.model.latency_s if self.model is not None else None

    @property
    def innermost_fan_out(self) -> FanOutSite | None:
        return self.fan_outs[0] if self.fan_outs else None


class FanOutEstimate:
    """A call that spreads work over items (``map-async``, ``map``, ``parallel`` …)."""

    __slots__ = ("calls", "item_latency_s", "latency_s", "site", "size", "window",)

    def __init__(self, site: FanOutSite, size: int | None, window: int | None, item_latency_s: float | None, latency_s: float | None, calls: list[CallEstimate] | None = None) -> None:
        self.site = site
        self.size = size
        self.window = window
        self.item_latency_s = item_latency_s
        self.latency_s = latency_s
        self.calls: list[CallEstimate] = calls if calls is not None else []

    @property
    def node(self) -> ListNode:
        return self.site.call.node

    @property
    def name(self) -> str:
        return self.site.call.name

    @property
    def batches(self) -> int | None:
        """⌈N / window⌉ for a concurrent fan-out, N for a sequential one."""
        if self.size is None:
            return None
        if not self.site.concurrent:
            return self.size
        if self.window is None or self.window <= 0:
            return 1 if self.size else 0
        return math.ceil(self.size / self.window)


class EstimateTotal:
    """The whole recipe. ``low``/``high`` are None when some call cannot be priced (unknown
    input size, count or model); ``known_low``/``known_high`` sum what can be priced, and
    ``floor_high`` is a certain lower bound of the worst case."""

    __slots__ = ("calls", "floor_high", "high", "known_high", "known_low", "latency_s", "low", "unknown",)

    def __init__(self, low: float | None, high: float | None, latency_s: float | None, calls: int | None, known_low: float, known_high: float, floor_high: float, unknown: list[CallEstimate]) -> None:
        self.low = low
        self.high = high
        self.latency_s = latency_s
        self.calls = calls
        self.known_low = known_low
        self.known_high = known_high
        self.floor_high = floor_high
        self.unknown = unknown

    @property
    def complete(self) -> bool:
        return not self.unknown


class Estimates:
    """Estimates of every LLM call site and fan-out of a document."""

    def __init__(self, calls: list[CallEstimate], fan_outs: list[FanOutEstimate],
                 estimator: _Estimator) -> None:
        self.calls = calls
        self.fan_outs = fan_outs
        self._estimator = estimator
        self.kept_calls = 0  # call estimates taken from an earlier analysis (Reuse)
        self.same_calls = 0  # of which the very objects (same call and fan-out sites)
        self._by_node: dict[int, CallEstimate] = {id(c.node): c for c in calls}
        self._fan_out_by_site: dict[int, FanOutEstimate] = {id(fo.site): fo for fo in fan_outs}

    @cached_property
    def _fan_outs_by_node(self) -> dict[int, list[FanOutEstimate]]:
        # (on first use: hover and a few rules ask, the next edit's estimate does not)
        found: dict[int, list[FanOutEstimate]] = {}
        for fo in self.fan_outs:
            found.setdefault(id(fo.node), []).append(fo)
        return found

    @cached_property
    def latency_s(self) -> float | None:
        """Seconds to run the whole recipe once (worked out on first use: no rule needs it)."""
        return self._estimator.recipe_latency()

    def refresh_call(self, node: ListNode) -> None:
        """Estimate the LLM call ``node`` again after a literal in it changed in place (the
        language server's edit of an instruction). Nothing else depends on the literal's
        text (the sites' ``line:col`` are read from the patched document)."""
        old = self._by_node.get(id(node))
        if old is None:
            return
        estimator = self._estimator
        new = estimator.call_estimate(old.call)
        self._by_node[id(node)] = estimator._call_estimates[id(node)] = new
        self.calls[self.calls.index(old)] = new
        for site in old.fan_outs:
            fo = self._fan_out_by_site.get(id(site))
            if fo is not None:
                fo.calls = [new if c is old else c for c in fo.calls]

    def of_calls(self, calls: Iterable[Call]) -> list[CallEstimate]:
        """The estimates of those of ``calls`` that are LLM calls, in source order."""
        by_node = self._by_node
        found = [est for est in (by_node.get(id(c.node)) for c in calls) if est is not None]
        found.sort(key=_start)
        return found

    def call(self, node: Node) -> CallEstimate | None:
        """The estimate of an LLM call node (or of its head symbol)."""
        found = self._by_node.get(id(node))
        if found is None:
            parent = self._estimator.parent_list(node)
            if parent is not None and parent.items and parent.items[0] is node:
                found = self._by_node.get(id(parent))
        return found

    def fan_out(self, node: Node) -> FanOutEstimate | None:
        found = self.fan_outs_at(node)
        return found[0] if found else None

    def fan_outs_at(self, node: Node) -> list[FanOutEstimate]:
        """Every fan-out of a call node (or of its head symbol). Most calls have one; a
        combinator that spreads several functions over its items (``active-learning``:
        the cheap and the expensive one) has one per function, and :meth:`fan_out` gives
        only the first."""
        found = self._fan_outs_by_node.get(id(node))
        if found is None:
            parent = self._estimator.parent_list(node)
            if parent is not None and parent.items and parent.items[0] is node:
                found = self._fan_outs_by_node.get(id(parent))
        return list(found or ())

    def fan_out_of(self, site: FanOutSite) -> FanOutEstimate | None:
        """The estimate of one fan-out site (exact even where a call has several)."""
        return self._fan_out_by_site.get(id(site))

    def for_node(self, node: Node) -> CallEstimate | FanOutEstimate | None:
        """For hover: the call or fan-out estimate of a node (or of its head symbol)."""
        return self.call(node) or self.fan_out(node)

    def ancestors(self, node: Node) -> Iterator[ListNode]:
        """The lists enclosing ``node``, innermost first."""
        parent = self._estimator.parent_list(node)
        while parent is not None:
            yield parent
            parent = self._estimator.parent_list(parent)

    def multiplicity(self, node: Node) -> int | None:
        """How many times ``node`` is evaluated (None: unknown)."""
        return self._estimator.count(node)

    def latency_of(self, forms: Iterable[Node]) -> float | None:
        """Seconds to evaluate ``forms`` once, in order (e.g. one iteration of a loop body)."""
        clock = _Clock()
        for form in forms:
            self._estimator.walk(form, clock, 0)
        return clock.total

    def total(self) -> EstimateTotal:
        low: float | None = 0.0
        high: float | None = 0.0
        calls: int | None = 0
        known_low = known_high = floor_high = 0.0
        unknown: list[CallEstimate] = []
        for est in self.calls:
            calls = _add_count(calls, est.multiplicity)
            t_low, t_high = est.total_low, est.total_high
            if t_low is None or t_high is None:
                unknown.append(est)
                low = high = None
            else:
                known_low += t_low
                known_high += t_high
                low = _add(low, t_low)
                high = _add(high, t_high)
            floor = est.cost_high_floor
            if floor is not None and est.multiplicity is not None:
                floor_high += floor * est.multiplicity
        return EstimateTotal(low, high, self.latency_s, calls, known_low, known_high,
                             floor_high, unknown)

    def __iter__(self) -> Iterator[CallEstimate]:
        return iter(self.calls)


def estimate(analysis: Analysis, reuse: Reuse | None = None) -> Estimates:
    """Estimate every LLM call and fan-out of ``analysis``'s document."""
    return _Estimator(analysis).run(reuse)


def _start(est: CallEstimate | Call) -> int:
    return est.node.start


def _site_key(site: FanOutSite) -> tuple[int, int]:
    """A fan-out site across two analyses of the same tree: its call node and its spec."""
    return id(site.call.node), id(site.spec)


# -- formatting, shared by the C rules, hover and `recipe cost` ------------------------
def format_usd(value: float | None) -> str:
    """``$2.50``, ``$0.35``, ``$0.015``, ``$0.0003``: cents from a dime up, two significant
    digits below (``$0.01`` for $0.015 hid a third of a worst case)."""
    if value is None or not value >= 0 or math.isinf(value):
        return "?"  # a negative or NaN figure is a bug upstream: never print it, never crash
    if value == 0:
        return "$0"
    if value >= 0.1:
        return f"${value:,.2f}"
    digits = max(2, 1 - math.floor(math.log10(value)))
    text = f"{value:.{digits}f}".rstrip("0")
    if float(text) >= 0.1:  # 0.0996 rounds up to a dime
        return f"${value:.2f}"
    return f"${text}"


def format_usd_range(low: float | None, high: float | None) -> str:
    """``$0.0012–$0.0048``; one figure when both ends print the same (``$0.001``)."""
    if low is None or high is None:
        return "?"
    low_text, high_text = format_usd(low), format_usd(high)
    return high_text if low_text == high_text else f"{low_text}–{high_text}"


def format_seconds(seconds: float | None) -> str:
    """``30 s``, ``2.5 min``, ``1.2 h``."""
    if seconds is None:
        return "?"
    if seconds < 90:
        return f"{_trim(seconds)} s"
    if seconds < 90 * 60:
        return f"{_trim(seconds / 60)} min"
    return f"{_trim(seconds / 3600)} h"


def format_ratio(ratio: float) -> str:
    return f"{ratio:.0f}" if ratio >= 10 else _trim(ratio)


def _trim(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# -- arithmetic over unknowns -----------------------------------------------------------
def _mul(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return 0.0 if a == 0 or b == 0 else None
    return a * b


def _imul(a: Count, b: Count) -> Count:
    if a is None or b is None:
        return 0 if a == 0 or b == 0 else None
    return a * b


def _add(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return a + b


class _Clock:
    """Elapsed seconds along sequential code, and the longest async call not yet awaited."""

    __slots__ = ("elapsed", "pending")

    def __init__(self) -> None:
        self.elapsed: float | None = 0.0
        self.pending: float | None = 0.0

    def wait(self, seconds: float | None) -> None:
        self.elapsed = _add(self.elapsed, seconds)

    def start(self, seconds: float | None) -> None:
        if self.pending is None or seconds is None:
            self.pending = None
        else:
            self.pending = max(self.pending, seconds)

    def await_all(self) -> None:
        self.elapsed = _add(self.elapsed, self.pending)
        self.pending = 0.0

    def copy(self) -> _Clock:
        clone = _Clock()
        clone.elapsed, clone.pending = self.elapsed, self.pending
        return clone

    @property
    def total(self) -> float | None:
        return _add(self.elapsed, self.pending)


_IN_PROGRESS = object()


class _Estimator:
    def __init__(self, analysis: Analysis) -> None:
        # (not the analysis itself: it holds these estimates, which hold this estimator — a
        # cycle only the garbage collector would free, every keystroke)
        self.document = analysis.document
        self.context_tokens = analysis.context_tokens
        self.facts = analysis.facts
        self.scopes = analysis.scopes
        self.models = analysis.config.models
        self.parents = analysis.document.parents
        self.locator = Locator(self.document)
        self.sites = self.facts.fan_outs()
        self.sites_by_call = self.facts.sites_by_call()
        self.site_functions = self.facts.site_functions()
        self._counts: dict[int, object] = {}
        self._invocations: dict[int, object] = {}
        self._function_latency: dict[int, object] = {}
        self._call_estimates: dict[int, CallEstimate] = {}

    def parent_list(self, node: Node) -> ListNode | None:
        """The list directly containing ``node`` (None at top level or inside a quote)."""
        return parent_list(self.parents, node)

    # -- entry ---------------------------------------------------------------------
    def run(self, reuse: Reuse | None = None) -> Estimates:
        """Every call's and fan-out's estimate; with ``reuse``, the figures of an earlier
        estimate of the same document for the calls and fan-outs it says are unaffected by
        the edits since (the language server's incremental lint: see Reuse). An estimate
        whose call and fan-out sites are as before is that very object, and so is a kept
        fan-out's (only the latest analysis of a tree is read: see IncrementalLinter; its
        ``line:col`` is read through the shared Locator)."""
        earlier = reuse.estimates if reuse is not None else None
        if earlier is None or reuse is None:
            calls: list[CallEstimate] = []
            for call in self._llm_calls():
                calls.append(est := self.call_estimate(call))
                self._call_estimates[id(call.node)] = est  # (fan-out latencies read these)
            return self._estimates(calls, [self.fan_out_estimate(site) for site in self.sites])
        return self._run_reusing(earlier, reuse.keeps)

    def _run_reusing(self, earlier: Estimates, keeps: Callable[[Node], bool]) -> Estimates:
        # (this runs on every keystroke over every call of a big file: kept apart from what
        # each call costs to check, the rest is the estimate of the calls the edit touched)
        old_calls = earlier._by_node
        live_sites = {id(site) for site in self.sites}
        site_of: dict[tuple[int, int], FanOutSite] | None = None
        self.locator = locator = earlier._estimator.locator
        locator.document = self.document
        calls: list[CallEstimate] = []
        call_estimates = self._call_estimates
        kept = same = 0
        for call in self._llm_calls():
            node = call.node
            old = old_calls.get(id(node))
            if old is not None and old.node is node and keeps(node):
                if old.call is call and all(id(s) in live_sites for s in old.fan_outs):
                    est = old  # (same sites: a site is kept as the very object)
                    same += 1
                else:
                    if site_of is None:
                        site_of = {_site_key(site): site for site in self.sites}
                    est = old.moved(call, [site_of[_site_key(s)] for s in old.fan_outs])
                kept += 1
            else:
                est = self.call_estimate(call)
            calls.append(est)
            call_estimates[id(node)] = est
        # A fan-out site outside the edits is kept as the very object (Facts.fan_outs), and
        # so is its estimate; the others are estimated again.
        old_fan_outs = earlier._fan_out_by_site
        fan_outs = [old_fan_outs.get(id(site)) or self.fan_out_estimate(site)
                    for site in self.sites]
        estimates = self._estimates(calls, fan_outs)
        estimates.kept_calls = kept
        estimates.same_calls = same
        return estimates

    def _llm_calls(self) -> list[Call]:
        """The document's calls of the LLM primitives and of recursive-spawn, in source
        order."""
        calls = [call for name in (*LLM_CALLS, DELEGATE)
                 for call in self.scopes.calls_by_name.get(name, ())
                 if call.entry is not None and call.entry.name == name]
        calls.sort(key=_start)
        return calls

    def _estimates(self, calls: list[CallEstimate], fan_outs: list[FanOutEstimate]) -> Estimates:
        by_site: dict[int, list[CallEstimate]] = {}
        for est in calls:
            for site in est.fan_outs:
                by_site.setdefault(id(site), []).append(est)
        for fo in fan_outs:
            found = by_site.get(id(fo.site), [])
            if fo.calls != found:  # (a kept fan-out whose calls are the same keeps its list)
                fo.calls = found
        return Estimates(calls, fan_outs, self)

    def recipe_latency(self) -> float | None:
        """Seconds to run the whole document once (the walk with a clock of every form)."""
        clock = _Clock()
        for form in self.document.forms:
            self.walk(form, clock, 0)
        clock.await_all()
        return clock.elapsed

    # -- one call ------------------------------------------------------------------
    def call_estimate(self, call: Call) -> CallEstimate:
        facts = self.facts
        name, _ = facts.model_name(call, self.models.default_model)
        model = self.models.get(name) if name is not None else None
        if call.name == DELEGATE:
            # (recursive-spawn strategy): each call of the procedure it returns makes one
            # llm-query (default model, the strategy as instruction, the argument as data);
            # the nested recipe's own calls are not known here.
            positional = call.positional()
            strategy = facts.literal_string(positional[0]) if positional else None
            floor = chat_prompt_tokens(strategy or "", "")
            return CallEstimate(
                node=call.node, call=call, locator=self.locator,
                primitive=call.name, model_name=name, model=model, tokens_in=None,
                input_basis="unknown", input_floor=floor, tokens_out=None,
                multiplicity=self.delegate_invocations(call), fan_outs=[])
        tokens_in, basis, floor = self.input_tokens(call)
        max_tokens = facts.literal_number(call.keyword("max-tokens"))
        tokens_out = int(max_tokens) if isinstance(max_tokens, int) and max_tokens > 0 else None
        enclosing = sorted(facts.enclosing_fan_outs(call.node),
                           key=lambda s: -s.call.node.start)
        return CallEstimate(
            node=call.node, call=call, locator=self.locator,
            primitive=call.name, model_name=name, model=model, tokens_in=tokens_in,
            input_basis=basis, input_floor=floor, tokens_out=tokens_out,
            multiplicity=self.count(call.node), fan_outs=enclosing)

    def delegate_invocations(self, call: Call) -> Count:
        """How many times the procedure a ``recursive-spawn`` call returns is called: known
        when it is bound by a ``define`` (or ``let``) and only ever called by its name;
        None otherwise (handed to ``map``, called in place…)."""
        parent = self.parent_list(call.node)
        if parent is None or parent.head_name() != "define" or len(parent.items) != 3 \
                or parent.items[2] is not call.node or not isinstance(parent.items[1], Atom):
            return None
        binding = self.scopes.binding_of(parent.items[1])
        if binding is None or binding.assigned:
            return None
        total: Count = 0
        for ref in binding.refs:
            user = self.parent_list(ref)
            if user is None or not user.items or user.items[0] is not ref:
                return None  # handed on: where it ends up running is not followed
            total = _add_count(total, _imul(self.count(call.node), self.count(user)))
        return total

    def input_tokens(self, call: Call) -> tuple[int | None, str, int]:
        """(input tokens or None, basis, certain lower bound)."""
        facts = self.facts
        instruction_node = call.keyword("instruction")
        instruction = "" if instruction_node is None else facts.literal_string(instruction_node)
        data_node = call.keyword("data")
        data = NO_DATA if data_node is None else facts.literal_string(data_node)
        if data == "":
            data = NO_DATA
        if instruction is None:
            parts = "".join(facts.literal_parts(instruction_node))
            floor = chat_prompt_tokens(parts, "")
        else:
            floor = chat_prompt_tokens(instruction, "")
        if instruction is not None and data is not None:
            exact = chat_prompt_tokens(instruction, data)
            return exact, "literal", exact
        if data is None and data_node is not None and instruction is not None:
            items = self.literal_items(data_node)
            if items:
                # an item of a fan-out over literal strings: the longest one (per call)
                sizes = [chat_prompt_tokens(instruction, item or NO_DATA) for item in items]
                return max(sizes), "literal", min(sizes)
        if data is None and data_node is not None and self.facts.from_context(data_node):
            context = self.context_tokens
            if instruction is not None and context is not None:
                return floor + context, "context", floor
            return None, "context", floor
        return None, "unknown", floor

    def literal_items(self, node: Node) -> list[str] | None:
        """When ``node`` is a loop variable over, or the parameter of a function that only
        ever runs as the per-item function of fan-outs over, lists of literal strings: those
        strings."""
        if not (isinstance(node, Atom) and node.kind == SYMBOL):
            return None
        binding = self.scopes.binding_of(node)
        sources = self.facts.item_sources(binding) if binding is not None else None
        if sources is None:
            return None
        strings: list[str] = []
        for source in sources:
            found = self.facts.literal_strings(source)
            if found is None:
                return None
            strings.extend(found)
        return strings

    # -- how many times a node runs -------------------------------------------------
    def count(self, node: Node, depth: int = 0) -> Count:
        key = id(node)
        cached = self._counts.get(key)
        if cached is _IN_PROGRESS:
            return None  # recursion
        if key in self._counts:
            return cached  # type: ignore[return-value]
        if depth > MAX_DEPTH:
            return None
        self._counts[key] = _IN_PROGRESS
        result = self._count(node, depth)
        self._counts[key] = result
        return result

    def _count(self, node: Node, depth: int) -> Count:
        factor: Count = 1
        child = node
        parent = self.parent_list(child)
        while parent is not None:
            index = index_in(parent, child)
            head = parent.head_name()
            if head in LAMBDA_NAMES and index >= 2:
                return _imul(factor, self.invocations(parent, depth + 1))
            if head == "define" and len(parent.items) > 1 and isinstance(parent.items[1], ListNode) \
                    and index >= 2:
                return _imul(factor, self.invocations(parent, depth + 1))
            if _is_named_let(parent) and index >= 3:
                factor = _imul(factor, self.named_let_iterations(parent))
            elif head in FOR_FORMS:
                clauses_at = for_clauses_at(parent)
                if index > clauses_at:
                    factor = _imul(factor, self.for_iterations(parent))
            child = parent
            parent = self.parent_list(child)
        return factor

    def invocations(self, function: ListNode, depth: int) -> Count:
        """How many times a lambda / function definition is called."""
        key = id(function)
        cached = self._invocations.get(key)
        if cached is _IN_PROGRESS:
            return None
        if key in self._invocations:
            return cached  # type: ignore[return-value]
        self._invocations[key] = _IN_PROGRESS
        result = self._invocations_of(function, depth)
        self._invocations[key] = result
        return result

    def _invocations_of(self, function: ListNode, depth: int) -> Count:
        total: Count = 0
        sites = self.site_functions.get(id(function), [])
        binding = self.scopes.function_of.get(id(function))
        for site in sites:
            if site.spec.items is not None:
                total = _add_count(total, _imul(site.size, self.count(site.call.node, depth + 1)))
            elif binding is None and site.call.node.start <= function.start \
                    and function.end <= site.call.node.end:
                total = _add_count(total, self.count(function, depth + 1))  # one run per thunk made
            elif binding is None:
                # thunks made elsewhere (`(define ts (for/list … (lambda () …)))` then
                # `(parallel ts)`): each run of the site runs the thunks made for it
                per_run = self._made_per_run(function, site.call.node, depth + 1)
                total = _add_count(total, _imul(per_run, self.count(site.call.node, depth + 1)))
            else:
                total = _add_count(total, self.count(site.call.node, depth + 1))
        if binding is not None:
            for ref in binding.refs:
                parent = self.parent_list(ref)
                if parent is None:
                    continue
                if self._ref_in_site(ref, parent, sites):
                    continue
                if parent.items and parent.items[0] is ref:
                    total = _add_count(total, self.count(parent, depth + 1))
                else:  # handed to another procedure: taken to run once per evaluation
                    total = _add_count(total, _imul(self.count(ref, depth + 1),
                                                    self.combinator_factor(parent, ref)))
            return total
        if sites:
            return total
        parent = self.parent_list(function)
        factor = self.combinator_factor(parent, function) if parent is not None else 1
        return _imul(self.count(function, depth + 1), factor)

    def _made_per_run(self, function: ListNode, site: ListNode, depth: int) -> Count:
        """How many times the lambda ``function`` is evaluated per evaluation of the call
        ``site`` that runs it: the loops between it and the innermost form enclosing both
        (1 when a function boundary comes first: where it is called from is not followed)."""
        enclosing: set[int] = set()
        parent = self.parent_list(site)
        while parent is not None:
            enclosing.add(id(parent))
            parent = self.parent_list(parent)
        factor: Count = 1
        child: ListNode = function
        parent = self.parent_list(child)
        while parent is not None and id(parent) not in enclosing:
            index = index_in(parent, child)
            head = parent.head_name()
            if (head in LAMBDA_NAMES and index >= 2) or (
                    head == "define" and len(parent.items) > 1
                    and isinstance(parent.items[1], ListNode) and index >= 2):
                return 1
            if _is_named_let(parent) and index >= 3:
                factor = _imul(factor, self.named_let_iterations(parent))
            elif head in FOR_FORMS and index > for_clauses_at(parent):
                factor = _imul(factor, self.for_iterations(parent))
            child = parent
            parent = self.parent_list(child)
        if parent is None and depth <= MAX_DEPTH:
            return self.count(function, depth + 1)  # made at top level: all of them, once
        return factor

    def _ref_in_site(self, ref: Atom, parent: ListNode, sites: list[FanOutSite]) -> bool:
        for site in sites:
            node = site.call.node
            if parent is node or (node.start <= ref.start and ref.end <= node.end
                                  and site.spec.items is None):
                return True
        return False

    def combinator_factor(self, parent: ListNode, arg: Node) -> Count:
        """Worst-case calls of a function handed to tree-reduce / iterate-until /
        critique-refine (1 for anything else; tree-reduce's ``#:leaf-fn``: once per item)."""
        call = self.facts.call_at.get(id(parent))
        if call is None or call.entry is None:
            return 1
        name = call.entry.name
        positional = call.positional()
        position = next((i for i, item in enumerate(positional) if item is arg), None)
        if name == "tree-reduce" and position is None and len(positional) > 1 \
                and call.keyword("leaf-fn") is arg:
            return self.facts.list_size(positional[1])  # once per item
        if name == "tree-reduce" and position == 0 and len(positional) > 1:
            size = self.facts.list_size(positional[1])
            branch = self._keyword_int(call, "branch-factor", 5)
            if size is None or branch is None or branch < 2:
                return None
            calls = 0
            while size > 1:
                size = math.ceil(size / branch)
                calls += size
            return calls
        if name == "iterate-until" and position in (0, 1):
            limit = self._keyword_int(call, "max-iter", 10)
            return None if limit is None else limit + (1 if position == 1 else 0)
        if name == "critique-refine" and position in (1, 2):
            return self._keyword_int(call, "max-iter", 3)
        return 1

    def _keyword_int(self, call: Call, name: str, default: int) -> int | None:
        if not call.has_keyword(name):
            return default
        value = self.facts.literal_number(call.keyword(name))
        return int(value) if isinstance(value, int) else None

    def for_iterations(self, form: ListNode) -> Count:
        """Iterations of a ``for`` loop: the shortest sequence (``for*``: the product)."""
        clauses_at = for_clauses_at(form)
        clause_list = form.items[clauses_at] if clauses_at < len(form.items) else None
        if not isinstance(clause_list, ListNode):
            return None
        clauses = clause_list.items
        nested = "*" in (form.head_name() or "")
        sizes: list[Count] = []
        skip = False
        for clause in clauses:
            if skip:
                skip = False
                continue
            if isinstance(clause, Atom) and clause.kind == KEYWORD:
                skip = True  # #:when / #:unless filter: the bound stays an upper bound
                continue
            if isinstance(clause, ListNode) and len(clause.items) >= 2:
                sizes.append(self.sequence_size(clause.items[1]))
        if not sizes:
            return 1
        if nested:
            result: Count = 1
            for size in sizes:
                result = _imul(result, size)
            return result
        known = [s for s in sizes if s is not None]
        return min(known) if known else None

    def sequence_size(self, node: Node) -> Count:
        node = self.facts.binding_value(node) or node
        if isinstance(node, ListNode):
            head = node.head_name()
            args = node.items[1:]
            if head == "in-list" and args:
                return self.facts.list_size(args[0])
            if head == "in-range" and args:
                numbers = [self.facts.literal_number(a) for a in args]
                if all(isinstance(n, int) for n in numbers):
                    ints = [int(n) for n in numbers]  # type: ignore[arg-type]
                    start, stop = (0, ints[0]) if len(ints) == 1 else (ints[0], ints[1])
                    step = ints[2] if len(ints) > 2 else 1
                    return max(0, math.ceil((stop - start) / step)) if step else None
                return None
            if head in ("in-naturals", "in-hash", "in-string"):
                return None
        number = self.facts.literal_number(node)
        if isinstance(number, int):
            return max(number, 0)
        return self.facts.list_size(node)

    def named_let_iterations(self, form: ListNode) -> Count:
        """Iterations of ``(let loop ([xs items] …) …)`` that walks a known list with
        ``(loop (cdr xs) …)``; None otherwise."""
        if len(form.items) < 3 or not isinstance(form.items[2], ListNode):
            return None
        name = form.items[1]
        assert isinstance(name, Atom)
        variables: list[tuple[str, Node | None]] = []
        for clause in form.items[2].items:
            if isinstance(clause, ListNode) and clause.items and isinstance(clause.items[0], Atom):
                variables.append((clause.items[0].text,
                                  clause.items[1] if len(clause.items) > 1 else None))
        binding = self.scopes.binding_of(name)
        if binding is None:
            return None
        for position, (var, init) in enumerate(variables):
            size = self.facts.list_size(init) if init is not None else None
            if size is None:
                continue
            recursions = [self.parent_list(ref) for ref in binding.refs]
            if recursions and all(
                    call is not None and call.items and call.items[0] is not None
                    and len(call.items) > position + 1
                    and _is_rest_of(call.items[position + 1], var) for call in recursions):
                return size
        return None

    # -- latency ---------------------------------------------------------------------
    def walk(self, node: Node, clock: _Clock, depth: int) -> None:
        if depth > MAX_DEPTH or not isinstance(node, ListNode) or not node.items or node.is_vector:
            return
        head = node.head_name()
        call = self.facts.call_at.get(id(node))
        if call is None:
            self.walk_form(node, head, clock, depth)
            return
        sites = self.sites_by_call.get(id(node), [])
        site_functions = {id(f) for s in sites for f in s.functions}
        for item in node.items[1:]:
            function = self._handed_function(item, call)
            if function is not None:
                if id(function) in site_functions:
                    continue
                # a function handed to another procedure: taken to run (factor) times here
                factor = self.combinator_factor(node, item)
                body = self.function_latency(function, depth + 1)
                if body is not None and factor is not None:
                    clock.wait(body[0] * factor)
                    clock.start(body[1])
                elif body is None or (body[0] or body[1]):
                    clock.wait(None)
                continue
            if any(_is_thunk_list(s, item) for s in sites):
                continue  # the thunk list of parallel/race/…: run by the fan-out
            self.walk(item, clock, depth + 1)
        name = call.entry.name if call.entry is not None and call.binding is None else None
        if name in SYNC_LLM_CALLS:
            clock.wait(self._latency(call))
        elif name == "llm-query-async":
            clock.start(self._latency(call))
        elif name in AWAIT_CALLS:
            clock.await_all()
        elif sites:
            for site in sites:
                clock.wait(self.fan_out_latency(site, depth + 1)[1])
        elif call.binding is not None and call.binding.function is not None \
                and call.binding.kind != "loop":
            body = self.function_latency(call.binding.function, depth + 1)
            if body is None:
                clock.wait(None)
            else:
                clock.wait(body[0])
                clock.start(body[1])
        elif call.binding is not None and call.binding.value is not None \
                and not call.binding.assigned:
            delegate = self._call_estimates.get(id(call.binding.value))
            if delegate is not None and delegate.primitive == DELEGATE:
                clock.wait(delegate.latency_s)  # calling what recursive-spawn returned

    def _handed_function(self, item: Node, call: Call) -> ListNode | None:
        """The function ``item`` hands to the catalogue call ``call``: a lambda written in
        place, or a user function passed by name."""
        if isinstance(item, ListNode) and item.head_name() in LAMBDA_NAMES:
            return item
        if call.entry is not None and call.binding is None and isinstance(item, Atom) \
                and item.kind == SYMBOL:
            binding = self.scopes.binding_of(item)
            if binding is not None and binding.function is not None and binding.kind != "loop":
                return binding.function
        return None

    def walk_form(self, node: ListNode, head: str | None, clock: _Clock, depth: int) -> None:
        items = node.items
        if head in LAMBDA_NAMES or head in ("quote", "quasiquote", "syntax"):
            return
        if head == "define":
            if len(items) > 2 and not isinstance(items[1], ListNode):
                for value in items[2:]:
                    if not (isinstance(value, ListNode) and value.head_name() in LAMBDA_NAMES):
                        self.walk(value, clock, depth + 1)
            return
        if _is_named_let(node):
            if isinstance(items[2], ListNode):
                for clause in items[2].items:
                    if isinstance(clause, ListNode):
                        for init in clause.items[1:]:
                            self.walk(init, clock, depth + 1)
            self._loop(items[3:], self.named_let_iterations(node), clock, depth)
            return
        if head in FOR_FORMS:
            clauses_at = for_clauses_at(node)
            for item in items[1:clauses_at + 1]:
                self.walk_children(item, clock, depth)
            self._loop(items[clauses_at + 1:], self.for_iterations(node), clock, depth)
            return
        if head in ("if", "when", "unless", "cond", "case"):
            self._branches(node, head, clock, depth)
            return
        self.walk_children(node, clock, depth)

    def walk_children(self, node: Node, clock: _Clock, depth: int) -> None:
        if isinstance(node, ListNode):
            if self.facts.call_at.get(id(node)) is not None:
                self.walk(node, clock, depth + 1)
                return
            for item in node.items:
                self.walk(item, clock, depth + 1)

    def _loop(self, body: list[Node], iterations: Count, clock: _Clock, depth: int) -> None:
        inner = _Clock()
        for form in body:
            self.walk(form, inner, depth + 1)
        if inner.total == 0:
            return
        # what each iteration waits for adds up; calls it starts without awaiting them
        # overlap (`(for/list … (llm-query-async …))`, awaited later): the longest counts
        clock.wait(_mul(inner.elapsed, iterations))
        if iterations != 0:
            clock.start(inner.pending)

    def _branches(self, node: ListNode, head: str | None, clock: _Clock, depth: int) -> None:
        items = node.items
        branches: list[list[Node]] = []
        if head == "if":
            if len(items) > 1:
                self.walk(items[1], clock, depth + 1)
            branches = [[b] for b in items[2:4]]
        elif head in ("when", "unless"):
            if len(items) > 1:
                self.walk(items[1], clock, depth + 1)
            branches = [items[2:], []]
        elif head == "case":
            if len(items) > 1:
                self.walk(items[1], clock, depth + 1)
            branches = [c.items[1:] for c in items[2:] if isinstance(c, ListNode)]
        else:  # cond: a clause's test runs before its body
            branches = [c.items for c in items[1:] if isinstance(c, ListNode)]
        best: _Clock | None = None
        for branch in branches:
            trial = clock.copy()
            for form in branch:
                self.walk(form, trial, depth + 1)
            if best is None or _slower(trial, best):
                best = trial
        if best is not None:
            clock.elapsed, clock.pending = best.elapsed, best.pending

    def function_latency(self, function: ListNode, depth: int) -> tuple[float, float] | None:
        """(sequential seconds, longest un-awaited async call) of one run of a function."""
        key = id(function)
        cached = self._function_latency.get(key)
        if cached is _IN_PROGRESS:
            return None
        if key in self._function_latency:
            return cached  # type: ignore[return-value]
        self._function_latency[key] = _IN_PROGRESS
        clock = _Clock()
        for form in self.facts.function_body(function):
            self.walk(form, clock, depth + 1)
        result = None if clock.elapsed is None or clock.pending is None \
            else (clock.elapsed, clock.pending)
        self._function_latency[key] = result
        return result

    def fan_out_latency(self, site: FanOutSite, depth: int) -> tuple[float | None, float | None]:
        """(per-item seconds, whole fan-out seconds)."""
        if not site.functions:
            if self._free_builtin_per_item(site):
                return 0.0, 0.0  # (map string-upcase xs): pure computation per item
            return None, None  # what runs per item is not known here
        per_item: float | None = 0.0
        waited = started = 0.0  # (the longest of what an item waits for, and of what it starts)
        for function in site.functions:
            body = self.function_latency(function, depth + 1)
            seconds = None if body is None else body[0] + body[1]
            if per_item is None or seconds is None or body is None:
                per_item = None
            else:
                per_item = max(per_item, seconds)
                waited, started = max(waited, body[0]), max(started, body[1])
        size = site.size
        if per_item == 0:
            return 0.0, 0.0
        if per_item is None:
            return None, None
        if size is None:
            if site.spec.items is None and len(site.functions) > 1 and site.concurrent \
                    and site.window is None:
                return per_item, per_item  # (parallel (list thunk …)): all at once
            return per_item, None
        if not site.concurrent:
            # One item after another — but what an item only starts (`llm-query-async`
            # returned unawaited: `(await-all (map ask xs))`) runs on while the next ones go.
            return per_item, waited * size + (started if size else 0.0)
        window = site.window
        batches = 1 if window is None or window <= 0 else math.ceil(size / window)
        if size == 0:
            batches = 0
        return per_item, per_item * batches

    def _free_builtin_per_item(self, site: FanOutSite) -> bool:
        """Whether the function given per item is a built-in (not rebound by the recipe)
        that costs nothing: ``(map add1 xs)``, ``(for-each displayln xs)``."""
        positional = site.call.positional()
        if site.spec.items is None or site.spec.func >= len(positional):
            return False
        node = positional[site.spec.func]
        if not (isinstance(node, Atom) and node.kind == SYMBOL) \
                or self.scopes.binding_of(node) is not None:
            return False
        try:
            entry = catalog.lookup(node.text)
        except Exception:
            return False
        return entry is not None and entry.kind != catalog.SPECIAL_FORM \
            and entry.cost == catalog.FREE

    def fan_out_estimate(self, site: FanOutSite) -> FanOutEstimate:
        per_item, latency = self.fan_out_latency(site, 0)
        window = site.window if site.concurrent else 1
        return FanOutEstimate(site=site, size=site.size, window=window, item_latency_s=per_item,
                              latency_s=latency)

    def _latency(self, call: Call) -> float | None:
        est = self._call_estimates.get(id(call.node))
        return est.latency_s if est is not None else None


def _add_count(a: Count, b: Count) -> Count:
    if a is None or b is None:
        return None
    return a + b


def _slower(a: _Clock, b: _Clock) -> bool:
    ta, tb = a.total, b.total
    if ta is None:
        return True
    if tb is None:
        return False
    return ta > tb


def _is_thunk_list(site: FanOutSite, item: Node) -> bool:
    positional = site.call.positional()
    return site.spec.items is None and site.spec.func < len(positional) \
        and positional[site.spec.func] is item


def _is_named_let(node: ListNode) -> bool:
    items = node.items
    return (node.head_name() == "let" and len(items) >= 3 and isinstance(items[1], Atom)
            and items[1].kind == SYMBOL)


def _is_rest_of(node: Node, var: str) -> bool:
    return (isinstance(node, ListNode) and node.head_name() in ("cdr", "rest")
            and len(node.items) == 2 and isinstance(node.items[1], Atom)
            and node.items[1].text == var)
