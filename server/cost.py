"""``recipe cost``: the estimate of every LLM call site as a table (text or JSON).

The figures come from :mod:`recipe.server.analysis.estimate` (see its docstring for how
tokens, multiplicities, cost ranges and latencies are derived); this module only shapes
them into rows and renders them. Where the input of a call is unknown, its cost is given
per 1,000 input tokens and it is left out of the total's range (the total says how many
sites that is).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from recipe.server.analysis.context import Analysis
from recipe.server.analysis.estimate import (
    PER_INPUT_TOKENS,
    CallEstimate,
    EstimateTotal,
    format_seconds,
    format_usd_range,
)


@dataclass
class CostRow:
    """One LLM call site."""

    site: str  # "line:col", 1-based
    line: int
    column: int
    primitive: str
    model: str | None  # None: computed at run time
    tier: str | None
    calls: int | None  # times the call runs; None: unknown (N)
    tokens_in: int | None  # per call; None: unknown (cost given per 1,000 input tokens)
    input_basis: str  # literal | context | unknown
    tokens_out: int | None  # #:max-tokens; None: unbounded
    output_bound: int | None  # tokens_out or the model's output limit
    per_call_low: float | None
    per_call_high: float | None
    cost_low: float | None  # all runs; per 1,000 input tokens when tokens_in is None
    cost_high: float | None
    per_1k_input: bool
    latency_s: float | None  # one call, or the whole enclosing fan-out
    fan_out: str | None  # "map-async ×50, 10 in flight" for calls made per item


def row_for(est: CallEstimate, analysis: Analysis) -> CostRow:
    line, column = analysis.document.position(est.node.start)
    fan_out = None
    latency = est.latency_s
    site = est.innermost_fan_out
    if site is not None:
        # this site's own estimate: a call such as active-learning has one site per function
        fo = analysis.estimates.fan_out_of(site)
        size = f"×{site.size}" if site.size is not None else "×N"
        window = ""
        if fo is not None and site.concurrent:
            window = f", {fo.window} in flight" if fo.window is not None else ", all at once"
        fan_out = f"{site.call.name} {size}{window} at {analysis.where(site.call.node.start)}"
        if fo is not None:
            latency = fo.latency_s
    per_low, per_high = est.cost_low, est.cost_high
    calls = est.multiplicity
    total_low = per_low * calls if per_low is not None and calls is not None else None
    total_high = per_high * calls if per_high is not None and calls is not None else None
    return CostRow(
        site=est.site, line=line + 1, column=column + 1, primitive=est.primitive,
        model=est.model_name, tier=est.tier, calls=calls, tokens_in=est.tokens_in,
        input_basis=est.input_basis, tokens_out=est.tokens_out, output_bound=est.output_bound,
        per_call_low=per_low, per_call_high=per_high, cost_low=total_low, cost_high=total_high,
        per_1k_input=est.per_1k_input, latency_s=latency, fan_out=fan_out)


class CostRows(list[CostRow]):
    """The rows of a report, remembering the recipe's total (so ``render_cost_text(rows)``
    works without passing it)."""

    total: EstimateTotal | None = None


def cost_rows(analysis: Analysis) -> CostRows:
    """A row per LLM call site, in source order."""
    rows = CostRows(row_for(est, analysis) for est in analysis.estimates.calls)
    rows.total = cost_total(analysis)
    return rows


def cost_total(analysis: Analysis) -> EstimateTotal:
    total: EstimateTotal = analysis.estimates.total()
    return total


def _cells(row: CostRow) -> list[str]:
    model = row.model or "(computed)"
    if row.tier:
        model += f" ({row.tier})"
    tokens_in = f"{row.tokens_in:,}" if row.tokens_in is not None else "per 1k"
    if row.input_basis == "context":
        tokens_in += " (context)" if row.tokens_in is not None else " (context size?)"
    if row.tokens_out is not None:
        tokens_out = f"≤{row.tokens_out:,}"
    elif row.output_bound is not None:
        tokens_out = f"unbounded (≤{row.output_bound:,})"
    else:
        tokens_out = "unbounded"
    cost = format_usd_range(row.cost_low, row.cost_high)
    if row.per_1k_input and cost not in ("?", "$0"):  # a site that never runs: $0
        cost += f" /{PER_INPUT_TOKENS // 1000}k in"
    calls = str(row.calls) if row.calls is not None else "N"
    if row.calls is None and row.per_call_high is not None:
        cost = f"{format_usd_range(row.per_call_low, row.per_call_high)} each"
        if row.per_1k_input:
            cost += " /1k in"
    latency = format_seconds(row.latency_s) if row.latency_s is not None else "?"
    if row.fan_out:
        latency += f"  {row.fan_out}"
    return [row.site, row.primitive, model, calls, tokens_in, tokens_out, cost, latency]


HEADERS = ["site", "call", "model", "calls", "tokens in", "tokens out", "cost", "latency"]


def _the_total(rows: list[CostRow], total: EstimateTotal | None) -> EstimateTotal:
    found = total if total is not None else getattr(rows, "total", None)
    if found is None:
        raise ValueError("no total: pass the EstimateTotal or rows from cost_rows()")
    return found


def render_cost_text(rows: list[CostRow], total: EstimateTotal | None = None,
                     filename: str = "") -> str:
    """An aligned table, one line per call site, and a total line."""
    total = _the_total(rows, total)
    table = [HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS) - 1)]
    lines = []
    if filename:
        lines.append(filename)
    for cells in table:
        left = "  ".join(cell.ljust(widths[i]) if i not in (3,) else cell.rjust(widths[i])
                         for i, cell in enumerate(cells[:-1]))
        lines.append(f"{left}  {cells[-1]}".rstrip())
    lines.append(_total_line(total))
    return "\n".join(lines) + "\n"


def _total_line(total: EstimateTotal) -> str:
    return (f"total: {total_calls_text(total)} LLM calls, {total_cost_text(total)}, "
            f"{total_latency_text(total)}")


def total_calls_text(total: EstimateTotal) -> str:
    """The number of LLM calls of the recipe (``N`` when a count is unknown)."""
    return str(total.calls) if total.calls is not None else "N"


def total_cost_text(total: EstimateTotal, short: bool = False) -> str:
    """The recipe's cost range, with the sites that cannot be priced (``+ 2 sites not
    priced …``, or ``+ 2 unpriced`` when ``short``). Shared by the total line of ``recipe
    cost`` and the language server (hover on ``finish``, the code lens)."""
    if total.complete:
        return format_usd_range(total.low, total.high)
    n = len(total.unknown)
    if short:
        unpriced = f"{n} unpriced"
    else:
        unpriced = (f"{n} site{'s' if n != 1 else ''} not priced (input size, count or model "
                    f"unknown)")
    return f"{format_usd_range(total.known_low, total.known_high)} + {unpriced}" \
        if total.known_high else unpriced


def total_latency_text(total: EstimateTotal) -> str:
    """``~2.5 min``, or ``latency unknown``."""
    return f"~{format_seconds(total.latency_s)}" if total.latency_s is not None \
        else "latency unknown"


def total_dict(total: EstimateTotal) -> dict[str, Any]:
    return {
        "calls": total.calls,
        "cost_low": total.low,
        "cost_high": total.high,
        "known_cost_low": total.known_low,
        "known_cost_high": total.known_high,
        "worst_case_floor": total.floor_high,
        "unknown_sites": [est.site for est in total.unknown],
        "latency_s": total.latency_s,
        "complete": total.complete,
    }


def render_cost_json(rows: list[CostRow], total: EstimateTotal | None = None,
                     filename: str = "") -> str:
    """``{"file": …, "calls": [row …], "total": {…}}``, USD and seconds as numbers."""
    total = _the_total(rows, total)
    data: dict[str, Any] = {"calls": [asdict(row) for row in rows], "total": total_dict(total)}
    if filename:
        data = {"file": filename, **data}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
