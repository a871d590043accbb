"""recipe.estimateCost and recipe.run through the protocol (simulated provider)."""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from .helpers import EXAMPLE, config, diagnostics_for, open_doc, start, track_versions, workspace

ROOT = workspace({
    "example.recipe": EXAMPLE,
    "fails.recipe": '(define x 1)\n(define y (+ x "two"))\n(finish y)\n',
    "slow.recipe": "(sleep 30)\n(finish \"late\")\n",
    "disk.recipe": '(finish (string-append "on " "disk"))\n',
})


def uri_of(name: str) -> str:
    return (ROOT / name).as_uri()


@pytest_lsp.fixture(scope="module", config=config())  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def, untyped-decorator]
    track_versions(lsp_client)
    await start(lsp_client, ROOT)
    yield
    await lsp_client.shutdown_session()


async def execute(client: LanguageClient, command: str, *args: object) -> object:
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=command, arguments=list(args)))


@pytest.mark.asyncio(loop_scope="module")
async def test_estimate_cost(client: LanguageClient) -> None:
    uri = uri_of("example.recipe")
    open_doc(client, uri, EXAMPLE)
    result = await execute(client, "recipe.estimateCost", uri)
    assert isinstance(result, dict)
    assert "gpt-4.1-nano" in result["table"]
    # no context size in this workspace: the fan-out over literal strings is priced by their
    # size, the synthesis's input is not known (as `recipe cost` says): its row gives the
    # figures per 1,000 input tokens
    assert result["complete"] is False and result["unpriced_sites"] == 1
    assert 0 < result["total_usd_low"] < result["total_usd_high"]
    assert result["llm_calls"] == 13 and result["latency_s"] > 0
    assert "/1k in" in result["table"]


@pytest.mark.asyncio(loop_scope="module")
async def test_run_reports_progress_writes_and_shows_the_result(client: LanguageClient) -> None:
    uri = uri_of("example.recipe")
    open_doc(client, uri, EXAMPLE)
    before = len(client.messages)
    result = await execute(client, "recipe.run", uri)
    assert isinstance(result, dict)
    assert result["exit_code"] == 0
    assert isinstance(result["result"], str) and result["result"]
    assert result["usage"]["calls"] == 13
    files = list((ROOT / ".recipe" / "results").glob("example-*.txt"))
    assert files and result["result"] in files[0].read_text(encoding="utf-8")
    assert client.shown_documents and client.shown_documents[-1].uri == files[0].resolve().as_uri()
    assert any("run finished" in m.message for m in client.messages[before:])
    reports = [r for token, values in client.progress_reports.items()
               if str(token).startswith("recipe.run/") for r in values]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
    assert any(isinstance(r, types.WorkDoneProgressReport) and "12/12" in (r.message or "")
               and "$" in (r.message or "") for r in reports)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)


@pytest.mark.asyncio(loop_scope="module")
async def test_run_of_an_unopened_file(client: LanguageClient) -> None:
    result = await execute(client, "recipe.run", uri_of("disk.recipe"))
    assert isinstance(result, dict) and result["result"] == "on disk"


@pytest.mark.asyncio(loop_scope="module")
async def test_run_error_becomes_a_diagnostic(client: LanguageClient) -> None:
    uri = uri_of("fails.recipe")
    text = (ROOT / "fails.recipe").read_text(encoding="utf-8")
    open_doc(client, uri, text)
    await diagnostics_for(client, uri, 1)
    result = await execute(client, "recipe.run", uri)
    assert isinstance(result, dict) and result["exit_code"] != 0 and result["result"] is None
    for _ in range(200):
        run_diags = [d for d in client.diagnostics.get(uri, []) if d.source == "recipe run"]
        if run_diags:
            break
        await asyncio.sleep(0.01)
    assert run_diags and run_diags[0].range.start.line == 1
    assert run_diags[0].severity == types.DiagnosticSeverity.Error


@pytest.mark.asyncio(loop_scope="module")
async def test_run_can_be_cancelled(client: LanguageClient) -> None:
    uri = uri_of("slow.recipe")
    task = asyncio.ensure_future(execute(client, "recipe.run", uri))
    await asyncio.sleep(1.0)
    assert await execute(client, "recipe.cancelRun", uri) is True
    result = await asyncio.wait_for(task, 15)
    assert isinstance(result, dict) and result["exit_code"] == 130 and result.get("cancelled")


@pytest.mark.asyncio(loop_scope="module")
async def test_command_errors(client: LanguageClient) -> None:
    with pytest.raises(Exception, match="URI"):
        await execute(client, "recipe.run")
    with pytest.raises(Exception, match="unknown document"):
        await execute(client, "recipe.run", "file:///nowhere/missing.recipe")
    with pytest.raises(JsonRpcException):
        await execute(client, "recipe.estimateCost", 42)
    with pytest.raises(JsonRpcException):
        await execute(client, "recipe.noSuchCommand", "x")
