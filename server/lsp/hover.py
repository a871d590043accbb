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
    call = analysis.facts.call_at.get(id(call_node))
    if call is None or not est.is_llm_call(call):
        return None
    cc = est.call_cost(analysis, call)
    model = analysis.model(cc.model) if cc.model else None
    lines = ["**Estimate for this call**", "",
             f"- model: `{cc.model or 'computed at run time'}` ({cc.tier} tier)"]
    if model is not None:
        lines.append(f"- price: {model.price_text}")
    tokens_in = "input size unknown (figures per 1,000 input tokens)" if cc.per_1k_input \
        else f"~{cc.tokens_in:,.0f} in"
    lines.append(f"- tokens: {tokens_in}, ~{cc.tokens_out_low:,.0f}–"
                 f"{cc.tokens_out_high:,.0f} out")
    lines.append(f"- cost per call: {est.money(cc.cost_low)}–{est.money(cc.cost_high)}")
    if cc.multiplicity != 1:
        approx = "" if cc.multiplicity_known else " (unknown count, assumed)"
        lines.append(f"- runs ×{cc.multiplicity:g}{approx}: {est.money(cc.cost_low * cc.multiplicity)}"
                     f"–{est.money(cc.cost_high * cc.multiplicity)} in total")
    lines.append(f"- latency: ~{cc.latency_s:g} s per call")
    return "\n".join(lines)


def fan_out_markdown(analysis: Analysis, call_node: ListNode) -> str | None:
    site = est.site_for(analysis, call_node)
    if site is None:
        return None
    fc = est.fan_out_cost(analysis, site)
    items = f"{fc.items}" if fc.items is not None else f"unknown (assuming {est.UNKNOWN_FAN_OUT})"
    window = "all at once" if fc.window is None else str(fc.window)
    lines = ["**Fan-out estimate**", "",
             f"- items: {items}",
             f"- LLM calls per item: {fc.calls_per_item}" + (f" (`{fc.model}`)" if fc.model else ""),
             f"- total cost: {est.money(fc.total_low)}–{est.money(fc.total_high)}",
             f"- latency at window {window}: {est.duration(fc.latency_s)}"]
    return "\n".join(lines)


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
            extra = llm_markdown(analysis, parent) or fan_out_markdown(analysis, parent)
            if extra:
                sections.insert(1, extra)
    return "\n\n---\n\n".join(sections), span
