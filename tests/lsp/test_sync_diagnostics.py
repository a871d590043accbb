"""Document sync, pushed and pulled diagnostics, configuration."""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from recipe.runtime.lang.config import Config, apply_settings
from recipe.runtime.lang.reader import read
from recipe.server.analysis.lint import lint_document

from .helpers import (
    EXAMPLE,
    MISTAKES,
    change,
    close_doc,
    config,
    diagnostics_for,
    doc_id,
    open_doc,
    start,
    track_versions,
    workspace,
)

ROOT = workspace({
    "one.recipe": MISTAKES,
    "sub/two.recipe": EXAMPLE,
    "pyproject.toml": "[tool.recipe]\nignore = [\"N008\"]\n",
})


@pytest_lsp.fixture(scope="module", config=config())  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def, untyped-decorator]
    track_versions(lsp_client)
    lsp_client.set_configuration({"maxCost": 5.0}, section="recipe")
    await start(lsp_client, ROOT)
    yield
    await lsp_client.shutdown_session()


def uri_of(name: str) -> str:
    return (ROOT / name).as_uri()


def expected(text: str, in_workspace: bool = True) -> list[tuple[str, int, int]]:
    settings: dict[str, object] = {"max-cost": 5.0}
    if in_workspace:
        settings["ignore"] = ["N008"]  # from the workspace's pyproject.toml
    cfg = apply_settings(Config(), settings, "test")
    doc = read(text)
    result = lint_document(doc, cfg, "x.recipe")
    out = []
    for d in result.diagnostics:
        line, col = doc.utf16_position(d.start)
        out.append((d.code, line, col))
    return sorted(out)


def got(diags: list[types.Diagnostic]) -> list[tuple[str, int, int]]:
    return sorted((str(d.code), d.range.start.line, d.range.start.character)
                  for d in diags if d.source == "recipe")


@pytest.mark.asyncio(loop_scope="module")
async def test_open_publishes_diagnostics_with_codes_and_docs(client: LanguageClient) -> None:
    uri = uri_of("one.recipe")
    open_doc(client, uri, MISTAKES)
    diags = await diagnostics_for(client, uri, 1)
    assert got(diags) == expected(MISTAKES)
    codes = {d.code: d for d in diags}
    assert "N008" not in codes  # ignored by [tool.recipe] in the workspace's pyproject.toml
    n001 = codes["N001"]
    assert n001.severity == types.DiagnosticSeverity.Error
    assert n001.source == "recipe"
    assert n001.code_description is not None
    assert n001.code_description.href == "https://recipe-tools.dev/rules/N001"
    assert isinstance(n001.data, dict) and n001.data["fix"]["edits"]
    assert codes["T002"].severity == types.DiagnosticSeverity.Error
    close_doc(client, uri)


@pytest.mark.asyncio(loop_scope="module")
async def test_severity_information_and_related(client: LanguageClient) -> None:
    uri = "untitled:related.recipe"
    text = "(define (f x)\n  (let [y 1) y))\n(finish (f 1))\n"
    open_doc(client, uri, text)
    diags = await diagnostics_for(client, uri, 1)
    s002 = [d for d in diags if d.code == "S002"]
    assert s002 and s002[0].related_information
    rel = s002[0].related_information[0]
    assert rel.location.uri == uri and rel.location.range.start.line == 1
    close_doc(client, uri)


@pytest.mark.asyncio(loop_scope="module")
async def test_incremental_changes(client: LanguageClient) -> None:
    uri = "untitled:incr.recipe"
    text = "(define x 1)\n(finish x)\n"
    open_doc(client, uri, text)
    assert await diagnostics_for(client, uri, 1) == []
    # rename the reference: x → y (unbound)
    change(client, uri, 2, (1, 8), (1, 9), "y")
    diags = await diagnostics_for(client, uri, 2)
    assert [d.code for d in diags if d.code == "N001"] == ["N001"]
    # a multi-line insertion with a non-ASCII character before the error (UTF-16 columns)
    change(client, uri, 3, (0, 0), (0, 0), '(define s "é𝄞")\n')
    diags = await diagnostics_for(client, uri, 3)
    n001 = [d for d in diags if d.code == "N001"]
    assert n001 and n001[0].range.start.line == 2 and n001[0].range.start.character == 8
    change(client, uri, 4, (2, 8), (2, 9), "s")
    diags = await diagnostics_for(client, uri, 4)
    assert not [d for d in diags if d.code == "N001"]
    close_doc(client, uri)


@pytest.mark.asyncio(loop_scope="module")
async def test_rapid_changes_publish_only_the_latest(client: LanguageClient) -> None:
    uri = "untitled:rapid.recipe"
    open_doc(client, uri, "")
    await diagnostics_for(client, uri, 1)
    text = "(finish (string-append \"a\" \"b\"))\n"
    version = 1
    line_text = ""
    for ch in text.rstrip("\n"):
        version += 1
        change(client, uri, version, (0, len(line_text)), (0, len(line_text)), ch)
        line_text += ch
    diags = await diagnostics_for(client, uri, version)
    assert diags == []
    close_doc(client, uri)


@pytest.mark.asyncio(loop_scope="module")
async def test_close_clears_diagnostics(client: LanguageClient) -> None:
    uri = "untitled:close.recipe"
    open_doc(client, uri, "(finish y)\n")
    assert await diagnostics_for(client, uri, 1)
    close_doc(client, uri)
    for _ in range(200):
        if client.diagnostics.get(uri) == []:
            break
        await asyncio.sleep(0.01)
    assert not client.diagnostics[uri]
    # requests about a closed document get empty answers
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=doc_id(uri), position=types.Position(line=0, character=2)))
    assert hover is None


@pytest.mark.asyncio(loop_scope="module")
async def test_pull_diagnostics_with_result_ids(client: LanguageClient) -> None:
    uri = "untitled:pull.recipe"
    open_doc(client, uri, MISTAKES)
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=doc_id(uri)))
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert got(list(report.items)) == expected(MISTAKES, in_workspace=False)
    assert report.result_id
    again = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=doc_id(uri), previous_result_id=report.result_id))
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    change(client, uri, 2, (0, 0), (0, 0), "; edited\n")
    third = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=doc_id(uri), previous_result_id=report.result_id))
    assert isinstance(third, types.RelatedFullDocumentDiagnosticReport)
    assert third.result_id != report.result_id
    close_doc(client, uri)


@pytest.mark.asyncio(loop_scope="module")
async def test_workspace_diagnostics(client: LanguageClient) -> None:
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(
        previous_result_ids=[]))
    by_uri = {item.uri: item for item in report.items}
    assert set(by_uri) == {uri_of("one.recipe"), uri_of("sub/two.recipe")}
    one = by_uri[uri_of("one.recipe")]
    assert isinstance(one, types.WorkspaceFullDocumentDiagnosticReport)
    assert got(list(one.items)) == expected(MISTAKES)
    again = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(
        previous_result_ids=[types.PreviousResultId(uri=i.uri, value=i.result_id or "")
                             for i in report.items]))
    assert all(isinstance(i, types.WorkspaceUnchangedDocumentDiagnosticReport)
               for i in again.items)


@pytest.mark.asyncio(loop_scope="module")
async def test_configuration_changes_relint(client: LanguageClient) -> None:
    uri = uri_of("one.recipe")
    open_doc(client, uri, MISTAKES, version=10)
    diags = await diagnostics_for(client, uri, 10)
    assert any(d.code == "T002" for d in diags)
    client.set_configuration({"ignore": ["T002", "N008"], "maxCost": 5.0}, section="recipe")
    client._recipe_versions[uri] = None  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    diags = await diagnostics_for(client, uri, 10)
    assert not any(d.code == "T002" for d in diags)
    assert any(d.code == "N001" for d in diags)
    # settings pushed in the notification itself win too
    client._recipe_versions[uri] = None  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"recipe": {"select": ["N001"]}}))
    diags = await diagnostics_for(client, uri, 10)
    assert {d.code for d in diags} == {"N001"}
    client.set_configuration({"maxCost": 5.0}, section="recipe")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    close_doc(client, uri)
