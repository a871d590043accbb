"""prepareRename answers null where nothing can be renamed; rename refuses with
RequestFailed; neither logs a traceback (a refusal is not a server fault)."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from .helpers import (
    config,
    diagnostics_for,
    doc_id,
    open_doc,
    position_of,
    record_server_log,
    start,
)

URI = "untitled:refusals.recipe"
TEXT = """; a comment
(define total 42)
(define (add-one n) (+ n 1))
(define greeting "hello there")
(define results (map-async (λ (x) (llm-query-async #:instruction "Tag." #:data x #:max-tokens 5))
                           (list "a" "b")))
(finish (string-append greeting (number->string (add-one total)) context))
"""


@pytest_lsp.fixture(scope="module", config=config())  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def, untyped-decorator]
    record_server_log(lsp_client)
    await start(lsp_client)
    open_doc(lsp_client, URI, TEXT)
    await diagnostics_for(lsp_client, URI, 1)
    yield
    await lsp_client.shutdown_session()


async def prepare(client: LanguageClient, position: types.Position) -> object:
    return await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=doc_id(URI), position=position))


async def rename(client: LanguageClient, position: types.Position, new_name: str) -> object:
    return await client.text_document_rename_async(types.RenameParams(
        text_document=doc_id(URI), position=position, new_name=new_name))


NOT_RENAMEABLE = {
    "whitespace": position_of(TEXT, "  ", 1),
    "blank end of line": types.Position(line=1, character=17),
    "comment": position_of(TEXT, "a comment", 2),
    "string": position_of(TEXT, '"hello there"', 3),
    "number": position_of(TEXT, "42", 1),
    "keyword": position_of(TEXT, "#:instruction", 3),
    "builtin": position_of(TEXT, "string-append", 2),
    "protected primitive": position_of(TEXT, "map-async", 2),
    "protected variable": position_of(TEXT, "context)", 2),
    "special form": position_of(TEXT, "(define total", 2),
    "past the end": types.Position(line=40, character=0),
}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("where", list(NOT_RENAMEABLE))
async def test_prepare_rename_is_null_where_nothing_can_be_renamed(
        client: LanguageClient, where: str) -> None:
    assert await prepare(client, NOT_RENAMEABLE[where]) is None
    log = await record_server_log(client).sync(client)
    assert "Traceback" not in log and "Exception" not in log, log


@pytest.mark.asyncio(loop_scope="module")
async def test_prepare_rename_gives_the_range_of_a_user_name(client: LanguageClient) -> None:
    at = position_of(TEXT, "add-one total", 2)
    result = await prepare(client, at)
    assert isinstance(result, types.Range)
    assert result.start == position_of(TEXT, "add-one total")
    assert result.end.character - result.start.character == len("add-one")
    assert await prepare(client, types.Position(line=99, character=0)) is None


@pytest.mark.asyncio(loop_scope="module")
async def test_prepare_rename_of_an_unknown_document_is_null(client: LanguageClient) -> None:
    result = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=doc_id("untitled:never-opened.recipe"),
        position=types.Position(line=0, character=0)))
    assert result is None


@pytest.mark.asyncio(loop_scope="module")
async def test_rename_refusals_are_errors_without_tracebacks(client: LanguageClient) -> None:
    cases = [
        (position_of(TEXT, "total 42", 2), "not a name", "not a valid identifier"),
        (position_of(TEXT, "total 42", 2), "map-async", "name of the language"),
        (position_of(TEXT, "map-async", 2), "fan-out", "cannot be renamed"),
        (position_of(TEXT, "context)", 2), "ctx", "cannot be renamed"),
        (position_of(TEXT, '"hello there"', 3), "x", "Nothing to rename"),
        (types.Position(line=40, character=0), "x", "outside the document"),
    ]
    for position, new_name, message in cases:
        with pytest.raises(JsonRpcException, match=message) as raised:
            await rename(client, position, new_name)
        assert raised.value.code == -32803  # RequestFailed
    log = await record_server_log(client).sync(client)
    assert "Traceback" not in log and "Exception occurred" not in log, log
    # a rename that is allowed still works
    edit = await rename(client, position_of(TEXT, "total 42", 2), "sum")
    assert isinstance(edit, types.WorkspaceEdit) and edit.changes is not None
    assert len(edit.changes[URI]) == 2
