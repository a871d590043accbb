"""Hover: catalogue documentation, LLM call and fan-out costs, model rows, user definitions."""

from __future__ import annotations

from recipe.runtime.lang import catalog
from recipe.runtime.lang.models import Model
from recipe.runtime.lang.syntax import KEYWORD, STRING, SYMBOL, Atom, ListNode
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.scopes import Binding, comment_above

from . import estimates as est
from .locate import atom_at, keyword_before, parent_of
from .state import lookup

KIND_TEXT = {
    catalog.SPECIAL_FORM: "special form",
    catalog.BUILTIN: "built-in procedure",
    catalog.PRIMITIVE: "primitive",
    catalog.COMBINATOR: "combinator",
    catalog.PARAMETER: "parameter",
    catalog.VARIABLE: "variable",
}


def code_block(text: str) -> str:
    return f"```recipe\n{text}\n```"


def keyword_line(kw: catalog.Keyword) -> str:
    default = f", default `{kw.default_text}`" if kw.default_text else ""
    req = " (required)" if kw.required else ""
    return f"- `#:{kw.name}` *{kw.type}*{default}{req} — {kw.doc}".rstrip(" —")


def entry_markdown(entry: catalog.Entry, brief: bool = False) -> str:
    parts = [code_block(entry.signature)]
    tags = [KIND_TEXT.get(entry.kind, entry.kind)]
    if entry.cost not in (catalog.FREE, ""):
        tags.append(entry.cost)
    if entry.protected:
        tags.append("protected")
    if entry.unsafe:
        tags.append("unsafe")
    parts.append("*" + " · ".join(tags) + "*")
    if entry.doc:
        parts.append(entry.doc)
    if brief:
        return "\n\n".join(parts)
    if entry.keywords:
        parts.append("**Keywords**\n" + "\n".join(keyword_line(k) for k in entry.keywords))
    if entry.example:
        parts.append("**Example**\n" + code_block(entry.example))
    return "\n\n".join(parts)


def model_markdown(model: Model, analysis: Analysis | None = None) -> str:
    lines = [f"**{model.name}** — {model.tier} tier",
             "",
             "| input | output | max output | latency |",
             "|---|---|---|---|",
             f"| ${model.input:g} / 1M | ${model.output:g} / 1M | "
             f"{model.max_output if model.max_output else '—'} | ~{model.latency_s:g} s |"]
    if model.retired:
        lines.append("")
        lines.append("**Retired**" + (f": use `{model.replacement}`" if model.replacement else ""))
    if model.no_temperature:
        lines.append("")
        lines.append("Reasoning model: does not accept `#:temperature`.")
    if analysis is not None:
        cheap = analysis.config.models.get(analysis.config.cheap_model)
        if cheap is not None and cheap.name != model.name and cheap.input > 0:
            lines.append("")
            lines.append(f"{model.input / cheap.input:.3g}× the input price of the cheap model "
                         f"`{cheap.name}`.")
    return "\n".join(lines)


def binding_markdown(analysis: Analysis, binding: Binding) -> str:
    doc = analysis.document
    if binding.signature is not None:
        head = binding.signature.text(binding.name)
    else:
        head = binding.name
    kind = {"function": "function", "define": "variable", "parameter": "parameter",
            "let": "local", "loop": "loop", "for": "loop variable", "values": "value",
            }.get(binding.kind, binding.kind)
    if binding.signature is not None and binding.kind == "define":
        kind = "function"
    parts = [code_block(head), f"*{kind}*" + (" · top level" if binding.top_level else "")]
    if binding.kind == "define" and binding.value is not None and binding.signature is None:
        value = analysis.text(binding.value)
        if len(value) <= 120 and "\n" not in value:
            parts[0] = code_block(f"(define {binding.name} {value})")
    anchor = binding.form or binding.atom
    if anchor is not None:
        comment = comment_above(doc, anchor)
        if comment:
            parts.append(comment)
    if binding.atom is not None:
        parts.append(f"defined at {analysis.where(binding.atom.start)}; "
                     f"{len(binding.refs)} reference{'s' if len(binding.refs) != 1 else ''}")
    return "\n\n".join(parts)


def llm_markdown(analysis: Analysis, call_node: ListNode) -> str | None:
    """The estimate of one LLM call: its row of ``recipe cost``."""
    found = est.call_row(analysis, call_node)
    if found is None:
        return None
    ce, row = found
    lines = ["**Estimate for this call**", ""]
    if row.model is None:
        lines.append("- model: computed at run time (not priced)")
    else:
        lines.append(f"- model: `{row.model}` ({row.tier or 'not in the price table'}"
                     f"{' tier' if row.tier else ''})")
    if ce.model is not None:
        lines.append(f"- price: {ce.model.price_text}")
    if row.tokens_in is not None:
        tokens_in = f"~{row.tokens_in:,} in" + (" (data taken as the context size)"
                                                if row.input_basis == "context" else "")
    elif row.input_basis == "context":
        tokens_in = "input: the context, size unknown (set `context-size`; figures per 1,000 " \
                    "input tokens)"
    else:
        tokens_in = "input size unknown (figures per 1,000 input tokens)"
    if row.tokens_out is not None:
        tokens_out = f"≤{row.tokens_out:,} out"
    elif row.output_bound is not None:
        tokens_out = f"unbounded out (≤{row.output_bound:,}, the model's limit)"
    else:
        tokens_out = "unbounded out"
    lines.append(f"- tokens: {tokens_in}, {tokens_out}")
    per_1k = f" {est.PER_1K_INPUT}" if row.per_1k_input else ""
    if row.per_call_low is not None and row.per_call_high is not None:
        lines.append(f"- cost per call: {est.usd_range(row.per_call_low, row.per_call_high)}"
                     f"{per_1k}")
    else:
        lines.append("- cost per call: unknown (model not priced)")
    if row.calls is None:
        lines.append("- runs: N times (count unknown)")
    elif row.calls != 1:
        total = f": {est.usd_range(row.cost_low, row.cost_high)}{per_1k} in total" \
            if row.cost_low is not None else ""
        lines.append(f"- runs ×{row.calls}{total}")
    call_latency = ce.latency_s
    latency = f"{est.latency(call_latency)} per call" if call_latency is not None else "unknown"
    if row.fan_out:
        latency += f"; {row.fan_out}: {est.latency(row.latency_s)}"
    lines.append(f"- latency: {latency}")
    return "\n".join(lines)


def fan_out_markdown(analysis: Analysis, call_node: ListNode) -> str | None:
    """The estimate of a fan-out: every call it runs, their cost and its latency."""
    group = est.fan_out_group(analysis, call_node)
    if not group:
        return None
    calls = est.group_calls(group)
    sizes = list(dict.fromkeys(fo.size for fo in group))
    items = " / ".join(str(size) if size is not None else "N (unknown)" for size in sizes)
    window = group[0].window
    window_text = "all at once" if window is None else str(window)
    lines = ["**Fan-out estimate**", "", f"- items: {items}"]
    if calls:
        lines.append(f"- LLM calls: {est.calls_text(calls)}")
        lines.append(f"- total cost: {est.calls_cost_text(calls)}")
    else:
        lines.append("- LLM calls: none found in the functions it runs")
    lines.append(f"- latency at window {window_text}: {est.latency(est.group_latency(group))}")
    return "\n".join(lines)


FINISH_FORMS = ("finish", "finish-var")


def recipe_markdown(analysis: Analysis) -> str | None:
    """The whole recipe's estimate: the total line of ``recipe cost``."""
    total = est.total(analysis)
    if total is None:
        return None
    if total.calls == 0:
        return "**Estimate for the whole recipe**\n\n- no LLM calls"
    return "\n".join([
        "**Estimate for the whole recipe**", "",
        f"- cost: {est.total_cost_text(total)}",
        f"- latency: {est.total_latency_text(total)}",
        f"- LLM calls: {est.total_calls_text(total)}",
    ])


def hover_markdown(analysis: Analysis, offset: int) -> tuple[str, tuple[int, int]] | None:
    doc = analysis.document
    if doc.comment_at(offset) is not None:
        return None
    atom, chain = atom_at(doc, offset)
    if atom is None:
        return None
    span = (atom.start, atom.end)
    parent = parent_of(chain, atom)
    if atom.kind == STRING:
        value = atom.value
        models = analysis.config.models
        if isinstance(value, str) and value in models:
            return model_markdown(models[value], analysis), span
        if parent is not None and keyword_before(parent, atom) == "model" and isinstance(value, str):
            near = models.nearest(value)
            hint = f" Did you mean `{near}`?" if near else ""
            return f"`{value}` is not in the price table.{hint}", span
        return None
    if atom.kind == KEYWORD:
        if parent is None:
            return None
        head = parent.head_name()
        if head is None:
            return None
        scopes = analysis.scopes
        head_atom = parent.items[0]
        binding = scopes.binding_of(head_atom) if isinstance(head_atom, Atom) else None
        name = atom.text[2:]
        if binding is None:
            entry = lookup(head)
            if entry is not None:
                kw = entry.keyword(name)
                if kw is not None:
                    return f"{code_block(f'({head} … #:{name} {kw.type})')}\n\n" \
                           f"{keyword_line(kw)}", span
                return f"`{head}` has no keyword `#:{name}`", span
        elif binding.signature is not None and name in binding.signature.keywords:
            return code_block(binding.signature.text(binding.name)) + \
                f"\n\nkeyword `#:{name}` of `{binding.name}`", span
        return None
    if atom.kind != SYMBOL:
        return None
    scopes = analysis.scopes
    binding = scopes.binding_of(atom)
    sections: list[str] = []
    if binding is not None:
        sections.append(binding_markdown(analysis, binding))
    else:
        entry = scopes.builtin_refs.get(id(atom)) or lookup(atom.text)
        if entry is None or entry.name == "special-form":
            entry = lookup(atom.text)
        if entry is None:
            return None
        sections.append(entry_markdown(entry))
        if parent is not None and parent.items and parent.items[0] is atom:
            if entry.name in FINISH_FORMS:
                extra = recipe_markdown(analysis)
            else:
                extra = llm_markdown(analysis, parent) or fan_out_markdown(analysis, parent)
            if extra:
                sections.insert(1, extra)
    return "\n\n---\n\n".join(sections), span
