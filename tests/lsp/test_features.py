"""Hover, completion, signature help, navigation, symbols, tokens, folding, selection,
formatting, code actions, code lens and inlay hints."""

from __future__ import annotations

import ast

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import (
    EXAMPLE,
    MISTAKES,
    change,
    config,
    diagnostics_for,
    doc_id,
    open_doc,
    position_of,
    start,
    track_versions,
    workspace,
)

ROOT = workspace({"lib.recipe": "(define (helper-fn a) a)\n(finish (helper-fn 1))\n"})
URI = (ROOT / "example.recipe").as_uri()
BAD = (ROOT / "mistakes.recipe").as_uri()
LOOSE = (ROOT / "loose.recipe").as_uri()


@pytest_lsp.fixture(scope="module", config=config())  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def, untyped-decorator]
    track_versions(lsp_client)
    await start(lsp_client, ROOT)
    open_doc(lsp_client, URI, EXAMPLE)
    open_doc(lsp_client, BAD, MISTAKES)
    await diagnostics_for(lsp_client, URI, 1)
    await diagnostics_for(lsp_client, BAD, 1)
    yield
    await lsp_client.shutdown_session()


async def hover_at(client: LanguageClient, uri: str, position: types.Position) -> str:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=doc_id(uri), position=position))
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


# -- hover ---------------------------------------------------------------------------------
@pytest.mark.asyncio(loop_scope="module")
async def test_hover_catalogue_entry_has_exact_signature(client: LanguageClient) -> None:
    text = await hover_at(client, URI, position_of(EXAMPLE, "string-join", 2))
    assert "(string-join" in text and "→" in text


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_special_form(client: LanguageClient) -> None:
    text = await hover_at(client, URI, position_of(EXAMPLE, "(define", 2))
    assert "(define id expr)" in text and "special form" in text


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_llm_call_shows_model_price_tokens_cost(client: LanguageClient) -> None:
    text = await hover_at(client, URI, position_of(EXAMPLE, "(llm-query-async", 3))
    assert "gpt-4.1-nano" in text and "cheap" in text
    assert "$0.1 / $0.4 per 1M" in text
    assert "tokens:" in text and "cost per call" in text and "$" in text
    sync = await hover_at(client, URI, position_of(EXAMPLE, "(llm-query ", 3))
    assert "gpt-4.1" in sync and "expensive" in sync and "cost per call: $" in sync


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_fan_out_shows_items_total_and_latency(client: LanguageClient) -> None:
    text = await hover_at(client, URI, position_of(EXAMPLE, "(map-async", 3))
    assert "Fan-out estimate" in text
    assert "items: 12" in text
    assert "total cost: $" in text
    assert "latency at window 4" in text


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_model_string_shows_price_row(client: LanguageClient) -> None:
    text = await hover_at(client, URI, position_of(EXAMPLE, '"gpt-4.1-nano"', 3))
    assert "**gpt-4.1-nano** — cheap tier" in text and "$0.1 / 1M" in text


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_user_definition_shows_signature_and_comment(client: LanguageClient) -> None:
    text = await hover_at(client, URI, position_of(EXAMPLE, "summarise docs", 2))
    assert "(summarise doc)" in text
    assert "Ask the cheap model for one summary." in text


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_keyword_inside_call(client: LanguageClient) -> None:
    text = await hover_at(client, URI, position_of(EXAMPLE, "#:model", 3))
    assert "#:model" in text and "price table" in text


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_nothing_on_whitespace_and_comments(client: LanguageClient) -> None:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=doc_id(URI), position=position_of(EXAMPLE, "Summarise every", 2)))
    assert result is None


# -- completion ----------------------------------------------------------------------------
async def complete(client: LanguageClient, uri: str, position: types.Position) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(uri), position=position))
    assert result is not None
    return list(result.items if isinstance(result, types.CompletionList) else result)


@pytest.mark.asyncio(loop_scope="module")
async def test_completion_names_in_scope(client: LanguageClient) -> None:
    typed = await complete(client, URI, position_of(EXAMPLE, "#:data doc", 9))
    typed_labels = {i.label for i in typed}
    assert "doc" in typed_labels  # the parameter, filtered by what is typed ("do")
    assert "docs" in typed_labels and "summarise" not in typed_labels
    items = await complete(client, URI, position_of(EXAMPLE, "answer)"))
    labels = {i.label: i for i in items}
    assert "doc" not in labels  # not in scope here
    assert "summarise" in labels and labels["summarise"].detail == "(summarise doc)"
    assert "map-async" in labels and "(map-async f items" in (labels["map-async"].detail or "")
    assert "define" in labels and "string-join" in labels
    assert any(i.kind == types.CompletionItemKind.Snippet for i in items)
    resolved = await client.completion_item_resolve_async(labels["map-async"])
    assert isinstance(resolved.documentation, types.MarkupContent)
    assert "rolling window" in resolved.documentation.value


@pytest.mark.asyncio(loop_scope="module")
async def test_completion_keywords_of_the_call(client: LanguageClient) -> None:
    uri = "untitled:kw.recipe"
    text = '(llm-query #:model "gpt-4.1" #:'
    open_doc(client, uri, text)
    items = await complete(client, uri, types.Position(line=0, character=len(text)))
    labels = [i.label for i in items]
    assert "#:instruction" in labels and "#:max-tokens" in labels
    assert "#:model" not in labels  # already given
    temp = next(i for i in items if i.label == "#:temperature")
    assert "number" in (temp.detail or "")


@pytest.mark.asyncio(loop_scope="module")
async def test_completion_models_cheapest_first_in_fan_out(client: LanguageClient) -> None:
    uri = "untitled:models.recipe"
    text = ('(map-async (lambda (x) (llm-query-async #:data x #:model "'
            '\n')
    open_doc(client, uri, text)
    items = await complete(client, uri, types.Position(line=0, character=len(text) - 1))
    assert len(items) > 5
    ordered = sorted(items, key=lambda i: i.sort_text or i.label)
    assert "cheap" in (ordered[0].detail or "")
    prices = [float((i.detail or "").split("$")[1].split(" ")[0]) for i in ordered]
    assert prices == sorted(prices)
    outside = "untitled:models2.recipe"
    text2 = '(llm-query #:model "gpt'
    open_doc(client, outside, text2)
    items2 = await complete(client, outside, types.Position(line=0, character=len(text2)))
    assert {i.label for i in items2} >= {"gpt-4.1", "gpt-4.1-nano"}
    edit = items2[0].text_edit
    assert isinstance(edit, types.TextEdit) and edit.range.start.character == len('(llm-query #:model "')


@pytest.mark.asyncio(loop_scope="module")
async def test_completion_of_a_keyword_value_before_its_quote(client: LanguageClient) -> None:
    # `#:model |` offered only the names in scope; `#:json |` not #t and #f
    uri = "untitled:values.recipe"
    text = '(define big "gpt-4.1")\n(llm-query #:model \n(llm-query #:json #\n'
    open_doc(client, uri, text)
    items = await complete(client, uri, types.Position(line=1, character=19))
    ordered = sorted(items, key=lambda i: i.sort_text or i.label)
    first = ordered[0].text_edit
    assert isinstance(first, types.TextEdit) and first.new_text.startswith('"') \
        and first.new_text.endswith('"') and first.new_text.strip('"') == ordered[0].label
    assert "big" in {i.label for i in items}  # (a name bound to a model is meant too)
    booleans = await complete(client, uri, types.Position(line=2, character=19))
    assert [i.label for i in sorted(booleans, key=lambda i: i.sort_text or "")] == ["#t", "#f"]


# -- signature help, navigation -------------------------------------------------------------
@pytest.mark.asyncio(loop_scope="module")
async def test_signature_help_positional_and_keyword(client: LanguageClient) -> None:
    help_ = await client.text_document_signature_help_async(types.SignatureHelpParams(
        text_document=doc_id(URI), position=position_of(EXAMPLE, "docs #:max", 0)))
    assert help_ is not None
    sig = help_.signatures[0]
    assert sig.label.startswith("(map-async f items")
    assert help_.active_parameter == 1
    kw = await client.text_document_signature_help_async(types.SignatureHelpParams(
        text_document=doc_id(URI), position=position_of(EXAMPLE, '"gpt-4.1-nano"', 1)))
    assert kw is not None and kw.active_parameter is not None
    param = kw.signatures[0].parameters[kw.active_parameter]  # type: ignore[index]
    label = param.label
    assert isinstance(label, tuple)
    assert kw.signatures[0].label[label[0]:label[1]].startswith("[#:model")


@pytest.mark.asyncio(loop_scope="module")
async def test_definition_references_highlight(client: LanguageClient) -> None:
    use = position_of(EXAMPLE, "summaries \"", 0)
    loc = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc_id(URI), position=use))
    assert isinstance(loc, types.Location)
    assert loc.range.start == position_of(EXAMPLE, "summaries (map")
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc_id(URI), position=use,
        context=types.ReferenceContext(include_declaration=True)))
    assert refs is not None and len(refs) == 2
    highlights = await client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=doc_id(URI), position=use))
    assert highlights is not None
    kinds = sorted(h.kind for h in highlights if h.kind is not None)
    assert kinds == [types.DocumentHighlightKind.Read, types.DocumentHighlightKind.Write]


@pytest.mark.asyncio(loop_scope="module")
async def test_finish_var_strings_are_uses_of_the_variable(client: LanguageClient) -> None:
    # (finish-var "result") reads the top-level variable by name when the run ends: a rename
    # that left the string made F005 ("never defined") and broke the recipe
    uri = "untitled:finish-var.recipe"
    text = '(define result (string-append "a" "b"))\n(define (f result) result)\n' \
        '(finish-var "result")\n'
    open_doc(client, uri, text)
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=doc_id(uri), position=types.Position(line=0, character=9),
        new_name="answer"))
    assert edit is not None and edit.changes is not None
    spans = sorted((e.range.start.line, e.range.start.character, e.range.end.character)
                   for e in edit.changes[uri])
    assert spans == [(0, 8, 14), (2, 13, 19)]  # the string's inside, not f's parameter
    in_string = types.Position(line=2, character=15)
    loc = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc_id(uri), position=in_string))
    assert isinstance(loc, types.Location) and loc.range.start == types.Position(line=0, character=8)
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc_id(uri), position=types.Position(line=0, character=9),
        context=types.ReferenceContext(include_declaration=False)))
    assert refs is not None and [(r.range.start.line, r.range.start.character)
                                 for r in refs] == [(2, 13)]


@pytest.mark.asyncio(loop_scope="module")
async def test_rename_is_scope_correct_and_refuses_language_names(client: LanguageClient) -> None:
    uri = "untitled:rename.recipe"
    text = "(define x 1)\n(define (f x) (+ x 1))\n(finish (+ x (f 2)))\n"
    open_doc(client, uri, text)
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=doc_id(uri), position=types.Position(line=2, character=11), new_name="total"))
    assert edit is not None and edit.changes is not None
    ranges = sorted((e.range.start.line, e.range.start.character) for e in edit.changes[uri])
    assert ranges == [(0, 8), (2, 11)]  # not the parameter x of f
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=doc_id(uri), position=types.Position(line=0, character=8)))
    assert prepared is not None
    with pytest.raises(Exception, match="cannot be renamed"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=doc_id(uri), position=types.Position(line=2, character=2),
            new_name="done"))
    with pytest.raises(Exception, match="name of the language"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=doc_id(uri), position=types.Position(line=0, character=8),
            new_name="map-async"))
    with pytest.raises(Exception, match="already bound"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=doc_id(uri), position=types.Position(line=1, character=11),
            new_name="f"))


@pytest.mark.asyncio(loop_scope="module")
async def test_document_and_workspace_symbols(client: LanguageClient) -> None:
    uri = "untitled:symbols.recipe"
    text = "(define (outer a)\n  (define (inner b) b)\n  (define k 2)\n  (inner a))\n(define top 1)\n"
    open_doc(client, uri, text)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=doc_id(uri)))
    assert symbols is not None
    outer = symbols[0]
    assert isinstance(outer, types.DocumentSymbol)
    assert outer.name == "outer" and outer.kind == types.SymbolKind.Function
    assert [c.name for c in outer.children or []] == ["inner", "k"]
    assert symbols[1].name == "top"
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="helper"))
    assert found is not None
    names = {(s.name, s.location.uri) for s in found if isinstance(s.location, types.Location)}
    assert ("helper-fn", (ROOT / "lib.recipe").as_uri()) in names
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="summ"))
    assert found is not None and any(s.name == "summarise" for s in found)


# -- structure --------------------------------------------------------------------------------
@pytest.mark.asyncio(loop_scope="module")
async def test_semantic_tokens(client: LanguageClient) -> None:
    uri = "untitled:tokens.recipe"
    text = '(define (f x) (py-exec "print(1)"))\n(finish (map-async f (list 1) #:max-concurrent 2))\n'
    open_doc(client, uri, text)
    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(
        text_document=doc_id(uri)))
    assert tokens is not None
    data = tokens.data
    decoded = []
    line = char = 0
    for i in range(0, len(data), 5):
        dl, dc, length, ttype, mods = data[i:i + 5]
        line += dl
        char = char + dc if dl == 0 else dc
        lines = text.split("\n")
        decoded.append((lines[line][char:char + length], ttype, mods))
    types_ = ["keyword", "function", "macro", "variable", "parameter", "property", "string"]
    by_text = {t: (types_[tt], m) for t, tt, m in decoded}
    assert by_text["define"][0] == "keyword"
    assert by_text["f"][0] == "function"
    assert by_text["x"][0] == "parameter"
    assert by_text['"print(1)"'] == ("string", 1 << 6)  # embedded Python
    assert by_text["map-async"][0] == "function" and by_text["map-async"][1] & (1 << 1)
    assert by_text["#:max-concurrent"][0] == "property"


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
async def test_folding_and_selection_ranges(client: LanguageClient, newline: str) -> None:
    uri = f"untitled:fold-{len(newline)}{newline == chr(13)}.recipe"
    text = '#| a\nblock |#\n(define (f)\n  "multi\nline")\n; one\n; two\n(finish 1)\n'
    text = text.replace("\n", newline)  # (LSP's line breaks: a lone \r too)
    open_doc(client, uri, text)
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(
        text_document=doc_id(uri)))
    assert folds is not None
    spans = {(f.start_line, f.end_line, f.kind) for f in folds}
    assert (0, 1, "comment") in spans
    assert (2, 4, None) in spans
    assert (3, 4, "region") in spans
    assert (5, 6, "comment") in spans
    sel = await client.text_document_selection_range_async(types.SelectionRangeParams(
        text_document=doc_id(uri), positions=[types.Position(line=2, character=10)]))
    assert sel is not None
    chain = []
    node: types.SelectionRange | None = sel[0]
    while node is not None:
        chain.append(node.range)
        node = node.parent
    assert len(chain) >= 3
    assert chain[-1].start == types.Position(line=2, character=0)
    # at an opening or closing paren and at the end of a line, every range holds the position
    # (the spec's rule): not the inside of the list alone
    at = [types.Position(line=2, character=8), types.Position(line=2, character=0),
          types.Position(line=4, character=6), types.Position(line=7, character=10)]
    sel = await client.text_document_selection_range_async(types.SelectionRangeParams(
        text_document=doc_id(uri), positions=at))
    assert sel is not None and len(sel) == len(at)
    for position, found in zip(at, sel, strict=True):
        ranges: types.SelectionRange | None = found
        while ranges is not None:
            start, end = ranges.range.start, ranges.range.end
            assert (start.line, start.character) <= (position.line, position.character) \
                <= (end.line, end.character), (position, ranges.range)
            ranges = ranges.parent


@pytest.mark.asyncio(loop_scope="module")
async def test_formatting(client: LanguageClient) -> None:
    uri = "untitled:fmt.recipe"
    text = "(define  (f x)\n    (+ x   1))\n"
    open_doc(client, uri, text)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc_id(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == "(define (f x) (+ x 1))\n"
    broken = "untitled:fmt-broken.recipe"
    open_doc(client, broken, "(define (f x)\n")
    told = len([m for m in client.messages if "not formatting" in m.message])
    for _ in range(3):  # (format on save: a warning the first time, then only in the log)
        edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
            text_document=doc_id(broken),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
        assert not edits
    assert len([m for m in client.messages if "not formatting" in m.message]) == told + 1


# -- actions, lens, hints -------------------------------------------------------------------
@pytest.mark.asyncio(loop_scope="module")
async def test_code_actions_quick_fix_noqa_and_commands(client: LanguageClient) -> None:
    diags = client.diagnostics[BAD]
    n001 = next(d for d in diags if d.code == "N001")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc_id(BAD), range=n001.range,
        context=types.CodeActionContext(diagnostics=[n001])))
    assert actions is not None
    titles = {a.title: a for a in actions}
    fix = next(a for t, a in titles.items() if "llm-query" in t)
    assert isinstance(fix, types.CodeAction)
    assert fix.kind == types.CodeActionKind.QuickFix and fix.edit is not None
    assert fix.edit.changes is not None and fix.edit.changes[BAD][0].new_text == "llm-query"
    noqa = titles["Ignore N001 for this line"]
    assert isinstance(noqa, types.CodeAction)
    assert noqa.edit is not None and noqa.edit.changes is not None
    edit = noqa.edit.changes[BAD][0]
    assert edit.new_text == "  ; noqa: N001" and edit.range.start.line == 1
    assert command_of(titles["Run recipe"]) == ("recipe.run", [BAD])
    assert command_of(titles["Estimate cost"]) == ("recipe.estimateCost", [BAD])


def command_of(action: types.CodeAction | types.Command) -> tuple[str, list[object]]:
    """A code action's command (the test client may decode an action with a custom kind as
    a bare Command)."""
    command = action.command
    if isinstance(command, types.Command):
        return command.command, list(command.arguments or [])
    assert isinstance(action, types.Command)
    if action.command.startswith("{"):  # the nested command, stringified by the decoder
        nested = ast.literal_eval(action.command)
        return nested["command"], list(nested.get("arguments") or [])
    return action.command, list(action.arguments or [])


@pytest.mark.asyncio(loop_scope="module")
async def test_noqa_merges_with_an_existing_one(client: LanguageClient) -> None:
    uri = "untitled:noqa.recipe"
    text = "(define x (llm-query #:temperature 3)) ; noqa: N008\n(finish x)\n"
    open_doc(client, uri, text)
    diags = await diagnostics_for(client, uri, 1)
    t002 = next(d for d in diags if d.code == "T002")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc_id(uri), range=t002.range,
        context=types.CodeActionContext(diagnostics=[t002], only=[types.CodeActionKind.QuickFix])))
    assert actions is not None
    noqa = next(a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Ignore T002"))
    assert noqa.edit is not None and noqa.edit.changes is not None
    edit = noqa.edit.changes[uri][0]
    assert edit.new_text == "N008, T002"
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions if isinstance(a, types.CodeAction))


@pytest.mark.asyncio(loop_scope="module")
async def test_code_lens_and_inlay_hints(client: LanguageClient) -> None:
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc_id(URI)))
    assert lenses is not None
    run = lenses[0]
    assert run.range.start.line == 0 and run.command is not None
    # no context size in this workspace: no call's input size is known
    assert run.command.title == "▶ Run · est. $0.00015–$0.00051 + 1 unpriced · ~19 s"
    assert run.command.command == "recipe.run" and list(run.command.arguments or []) == [URI]
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=doc_id(URI), range=types.Range(start=types.Position(line=0, character=0),
                                                     end=types.Position(line=40, character=0))))
    assert hints is not None and len(hints) == 1
    label = hints[0].label
    assert isinstance(label, str) and "12 × gpt-4.1-nano ≈ $" in label
    assert hints[0].position.line == position_of(EXAMPLE, "(map-async").line


@pytest.mark.asyncio(loop_scope="module")
async def test_features_follow_edits(client: LanguageClient) -> None:
    uri = LOOSE
    text = "(define (g y) y)\n(finish (g 1))\n"
    open_doc(client, uri, text)
    await diagnostics_for(client, uri, 1)
    change(client, uri, 2, (0, 9), (0, 10), "gg")
    change(client, uri, 3, (1, 9), (1, 10), "gg")
    diags = await diagnostics_for(client, uri, 3)
    assert diags == []
    text = await hover_at(client, uri, types.Position(line=1, character=10))
    assert "(gg y)" in text
