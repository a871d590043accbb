"""The server never crashes or stops answering: fuzzed edit sequences, bad positions,
unknown documents and malformed parameters."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.server.analysis.lint import lint_document

from .helpers import (
    EXAMPLE,
    MISTAKES,
    change,
    config,
    diagnostics_for,
    doc_id,
    open_doc,
    start,
    track_versions,
)

SNIPPETS = ["(", ")", "[", "]", '"', "#|", "|#", "; note", "\n", " ", "x", "é", "𝄞",
            '(llm-query #:model "', "#:", "'", "#;", "(define (f x) ", "(map-async ",
            "#:max-tokens 10", "(finish ", "λ", "\t", "(let ([a 1]) a)"]
EDITS_PER_RUN = 120
RUNS = 2  # 240 edits in all


@pytest_lsp.fixture(scope="module", config=config())  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def, untyped-decorator]
    track_versions(lsp_client)
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


def utf16_pos(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    segment = text[start:offset]
    return line, len(segment.encode("utf-16-le")) // 2


def expected(text: str) -> list[tuple[str, int, int, int, int, str]]:
    doc = read(text)
    out = []
    for d in lint_document(doc, Config(), "fuzz.recipe").diagnostics:
        s, e = doc.utf16_position(d.start), doc.utf16_position(d.end)
        out.append((d.code, *s, *e, d.message))
    return sorted(out)


def got(diags: list[types.Diagnostic]) -> list[tuple[str, int, int, int, int, str]]:
    return sorted((str(d.code), d.range.start.line, d.range.start.character,
                   d.range.end.line, d.range.end.character, d.message) for d in diags)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("seed", list(range(RUNS)))
async def test_fuzzed_edits_end_in_fresh_lint_diagnostics(client: LanguageClient, seed: int) -> None:
    rng = random.Random(seed)
    uri = f"untitled:fuzz-{seed}.recipe"
    text = EXAMPLE if seed % 2 == 0 else MISTAKES
    open_doc(client, uri, text)
    version = 1
    for step in range(EDITS_PER_RUN):
        start_off = rng.randint(0, len(text))
        end_off = min(len(text), start_off + rng.choice([0, 0, 0, 1, 2, 5, 20]))
        new = rng.choice(SNIPPETS) if rng.random() < 0.85 else ""
        s, e = utf16_pos(text, start_off), utf16_pos(text, end_off)
        version += 1
        change(client, uri, version, s, e, new)
        text = text[:start_off] + new + text[end_off:]
        if step % 15 == 0:  # requests interleaved with the edits must keep working
            line, col = utf16_pos(text, rng.randint(0, len(text)))
            position = types.Position(line=line, character=col)
            await client.text_document_hover_async(types.HoverParams(
                text_document=doc_id(uri), position=position))
            await client.text_document_completion_async(types.CompletionParams(
                text_document=doc_id(uri), position=position))
            await client.text_document_signature_help_async(types.SignatureHelpParams(
                text_document=doc_id(uri), position=position))
            await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(
                text_document=doc_id(uri)))
            await client.text_document_document_symbol_async(types.DocumentSymbolParams(
                text_document=doc_id(uri)))
    diags = await diagnostics_for(client, uri, version, timeout=30)
    assert got(diags) == expected(text)
    # the server still answers
    symbols = await client.text_document_folding_range_async(types.FoldingRangeParams(
        text_document=doc_id(uri)))
    assert symbols is not None


@pytest.mark.asyncio(loop_scope="module")
async def test_lists_nested_300_deep(client: LanguageClient) -> None:
    # selection ranges went unanswered (the chain's JSON recursed past Python's limit) and
    # formatting failed with a RecursionError
    depth = 300
    uri = "untitled:deep.recipe"
    open_doc(client, uri, "(define x " + "(list " * depth + "1" + ")" * depth + ")\n(finish x)\n")
    ranges = await asyncio.wait_for(client.text_document_selection_range_async(
        types.SelectionRangeParams(text_document=doc_id(uri),
                                   positions=[types.Position(line=0, character=10 + 6 * depth)])),
        10)
    assert ranges is not None
    chain, node = 0, ranges[0]
    while node is not None:
        chain, node = chain + 1, node.parent
    assert 10 < chain <= 100
    edits = await asyncio.wait_for(client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=doc_id(uri), options=types.FormattingOptions(
            tab_size=2, insert_spaces=True))), 10)
    assert edits is not None  # (a list of edits, or none with a warning: not an error)


@pytest.mark.asyncio(loop_scope="module")
async def test_positions_outside_the_document(client: LanguageClient) -> None:
    uri = "untitled:small.recipe"
    open_doc(client, uri, "(finish 1)\n")
    for line, character in ((0, 500), (50, 0), (99999, 99999)):
        position = types.Position(line=line, character=character)
        await client.text_document_hover_async(types.HoverParams(
            text_document=doc_id(uri), position=position))
        items = await client.text_document_completion_async(types.CompletionParams(
            text_document=doc_id(uri), position=position))
        assert items is not None
        await client.text_document_definition_async(types.DefinitionParams(
            text_document=doc_id(uri), position=position))
        refs = await client.text_document_references_async(types.ReferenceParams(
            text_document=doc_id(uri), position=position,
            context=types.ReferenceContext(include_declaration=True)))
        assert not refs
        await client.text_document_signature_help_async(types.SignatureHelpParams(
            text_document=doc_id(uri), position=position))
        await client.text_document_selection_range_async(types.SelectionRangeParams(
            text_document=doc_id(uri), positions=[position]))
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=doc_id(uri), range=types.Range(start=types.Position(line=5, character=0),
                                                     end=types.Position(line=9999, character=0))))
    assert hints == [] or hints is None or len(hints) == 0
    # an edit whose range lies beyond the end is clamped, not a crash
    change(client, uri, 2, (40, 0), (41, 0), "(finish 2)\n")
    diags = await diagnostics_for(client, uri, 2)
    assert diags is not None


@pytest.mark.asyncio(loop_scope="module")
async def test_unknown_documents(client: LanguageClient) -> None:
    uri = "file:///no/such/file.recipe"
    position = types.Position(line=0, character=0)
    assert await client.text_document_hover_async(types.HoverParams(
        text_document=doc_id(uri), position=position)) is None
    assert await client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(uri), position=position)) is None
    assert await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=doc_id(uri))) is None
    with pytest.raises(Exception, match="unknown document"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=doc_id(uri), position=position, new_name="y"))
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=doc_id(uri)))
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and not report.items
    # notifications about unknown documents are ignored
    change(client, uri, 3, (0, 0), (0, 0), "x")
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc_id(uri)))


async def raw_request(client: LanguageClient, msg_id: str, method: str, params: object) -> object:
    """Send a request exactly as given (the typed client would refuse malformed params)."""
    protocol = client.protocol
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    protocol._request_futures[msg_id] = future  # type: ignore[assignment]
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    raw = f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
    writer = protocol.writer
    assert writer is not None
    result = writer.write(raw.encode())
    if asyncio.iscoroutine(result):
        await result
    return await asyncio.wait_for(future, 10)


def raw_notify(client: LanguageClient, method: str, params: object) -> None:
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params})
    writer = client.protocol.writer
    assert writer is not None
    result = writer.write(f"Content-Length: {len(body.encode())}\r\n\r\n{body}".encode())
    if asyncio.iscoroutine(result):
        _PENDING.add(asyncio.ensure_future(result))


_PENDING: set[asyncio.Future[object]] = set()


@pytest.mark.asyncio(loop_scope="module")
async def test_malformed_params_get_errors(client: LanguageClient) -> None:
    cases = (
        (types.TEXT_DOCUMENT_HOVER, {"textDocument": {}, "position": {"line": "x"}}),
        (types.TEXT_DOCUMENT_COMPLETION, {"position": None}),
        (types.TEXT_DOCUMENT_RENAME, {"textDocument": {"uri": 3}}),
        (types.WORKSPACE_EXECUTE_COMMAND, {"command": "recipe.run", "arguments": [{"x": 1}]}),
        (types.TEXT_DOCUMENT_HOVER, {"textDocument": {"uri": "untitled:alive.recipe"},
                                     "position": {"line": -5, "character": -1}}),
    )
    for n, (method, params) in enumerate(cases):
        with pytest.raises(JsonRpcException):
            await raw_request(client, f"bad-{n}", method, params)
    raw_notify(client, types.TEXT_DOCUMENT_DID_CHANGE, {"textDocument": {"uri": 5}})
    raw_notify(client, types.TEXT_DOCUMENT_DID_OPEN, {"textDocument": None})
    raw_notify(client, "recipe/unknownNotification", {})
    # still alive
    uri = "untitled:alive.recipe"
    open_doc(client, uri, "(finish 1)\n")
    assert await diagnostics_for(client, uri, 1) == []


MANY = "".join(
    f'(define unused-{i} (string-append "a" "b"))  (define (g{i} x) (llm-query #:instruction "hi" '
    f'#:data x #:json #t))\n' for i in range(12)) + "".join(
    f'(define r{i} (map-async (λ (d) (llm-query-async #:instruction "Sum up" #:data d '
    f'#:model "gpt-4.1")) (list "a" "b" "c")))\n' for i in range(4)) \
    + "(finish (string-append (g0 1) r0 r1 r2 r3))\n"


def wire(diag: types.Diagnostic) -> tuple[object, ...]:
    related = tuple((r.location.range.start.line, r.location.range.start.character,
                     r.location.range.end.line, r.location.range.end.character, r.message)
                    for r in diag.related_information or [])
    return (str(diag.code), diag.range.start.line, diag.range.start.character,
            diag.range.end.line, diag.range.end.character, diag.message, related,
            json.dumps(diag.data, sort_keys=True))


def expected_wire(text: str, uri: str) -> list[tuple[object, ...]]:
    from recipe.server.lsp.convert import Positions, diagnostic_json

    doc = read(text)
    pos = Positions(doc, "utf-16")
    out = []
    for d in lint_document(doc, Config(), "fuzz.recipe").diagnostics:
        j = diagnostic_json(d, pos, uri)
        related = tuple((r["location"]["range"]["start"]["line"],
                         r["location"]["range"]["start"]["character"],
                         r["location"]["range"]["end"]["line"],
                         r["location"]["range"]["end"]["character"], r["message"])
                        for r in j.get("relatedInformation", []))
        out.append((d.code, j["range"]["start"]["line"], j["range"]["start"]["character"],
                    j["range"]["end"]["line"], j["range"]["end"]["character"], d.message,
                    related, json.dumps(j.get("data"), sort_keys=True)))
    return sorted(out, key=repr)


@pytest.mark.asyncio(loop_scope="module")
async def test_every_publish_equals_a_fresh_lint_on_the_wire(client: LanguageClient) -> None:
    """Diagnostics reused from the last publish (same object, or same line, column, message
    and fix) must go out exactly as a fresh lint's would: ranges, related places, fix data."""
    rng = random.Random(5)
    uri = "untitled:wire.recipe"
    text = MANY
    open_doc(client, uri, text)
    diags = await diagnostics_for(client, uri, 1, timeout=30)
    assert sorted(map(wire, diags), key=repr) == expected_wire(text, uri)
    version = 1
    for _ in range(40):
        # edits on a line with diagnostics (columns move), new lines (lines move), é and 𝄞
        at = rng.randint(0, len(text))
        new = rng.choice(["x", " ", "\n", "é", "𝄞", "", "\n\n"])
        end = min(len(text), at + (1 if new == "" else 0))
        version += 1
        change(client, uri, version, utf16_pos(text, at), utf16_pos(text, end), new)
        text = text[:at] + new + text[end:]
        diags = await diagnostics_for(client, uri, version, timeout=30)
        assert sorted(map(wire, diags), key=repr) == expected_wire(text, uri), (at, new)
