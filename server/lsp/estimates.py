"""Cost and latency figures for hover, inlay hints, code lens and ``recipe.estimateCost``.

A presentation of the analyser's estimates (:mod:`recipe.server.analysis.estimate`, through
:attr:`Analysis.estimates`), the one source of figures: per call site the rows of ``recipe
cost`` (:mod:`recipe.server.cost`), per fan-out the :class:`FanOutEstimate` of each of its
sites and the rows of the calls it runs, for the recipe its :class:`EstimateTotal`. Money
and time are printed with the estimator's formatters, so the editor shows what ``recipe
cost FILE`` prints. When the estimates cannot be computed, features show no figures.
"""

from __future__ import annotations

import logging

from recipe.runtime.lang.syntax import ListNode, Node
from recipe.server import cost as report
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.estimate import (
    PER_INPUT_TOKENS,
    CallEstimate,
    Estimates,
    EstimateTotal,
    FanOutEstimate,
    format_seconds,
)
from recipe.server.analysis.estimate import format_usd_range as usd_range
from recipe.server.cost import total_calls_text, total_cost_text, total_latency_text

__all__ = ["total_calls_text", "total_cost_text", "total_latency_text", "usd_range"]

log = logging.getLogger(__name__)

PER_1K_INPUT = f"/{PER_INPUT_TOKENS // 1000}k in"  # after figures that assume 1,000 input tokens


def latency(seconds: float | None) -> str:
    """``~30 s``, ``~2.5 min``; ``?`` when unknown."""
    return f"~{format_seconds(seconds)}" if seconds is not None else "?"


def estimates_of(analysis: Analysis) -> Estimates | None:
    """The analyser's estimates of the document, or None when they cannot be computed (the
    features then show no figures rather than failing)."""
    try:
        found: Estimates = analysis.estimates
    except Exception:
        log.warning("cost estimates failed for %s", analysis.filename, exc_info=True)
        return None
    return found


# -- one call ----------------------------------------------------------------------------------
def call_row(analysis: Analysis, node: Node) -> tuple[CallEstimate, report.CostRow] | None:
    """The estimate of an LLM call node and its ``recipe cost`` row."""
    est = estimates_of(analysis)
    if est is None:
        return None
    try:
        found = est.call(node)
        if found is None:
            return None
        return found, report.row_for(found, analysis)
    except Exception:
        log.warning("cost estimate of a call failed", exc_info=True)
        return None


# -- fan-outs ----------------------------------------------------------------------------------
def fan_out_groups(analysis: Analysis) -> list[tuple[ListNode, list[FanOutEstimate]]]:
    """The fan-out estimates of the document grouped by call (a call such as
    ``active-learning`` has one site per function it spreads), in source order."""
    est = estimates_of(analysis)
    if est is None:
        return []
    groups: dict[int, tuple[ListNode, list[FanOutEstimate]]] = {}
    for fo in est.fan_outs:
        groups.setdefault(id(fo.node), (fo.node, []))[1].append(fo)
    return sorted(groups.values(), key=lambda group: group[0].start)


def fan_out_group(analysis: Analysis, node: Node) -> list[FanOutEstimate]:
    """The fan-out estimates of a call node (or of its head symbol); empty when it is not a
    fan-out."""
    est = estimates_of(analysis)
    if est is None:
        return []
    try:
        return est.fan_outs_at(node)
    except Exception:
        log.warning("cost estimate of a fan-out failed", exc_info=True)
        return []


def group_calls(group: list[FanOutEstimate]) -> list[CallEstimate]:
    """The LLM call sites run by a fan-out (by any of its sites), in source order."""
    seen: dict[int, CallEstimate] = {}
    for fo in group:
        for call in fo.calls:
            seen.setdefault(id(call.node), call)
    return sorted(seen.values(), key=lambda call: call.node.start)


def group_latency(group: list[FanOutEstimate]) -> float | None:
    """Seconds of the whole fan-out: its sites run one after the other (the estimator adds
    them up the same way)."""
    seconds = 0.0
    for fo in group:
        if fo.latency_s is None:
            return None
        seconds += fo.latency_s
    return seconds


def calls_text(calls: list[CallEstimate]) -> str:
    """``12 × gpt-4.1-nano + 12 × gpt-4.1``: how many calls each model gets (``N`` when a
    count is unknown), as the ``calls`` column of ``recipe cost`` adds up."""
    counts: dict[str, int | None] = {}
    for call in calls:
        name = call.model_name or "(computed model)"
        if name in counts:
            before = counts[name]
            counts[name] = None if before is None or call.multiplicity is None \
                else before + call.multiplicity
        else:
            counts[name] = call.multiplicity
    return " + ".join(f"{count if count is not None else 'N'} × {name}"
                      for name, count in counts.items())


def calls_cost_text(calls: list[CallEstimate]) -> str:
    """What a set of call sites costs in all, in the terms of the rows of ``recipe cost``:
    a range in USD for the calls that can be priced, ``… /1k in`` for calls whose input size
    is unknown (figures per 1,000 input tokens), ``… each`` for calls whose count is
    unknown, ``N unpriced`` for calls of an unknown model."""
    priced_low = priced_high = 0.0
    per_1k_low = per_1k_high = 0.0
    each_low = each_high = 0.0
    priced = per_1k = each = 0
    each_per_1k = False
    unpriced = 0
    for call in calls:
        low, high = call.cost_low, call.cost_high
        if low is None or high is None:
            unpriced += 1
        elif call.multiplicity is None:
            each += 1
            each_low += low
            each_high += high
            each_per_1k = each_per_1k or call.per_1k_input
        elif call.per_1k_input:
            per_1k += 1
            per_1k_low += low * call.multiplicity
            per_1k_high += high * call.multiplicity
        else:
            priced += 1
            priced_low += low * call.multiplicity
            priced_high += high * call.multiplicity
    parts: list[str] = []
    if priced or not (per_1k or each or unpriced):
        parts.append(usd_range(priced_low, priced_high))
    if per_1k:
        parts.append(f"{usd_range(per_1k_low, per_1k_high)} {PER_1K_INPUT}")
    if each:
        parts.append(f"{usd_range(each_low, each_high)} each"
                     + (f" {PER_1K_INPUT}" if each_per_1k else ""))
    if unpriced:
        parts.append(f"{unpriced} unpriced")
    return " + ".join(parts)


# -- the whole recipe --------------------------------------------------------------------------
def total(analysis: Analysis) -> EstimateTotal | None:
    """The recipe's total (the total line of ``recipe cost``), or None when unavailable."""
    est = estimates_of(analysis)
    if est is None:
        return None
    try:
        return est.total()
    except Exception:
        log.warning("cost estimate of the recipe failed", exc_info=True)
        return None


def cost_table(analysis: Analysis) -> str:
    """The text of ``recipe cost`` for this document."""
    text: str = report.render_cost_text(report.cost_rows(analysis))
    return text
