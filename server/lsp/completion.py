"""Completion aware of the cursor: names in scope, a call's remaining keywords, model names
inside ``#:model "``, and snippets for common recipe patterns."""

from __future__ import annotations

import re

from lsprotocol import types
from recipe.runtime.lang import catalog
from recipe.runtime.lang.syntax import KEYWORD, Atom, ListNode
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.scopes import Binding

from . import hover
from .convert import Positions
from .locate import chain_at, enclosing_list
from .state import catalog_entries, lookup

_DELIMITERS = set("()[]{}\"';`, \t\r\n")
_MODEL_PREFIX = re.compile(r'#:model\s+"([^"\\]*)$')
_VALUE_AFTER = re.compile(r'#:([^\s()\[\]{}"]+)\s+([^\s()\[\]{}"]*)$')  # `#:model |`, `#:json #|`
_SYMBOL_KIND = {
    catalog.SPECIAL_FORM: types.CompletionItemKind.Keyword,
    catalog.BUILTIN: types.CompletionItemKind.Function,
    catalog.PRIMITIVE: types.CompletionItemKind.Function,
    catalog.COMBINATOR: types.CompletionItemKind.Module,
    catalog.PARAMETER: types.CompletionItemKind.Property,
    catalog.VARIABLE: types.CompletionItemKind.Constant,
}

SNIPPETS: list[tuple[str, str, str]] = [
    ("fan-out + synthesis", "Map cheap calls over items concurrently, then combine with one "
     "stronger call.",
     '(define ${1:summaries}\n'
     '  (map-async\n'
     '   (lambda (${2:item})\n'
     '     (llm-query-async #:instruction "${3:Summarise this.}"\n'
     '                      #:data ${2:item}\n'
     '                      #:model "${4:gpt-4.1-nano}"\n'
     '                      #:max-tokens ${5:300}))\n'
     '   ${6:items}\n'
     '   #:max-concurrent ${7:10}))\n'
     '(define ${8:answer}\n'
     '  (syntax-e (llm-query #:instruction "${9:Combine these summaries into one answer.}"\n'
     '                       #:data (string-join ${1:summaries} "\\n\\n")\n'
     '                       #:model "${10:gpt-4.1}")))\n'
     '(finish ${8:answer})$0'),
    ("tree-reduce", "Combine many texts a few at a time, level by level.",
     '(tree-reduce\n'
     ' (lambda parts\n'
     '   (syntax-e (llm-query #:instruction "${1:Merge these partial summaries.}"\n'
     '                        #:data (string-join parts "\\n\\n")\n'
     '                        #:model "${2:gpt-4.1-mini}"\n'
     '                        #:max-tokens ${3:500})))\n'
     ' ${4:texts}\n'
     ' #:branch-factor ${5:5})$0'),
    ("critique-refine", "Draft, critique and refine in a loop.",
     '(critique-refine\n'
     ' (lambda () (syntax-e (llm-query #:instruction "${1:Write a draft.}" #:data ${2:context})))\n'
     ' (lambda (draft) (syntax-e (llm-query #:instruction "${3:Critique this draft; say approved '
     'when it is good.}" #:data draft)))\n'
     ' (lambda (draft critique)\n'
     '   (syntax-e (llm-query #:instruction "${4:Improve the draft using the critique.}"\n'
     '                        #:data (string-append draft "\\n\\nCritique:\\n" critique))))\n'
     ' #:max-iter ${5:3})$0'),
    ("vote", "Ask several times and keep the majority answer.",
     '(vote\n'
     ' (for/list ([i (in-range ${1:5})])\n'
     '   (lambda ()\n'
     '     (syntax-e (llm-query #:instruction "${2:Answer with one word.}"\n'
     '                          #:data ${3:question}\n'
     '                          #:model "${4:gpt-4.1-nano}"\n'
     '                          #:temperature 0.7))))\n'
     ' #:method \'${5:majority})$0'),
    ("hedged race", "Start the same request on two models; the first answer wins.",
     '(race\n'
     ' (list (lambda () (llm-query-async #:instruction "${1:Answer briefly.}" #:data ${2:question}'
     ' #:model "${3:gpt-4.1-nano}"))\n'
     '       (lambda () (llm-query-async #:instruction "${1:Answer briefly.}" #:data ${2:question}'
     ' #:model "${4:gpt-4o-mini}"))))$0'),
    ("checkpointed phase", "Skip an expensive phase when a checkpoint from an earlier run "
     "exists.",
     '(define ${1:phase-result}\n'
     '  (or (restore "${2:phase-1}")\n'
     '      (let ([value ${3:(compute)}])\n'
     '        (checkpoint "${2:phase-1}" value)\n'
     '        value)))$0'),
]


def prefix_at(text: str, offset: int) -> tuple[str, int]:
    """The partial symbol (or ``#:keyword``) before the cursor, and where it starts."""
    start = offset
    while start > 0 and text[start - 1] not in _DELIMITERS:
        start -= 1
    return text[start:offset], start


def _edit(pos: Positions, start: int, end: int, new_text: str) -> types.TextEdit:
    return types.TextEdit(range=pos.range(start, end), new_text=new_text)


def model_items(analysis: Analysis, pos: Positions, start: int, offset: int,
                in_fan_out: bool, closing: bool, opening: bool = False
                ) -> list[types.CompletionItem]:
    models = analysis.config.models
    rows = models.by_price()
    default = analysis.config.default_model
    items = []
    for rank, model in enumerate(rows):
        if in_fan_out:
            sort = f"{rank:04d}"
        else:
            sort = ("0" if model.name == default else "1") + model.name
        text = ('"' if opening else "") + model.name + ('"' if closing else "")
        items.append(types.CompletionItem(
            label=model.name,
            kind=types.CompletionItemKind.Value,
            detail=f"{model.tier} · ${model.input:g} / ${model.output:g} per 1M tokens",
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                              value=hover.model_markdown(model, analysis)),
            sort_text=sort,
            filter_text=model.name,
            text_edit=_edit(pos, start, offset, text),
            preselect=(model.name == default and not in_fan_out) or (in_fan_out and rank == 0),
        ))
    return items


def value_items(analysis: Analysis, pos: Positions, at: int, keyword: str,
                start: int, offset: int) -> list[types.CompletionItem] | None:
    """The values a catalogue call's keyword (at offset ``at``) takes, typed right after it:
    the models (quoted) after ``#:model``, ``#t``/``#f`` after a boolean keyword; None for
    other keywords."""
    lst = enclosing_list(chain_at(analysis.document, at), at)
    head = lst.items[0] if lst is not None and lst.items else None
    if not isinstance(head, Atom) or analysis.scopes.binding_of(head) is not None:
        return None
    entry = lookup(head.text)
    spec = entry.keyword(keyword) if entry is not None else None
    if spec is None:
        return None
    if keyword == "model":
        in_fan_out = False
        try:
            in_fan_out = any(True for _ in analysis.facts.enclosing_fan_outs(lst))  # type: ignore[arg-type]
        except Exception:
            pass
        items = model_items(analysis, pos, start, offset, in_fan_out, closing=True, opening=True)
    elif spec.type == catalog.BOOLEAN:
        items = [types.CompletionItem(label=value, kind=types.CompletionItemKind.Value,
                                      sort_text=str(i), text_edit=_edit(pos, start, offset, value))
                 for i, value in enumerate(("#t", "#f"))]
    else:
        return None
    for item in items:
        item.sort_text = "0" + (item.sort_text or "")  # (before the names in scope: "1…", "2…")
    return items


def keyword_items(analysis: Analysis, pos: Positions, lst: ListNode, start: int,
                  offset: int) -> list[types.CompletionItem]:
    head = lst.items[0] if lst.items else None
    if not isinstance(head, Atom):
        return []
    used = {item.text[2:] for item in lst.items
            if isinstance(item, Atom) and item.kind == KEYWORD and not (item.start <= offset <= item.end)}
    binding = analysis.scopes.binding_of(head)
    items: list[types.CompletionItem] = []
    if binding is not None:
        if binding.signature is None:
            return []
        for i, (name, required) in enumerate(binding.signature.keywords.items()):
            if name in used:
                continue
            items.append(types.CompletionItem(
                label=f"#:{name}", kind=types.CompletionItemKind.Field,
                detail="required" if required else "optional", sort_text=f"{i:03d}",
                text_edit=_edit(pos, start, offset, f"#:{name} ")))
        return items
    entry = lookup(head.text)
    if entry is None:
        return []
    for i, kw in enumerate(entry.keywords):
        if kw.name in used:
            continue
        default = f" = {kw.default_text}" if kw.default_text else ""
        items.append(types.CompletionItem(
            label=f"#:{kw.name}", kind=types.CompletionItemKind.Field,
            detail=f"{kw.type}{default}" + (" (required)" if kw.required else ""),
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                              value=hover.keyword_line(kw)),
            sort_text=f"{i:03d}",
            text_edit=_edit(pos, start, offset, f"#:{kw.name} ")))
    return items


def _binding_item(b: Binding, pos: Positions, start: int, offset: int) -> types.CompletionItem:
    is_fn = b.signature is not None
    return types.CompletionItem(
        label=b.name,
        kind=types.CompletionItemKind.Function if is_fn else types.CompletionItemKind.Variable,
        detail=b.signature.text(b.name) if b.signature is not None else b.kind,
        sort_text=("0" if not b.top_level else "1") + b.name,
        text_edit=_edit(pos, start, offset, b.name),
    )


def fuzzy(prefix: str, name: str) -> bool:
    """``prefix`` matches ``name`` as a subsequence starting at its first character
    (``mas`` → ``map-async``); the client refines the list as more is typed."""
    if not prefix:
        return True
    p = prefix.lower()
    n = name.lower()
    if not n.startswith(p[0]):
        return False
    i = 0
    for ch in n:
        if ch == p[i]:
            i += 1
            if i == len(p):
                return True
    return False


def symbol_items(analysis: Analysis, pos: Positions, start: int, offset: int,
                 head_position: bool, snippets: bool, prefix: str = "") -> list[types.CompletionItem]:
    items: list[types.CompletionItem] = []
    seen: set[str] = set()
    try:
        scope = analysis.scopes.scope_at(offset)
        for b in scope.visible():
            if b.atom is not None and b.atom.start <= offset <= b.atom.end:
                continue  # the name being typed
            seen.add(b.name)
            if fuzzy(prefix, b.name):
                items.append(_binding_item(b, pos, start, offset))
    except Exception:
        pass
    for name, entry in catalog_entries().items():
        if name in seen or not fuzzy(prefix, name):
            continue
        items.append(types.CompletionItem(
            label=name,
            kind=_SYMBOL_KIND.get(entry.kind, types.CompletionItemKind.Function),
            detail=entry.signature.splitlines()[0] if entry.signature else entry.kind,
            sort_text="2" + name,
            text_edit=_edit(pos, start, offset, name),
            data={"entry": name},
        ))
    if snippets:
        for label, doc, body in SNIPPETS:
            if not fuzzy(prefix, label.replace(" ", "-")) and prefix:
                continue
            text = body
            if head_position and text.startswith("("):
                text = text[1:]  # the "(" is already typed
                if text.endswith(")$0"):
                    text = text[:-3] + "$0"
            items.append(types.CompletionItem(
                label=label, kind=types.CompletionItemKind.Snippet, detail="recipe pattern",
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                  value=f"{doc}\n\n```recipe\n{body}\n```"),
                insert_text_format=types.InsertTextFormat.Snippet,
                sort_text="3" + label, filter_text=label.replace(" ", "-"),
                text_edit=_edit(pos, start, offset, text)))
    return items


def complete(analysis: Analysis, pos: Positions, offset: int,
             snippets: bool = True) -> types.CompletionList:
    doc = analysis.document
    text = doc.text
    line, _ = doc.position(offset)
    line_start = doc.line_starts[line]
    before = text[line_start:offset]
    chain = chain_at(doc, offset)
    model = _MODEL_PREFIX.search(before)
    if model is not None:
        start = offset - len(model.group(1))
        after = text[offset:offset + 200].split("\n", 1)[0]
        closing = '"' not in after
        lst = enclosing_list(chain_at(doc, start - 1), start - 1)
        in_fan_out = False
        if lst is not None:
            try:
                in_fan_out = any(True for _ in analysis.facts.enclosing_fan_outs(lst))
            except Exception:
                in_fan_out = False
        return types.CompletionList(
            is_incomplete=False,
            items=model_items(analysis, pos, start, offset, in_fan_out, closing))
    value = _VALUE_AFTER.search(before)
    values = (value_items(analysis, pos, line_start + value.start(), value.group(1),
                          offset - len(value.group(2)), offset) or []) if value is not None else []
    comment = doc.comment_at(max(offset - 1, 0))
    if comment is not None and offset <= comment.end and comment.kind != "datum":
        return types.CompletionList(is_incomplete=False, items=[])
    in_string = any(isinstance(n, Atom) and n.kind == "string" and n.start < offset < n.end
                    for n in chain)
    if in_string:
        return types.CompletionList(is_incomplete=False, items=[])
    prefix, start = prefix_at(text, offset)
    if prefix.startswith("#:"):
        lst = enclosing_list(chain, offset)
        items = keyword_items(analysis, pos, lst, start, offset) if lst is not None else []
        return types.CompletionList(is_incomplete=False, items=items)
    if prefix.startswith("#"):
        return types.CompletionList(is_incomplete=False, items=values)
    head_position = start > 0 and text[start - 1] in "([{"
    # Filtered by what is typed, so the list is incomplete: the client asks again when the
    # word changes (it never needs to re-filter a list that omitted a match). A keyword's
    # values come first (a name bound to one may be meant too).
    return types.CompletionList(
        is_incomplete=bool(prefix),
        items=values + symbol_items(analysis, pos, start, offset, head_position, snippets,
                                    prefix))


def resolve(item: types.CompletionItem) -> types.CompletionItem:
    data = item.data
    name = data.get("entry") if isinstance(data, dict) else None
    if isinstance(name, str):
        entry = lookup(name)
        if entry is not None:
            item.documentation = types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                     value=hover.entry_markdown(entry))
    return item
