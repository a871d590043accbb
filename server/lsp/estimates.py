"""Cost and latency figures for hover, inlay hints, code lens and ``recipe.estimateCost``.

Prefers the analyser's estimates (:attr:`Analysis.estimates`); when they are unavailable or
fail, a rough local estimate is used so that "$" figures are always shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import Node
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.facts import FanOutSite
from recipe.server.analysis.scopes import Call

LLM_CALLS = ("llm-query", "llm-query-async", "unsafe-raw-query")
DEFAULT_OUT_LOW = 200
DEFAULT_OUT_HIGH = 800
DEFAULT_DATA_TOKENS = 500
UNKNOWN_FAN_OUT = 10


@dataclass
class CallCost:
    """What one LLM call site costs per call, and how many times it runs."""

    model: str | None
    tier: str
    tokens_in: float
    tokens_out_low: float
    tokens_out_high: float
    cost_low: float
    cost_high: float
    multiplicity: float = 1.0
    multiplicity_known: bool = True
    latency_s: float = 10.0
    source: str = "analysis"
    per_1k_input: bool = False  # the input size is unknown: figures per 1,000 input tokens


@dataclass
class FanOutCost:
    items: int | None
    window: int | None
    total_low: float
    total_high: float
    latency_s: float
    model: str | None
    calls_per_item: int


def money(value: float) -> str:
    if value == 0:
        return "$0.00"
    if value < 0.01:
        return f"${value:.4f}"
    if value < 10:
        return f"${value:.2f}"
    return f"${value:,.0f}"


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"~{seconds:.0f} s"
    if seconds < 5400:
        return f"~{seconds / 60:.1f} min"
    return f"~{seconds / 3600:.1f} h"


def analyser_estimates(analysis: Analysis) -> Any:
    try:
        return analysis.estimates
    except Exception:
        return None


def is_llm_call(call: Call) -> bool:
    return call.binding is None and call.entry is not None and call.entry.cost in (
        catalog.LLM_SYNC, catalog.LLM_ASYNC)


def call_cost(analysis: Analysis, call: Call) -> CallCost:
    """Per-call cost of an LLM call site."""
    est = analyser_estimates(analysis)
    if est is not None:
        try:
            ce = est.call(call.node)
            converted = _from_estimate(analysis, ce) if ce is not None else None
        except Exception:
            converted = None
        if converted is not None:
            return converted
    return _fallback(analysis, call)


def _from_estimate(analysis: Analysis, ce: Any) -> CallCost | None:
    low, high = ce.cost_low, ce.cost_high
    if low is None or high is None:
        return None
    bound = ce.output_bound or 0
    mult = ce.multiplicity
    latency = ce.latency_s
    return CallCost(
        model=ce.model_name, tier=str(ce.tier or "unknown"),
        tokens_in=float(ce.tokens_in if ce.tokens_in is not None else 1000),
        tokens_out_low=float(bound) * 0.25, tokens_out_high=float(bound),
        cost_low=float(low), cost_high=float(high),
        multiplicity=float(mult if mult is not None else UNKNOWN_FAN_OUT),
        multiplicity_known=mult is not None,
        latency_s=float(latency if latency is not None else 10.0),
        source="analysis", per_1k_input=bool(ce.per_1k_input))


def _fallback(analysis: Analysis, call: Call) -> CallCost:
    facts = analysis.facts
    config = analysis.config
    try:
        name, _ = facts.model_name(call, config.default_model)
    except Exception:
        name = config.default_model
    row = analysis.model(name) if name else None
    if row is None and name is None:
        row = config.models.get(config.default_model)
    chars = 0
    unknown_data = False
    for kw in ("instruction", "data"):
        node = call.keyword(kw)
        if node is None:
            continue
        text = facts.literal_string(node)
        if text is None:
            chars += sum(len(p) for p in facts.literal_parts(node))
            if kw == "data":
                unknown_data = True
        else:
            chars += len(text)
    tokens_in = chars / 4 + 10
    if unknown_data:
        tokens_in += analysis.context_tokens or DEFAULT_DATA_TOKENS
    max_tokens = facts.literal_number(call.keyword("max-tokens"))
    if max_tokens is not None and max_tokens > 0:
        out_low, out_high = min(DEFAULT_OUT_LOW, float(max_tokens)), float(max_tokens)
    else:
        out_low, out_high = DEFAULT_OUT_LOW, DEFAULT_OUT_HIGH
    low = row.cost(tokens_in, out_low) if row else 0.0
    high = row.cost(tokens_in, out_high) if row else 0.0
    mult, known = _multiplicity(analysis, call.node)
    return CallCost(row.name if row else name, row.tier if row else "unknown", tokens_in,
                    out_low, out_high, low, high, mult, known,
                    row.latency_s if row else 10.0, "fallback")


def _multiplicity(analysis: Analysis, node: Node) -> tuple[float, bool]:
    mult = 1.0
    known = True
    try:
        for site in analysis.facts.enclosing_fan_outs(node):
            if site.size is None:
                mult *= UNKNOWN_FAN_OUT
                known = False
            else:
                mult *= site.size
    except Exception:
        pass
    return mult, known


def fan_out_sites(analysis: Analysis) -> list[FanOutSite]:
    try:
        return list(analysis.facts.fan_outs())
    except Exception:
        return []


def site_for(analysis: Analysis, node: Node) -> FanOutSite | None:
    for site in fan_out_sites(analysis):
        if site.call.node is node:
            return site
    return None


def fan_out_cost(analysis: Analysis, site: FanOutSite) -> FanOutCost:
    """Total cost and latency of one fan-out: its per-item calls × the number of items."""
    est = analyser_estimates(analysis)
    fo = None
    if est is not None:
        try:
            fo = est.fan_out(site.call.node)
        except Exception:
            fo = None
    calls: list[Call] = []
    if fo is not None:
        calls = [c.call for c in fo.calls]
    else:
        for function in site.functions:
            try:
                calls.extend(c for c in analysis.facts.calls_within(function) if is_llm_call(c))
            except Exception:
                pass
    items = fo.size if fo is not None else site.size
    n = items if items is not None else UNKNOWN_FAN_OUT
    low = high = 0.0
    latency = 0.0
    model: str | None = None
    for c in calls:
        cc = call_cost(analysis, c)
        low += cc.cost_low * n
        high += cc.cost_high * n
        latency = max(latency, cc.latency_s)
        model = model or cc.model
    window = fo.window if fo is not None else (site.window if site.concurrent else 1)
    if fo is not None and fo.latency_s is not None:
        total_latency = float(fo.latency_s)
    else:
        rounds = math.ceil(n / window) if window else 1
        total_latency = rounds * latency
    return FanOutCost(items, window, low, high, total_latency, model, len(calls))


@dataclass
class Totals:
    low: float
    high: float
    latency_s: float
    calls: float
    rows: list[tuple[str, str, float, float, float]]  # where, model, calls, low, high
    unknown: int = 0  # call sites that cannot be priced (unknown input size or count)


def totals(analysis: Analysis) -> Totals:
    """The recipe's total estimated cost (low–high), latency and per-site rows."""
    scopes = analysis.scopes
    rows: list[tuple[str, str, float, float, float]] = []
    low = high = 0.0
    latency = 0.0
    n_calls = 0.0
    for call in scopes.calls:
        if not is_llm_call(call):
            continue
        cc = call_cost(analysis, call)
        rows.append((analysis.where(call.node.start), cc.model or "?", cc.multiplicity,
                     cc.cost_low * cc.multiplicity, cc.cost_high * cc.multiplicity))
        low += cc.cost_low * cc.multiplicity
        high += cc.cost_high * cc.multiplicity
        n_calls += cc.multiplicity
        inside = any(True for _ in _enclosing(analysis, call.node))
        if not inside:
            latency += cc.latency_s
    for site in fan_out_sites(analysis):
        if not any(True for _ in _enclosing(analysis, site.call.node)):
            latency += fan_out_cost(analysis, site).latency_s
    est = analyser_estimates(analysis)
    if est is not None:
        try:
            total = est.total()
            if total.low is not None and total.high is not None:
                low, high = float(total.low), float(total.high)
            # else: keep the row sums, which price unknown inputs per 1,000 tokens
            if total.latency_s is not None:
                latency = float(total.latency_s)
            unknown = len(total.unknown)
        except Exception:
            unknown = 0
    else:
        unknown = 0
    return Totals(low, high, latency, n_calls, rows, unknown)


def _enclosing(analysis: Analysis, node: Node) -> Any:
    try:
        return analysis.facts.enclosing_fan_outs(node)
    except Exception:
        return iter(())


def cost_table(analysis: Analysis) -> str:
    """The text of ``recipe cost`` for this document (the analyser's renderer when present)."""
    try:
        from recipe.server import cost as cost_module  # type: ignore[attr-defined]

        return str(cost_module.render_cost_text(cost_module.cost_rows(analysis)))
    except Exception:
        pass
    t = totals(analysis)
    lines = [f"{'where':<10} {'model':<20} {'calls':>8} {'low':>10} {'high':>10}"]
    for where, model, calls, low, high in t.rows:
        lines.append(f"{where:<10} {model:<20} {calls:>8g} {money(low):>10} {money(high):>10}")
    lines.append(f"{'total':<10} {'':<20} {t.calls:>8g} {money(t.low):>10} {money(t.high):>10}")
    lines.append(f"latency {duration(t.latency_s)}")
    return "\n".join(lines)
