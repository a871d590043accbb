"""Shared pieces of the language-server tests: the server command, example recipes, helpers."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER_COMMAND = [sys.executable, "-m", "recipe.server", "serve"]


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.setdefault("RECIPE_LSP_DEBOUNCE_MS", "30")
    env.update(extra)
    return env


def config(**extra: str) -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(**extra))


def workspace(files: dict[str, str]) -> Path:
    """A temporary workspace folder with the given files (kept for the test session)."""
    root = Path(tempfile.mkdtemp(prefix="recipe-lsp-"))
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def capabilities(pull: bool = False) -> types.ClientCapabilities:
    """A VS Code-like client: snippets, configuration, progress, showDocument."""
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            workspace_folders=True,
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True),
        ),
        text_document=types.TextDocumentClientCapabilities(
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    snippet_support=True,
                    documentation_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText])),
            signature_help=types.SignatureHelpClientCapabilities(
                signature_information=types.ClientSignatureInformationOptions(
                    documentation_format=[types.MarkupKind.Markdown],
                    parameter_information=types.ClientSignatureParameterInformationOptions(
                        label_offset_support=True))),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True, code_description_support=True, data_support=True,
                version_support=True),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=[
                        types.CodeActionKind.QuickFix, types.CodeActionKind.Source]))),
        ),
        window=types.WindowClientCapabilities(
            work_done_progress=True,
            show_document=types.ShowDocumentClientCapabilities(support=True)),
    )


async def start(client: LanguageClient, root: Path | None = None, pull: bool = False,
                options: dict[str, Any] | None = None) -> None:
    folders = [types.WorkspaceFolder(uri=root.as_uri(), name="ws")] if root else None
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities(pull), root_uri=root.as_uri() if root else None,
        workspace_folders=folders, initialization_options=options))


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="recipe", version=version,
                                             text=text)))


def close_doc(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


def change(client: LanguageClient, uri: str, version: int, start: tuple[int, int],
           end: tuple[int, int], text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=start[0], character=start[1]),
                              end=types.Position(line=end[0], character=end[1])),
            text=text)]))


def track_versions(client: LanguageClient) -> dict[str, int | None]:
    """Record the version of every publishDiagnostics (the stock client keeps only the items)."""
    versions: dict[str, int | None] | None = getattr(client, "_recipe_versions", None)
    if versions is not None:
        return versions
    versions = {}
    client._recipe_versions = versions  # type: ignore[attr-defined]
    features = client.protocol.fm.features
    original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def publish(params: types.PublishDiagnosticsParams) -> None:
        original(params)
        versions[params.uri] = params.version

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    return versions


async def diagnostics_for(client: LanguageClient, uri: str, version: int,
                          timeout: float = 10.0) -> list[types.Diagnostic]:
    """Wait until the server has published diagnostics of ``uri`` at ``version``."""
    versions = track_versions(client)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while versions.get(uri) != version:
        if loop.time() > deadline:
            raise TimeoutError(f"no diagnostics for {uri} v{version} (last: v{versions.get(uri)})")
        await asyncio.sleep(0.005)
    return list(client.diagnostics.get(uri, []))


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def position_of(text: str, needle: str, delta: int = 0, occurrence: int = 0) -> types.Position:
    """The position of the ``occurrence``-th ``needle`` in ``text`` (+ ``delta`` characters)."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    at += delta
    line = text.count("\n", 0, at)
    col = at - (text.rfind("\n", 0, at) + 1)
    return types.Position(line=line, character=col)


EXAMPLE = '''; Summarise every document, then combine the summaries.
(define docs (list "alpha" "beta" "gamma" "delta" "epsilon" "zeta" "eta" "theta" "iota"
                   "kappa" "lambda" "mu"))

;; Ask the cheap model for one summary.
(define (summarise doc)
  (llm-query-async #:instruction "Summarise this document in one sentence."
                   #:data doc
                   #:model "gpt-4.1-nano"
                   #:max-tokens 100))

(define summaries (map-async summarise docs #:max-concurrent 4))

(define answer
  (syntax-e (llm-query #:instruction "Combine these summaries into one paragraph."
                       #:data (string-join summaries "\\n")
                       #:model "gpt-4.1"
                       #:max-tokens 400)))

(finish answer)
'''

MISTAKES = '''(define (ask q)
  (llm-querry #:instruction "Answer." #:data q))
(define unused 42)
(define x (llm-query #:instruction "Say hi" #:model "gpt-4.1-nano" #:temperature 3))
(finish (string-append "answer: " x))
'''


class ServerLog:
    """The server's stderr (its log: ``recipe-lsp LEVEL logger: message`` and any
    traceback), recorded line by line while still forwarded to the test's stderr."""

    MARKER = "recipe/logMarker"

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.markers = 0
        self.synced = 0  # lines read by the last sync

    @property
    def text(self) -> str:
        return "".join(self.lines)

    async def sync(self, client: LanguageClient, timeout: float = 10.0) -> str:
        """What the server logged since the previous sync, up to now. The server logs a
        warning naming an unknown notification once it has handled every earlier message;
        when that line has been read, so has all earlier output (one pipe, in order)."""
        self.markers += 1
        client.protocol.notify(self.MARKER, {})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while sum(self.MARKER in line for line in self.lines) < self.markers:
            if loop.time() > deadline:
                raise TimeoutError("the server did not log the marker notification")
            await asyncio.sleep(0.01)
        since, self.synced = self.synced, len(self.lines)
        return "".join(self.lines[since:])


def record_server_log(client: LanguageClient) -> ServerLog:
    """Record the server's stderr (pytest-lsp only forwards it). Call once the client is
    started."""
    found: ServerLog | None = getattr(client, "_recipe_log", None)
    if found is not None:
        return found
    record = ServerLog()
    client._recipe_log = record  # type: ignore[attr-defined]
    process = client._server
    assert process is not None and process.stderr is not None
    forwarder = client._stderr_forwarder
    if forwarder is not None:
        forwarder.cancel()

    async def read() -> None:
        while (line := await process.stderr.readline()) != b"":
            text = line.decode("utf-8", "replace")
            record.lines.append(text)
            sys.stderr.write(text)

    client._stderr_forwarder = asyncio.ensure_future(read())
    return record
