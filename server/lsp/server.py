"""The recipe language server (pygls 2): document sync, diagnostics, IDE features, commands.

Threading model:

* The event loop handles every message. Small requests (hover, completion, …) run on it
  directly against the cached analysis of the current document version. Requests that
  need every estimate of the file (code lenses, inlay hints) and semantic tokens run on a
  request worker, so they never hold up edits; an edit that arrives meanwhile makes them
  answer ContentModified (the client asks again).
* Diagnostics come from the document's IncrementalLinter (server/analysis/incremental.py):
  an edit re-lints only the forms linked to the forms it touched.
* Lint runs on one worker thread, debounced: a change that follows another within the
  debounce window waits for the typing to pause; an isolated keystroke is linted at once.
  Work for a version that is no longer current is skipped (before it starts) or discarded
  (when it ends).
* Workspace diagnostics and symbol indexing of unopened files run on a second worker thread.
* ``recipe.run`` runs on its own thread with its own event loop.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from recipe.runtime.lang.reader import read
from recipe.runtime.lang.syntax import Document
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.lint import LintResult, lint_document
from recipe.server.cost import total_dict

from . import actions, completion, hover, navigation, structure
from . import estimates as est
from .convert import UTF16, Positions, encoding_name, to_lsp_diagnostic
from .run import RunJob, RunRequest, RunResult, result_file
from .state import DocState, Settings, uri_to_path

log = logging.getLogger(__name__)
_PENDING_WRITES: set[asyncio.Future[Any]] = set()  # writes in flight (held, not collected)

T = TypeVar("T")
NAME = "recipe-language-server"
VERSION = "0.1.0"
RUN_SOURCE = "recipe run"
DEFAULT_DEBOUNCE = 0.08
# The cyclic garbage collector runs when no document changed for this long (see _lint_job).
IDLE_COLLECT_AFTER = 1.0
MAX_WORKSPACE_FILES = 5000


class JsonRpcRequestFailed(JsonRpcException):
    """LSP RequestFailed (-32803): a valid request the server cannot carry out (rename
    refused, already running, …); the message is meant for the user."""

    CODE = -32803
    MESSAGE = "Request Failed"


class JsonRpcServerCancelled(JsonRpcException):
    """LSP ServerCancelled (-32802): the document changed while its diagnostics were computed."""

    CODE = -32802
    MESSAGE = "Server Cancelled"


class _Ignored:
    """Stands for a message that could not be decoded (already answered with an error)."""

    jsonrpc = "invalid"


# Errors the server raises on purpose to answer a request (a refused rename, an unknown
# document, an edit that overtook the request): expected outcomes, not server faults.
EXPECTED_ERRORS = (JsonRpcRequestFailed, JsonRpcServerCancelled, JsonRpcContentModified,
                   JsonRpcInvalidParams)


class RecipeProtocol(LanguageServerProtocol):
    """Answers requests whose params cannot be decoded with InvalidParams (pygls would
    only log them, leaving the client waiting), and answers the errors the handlers raise
    on purpose (:data:`EXPECTED_ERRORS`) without logging a traceback."""

    def _send_handler_result(self, future: Any, *, msg_id: Any) -> None:
        # pygls logs every JsonRpcException a handler raises with logger.exception (a full
        # traceback on stderr) before answering with it; a refusal is not a fault.
        if not future.cancelled():
            exc = future.exception()
            if isinstance(exc, EXPECTED_ERRORS):
                self._request_futures.pop(msg_id, None)
                log.info("request %s answered with %s: %s", msg_id, type(exc).__name__, exc)
                self._send_response(msg_id, error=exc.to_response_error())
                return
        super()._send_handler_result(future, msg_id=msg_id)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        """Hands the change to the server's handler only. pygls would first apply it to a copy
        of its own, and in doing so clamp positions past a line's end in place (a position
        after the last character of a file without a final newline lands one character
        early) and split lines at U+2028, form feeds and the like, which LSP does not count:
        the server keeps the one copy of the text (DocState), with LSP's line breaks."""
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                cause = exc.__cause__
                detail = str(cause).splitlines()[0] if cause is not None else ""
                error = JsonRpcInvalidParams(f"invalid params for {data['method']}: {detail}")
                try:
                    self._send_response(data["id"], None, error.to_response_error())
                except Exception:
                    log.exception("cannot answer a malformed request")
            return _Ignored()


class RecipeLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(NAME, VERSION, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=RecipeProtocol)
        self.docs: dict[str, DocState] = {}
        self.settings = Settings()
        self.debounce = float(os.environ.get("RECIPE_LSP_DEBOUNCE_MS", DEFAULT_DEBOUNCE * 1000)) / 1000
        self.lint_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recipe-lint")
        self.background_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recipe-bg")
        self.request_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recipe-req")
        self.run_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="recipe-run")
        self.runs: dict[str, RunJob] = {}
        self.push_diagnostics = True
        self.supports_config = False
        self.supports_progress = False
        self.supports_show_document = False
        self.supports_snippets = False
        self.supports_refresh_diagnostics = False
        self.workspace_index: dict[str, tuple[float, list[tuple[str, bool, int, int]]]] = {}
        self.lint_count = 0
        # documents told once that they are not formatted while they have syntax errors (a
        # format-on-save would pop the warning up on every save)
        self.told_not_formatting: set[str] = set()
        self.idle_collect: asyncio.TimerHandle | None = None
        self.collections = 0  # idle collections run (for tests)

    # -- helpers ---------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        """The negotiated position encoding: ``utf-8``, ``utf-16`` or ``utf-32``."""
        try:
            return encoding_name(self.workspace.position_encoding)
        except Exception:
            return UTF16

    def state(self, uri: str) -> DocState | None:
        return self.docs.get(uri)

    def require(self, uri: str) -> DocState:
        st = self.docs.get(uri)
        if st is None:
            raise JsonRpcInvalidParams(f"unknown document {uri!r}: open it first")
        return st

    def folders(self) -> list[Path]:
        out: list[Path] = []
        try:
            for folder in self.workspace.folders.values():
                path = uri_to_path(folder.uri)
                if path is not None:
                    out.append(path)
            if not out and self.workspace.root_uri:
                root = uri_to_path(self.workspace.root_uri)
                if root is not None:
                    out.append(root)
        except Exception:
            pass
        return out

    def folder_of(self, path: Path | None) -> Path | None:
        if path is None:
            return None
        best: Path | None = None
        for folder in self.folders():
            try:
                path.resolve().relative_to(folder.resolve())
            except ValueError:
                continue
            if best is None or len(str(folder)) > len(str(best)):
                best = folder
        return best or path.parent

    def report_settings_errors(self) -> None:
        errors, self.settings.errors = self.settings.errors, []
        for message in dict.fromkeys(errors):
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Warning, message=f"recipe: configuration: {message}"))

    # -- diagnostics -----------------------------------------------------------------------
    def lsp_diagnostics(self, st: DocState, result: LintResult) -> list[types.Diagnostic]:
        pos = st.positions(self.encoding)
        out = [to_lsp_diagnostic(d, pos, st.uri) for d in result.diagnostics]
        return out + list(st.run_diagnostics)

    def schedule_lint(self, st: DocState, now: float | None = None) -> None:
        loop = asyncio.get_running_loop()
        now = time.monotonic() if now is None else now
        if st.pending is not None:
            st.pending.cancel()
            st.pending = None
        burst = now - st.last_change < self.debounce
        st.last_change = now
        delay = self.debounce if burst else 0.0
        version = st.version
        st.pending = loop.call_later(delay, self._start_lint, st, version)

    def _start_lint(self, st: DocState, version: int) -> None:
        st.pending = None
        if self.docs.get(st.uri) is not st or st.version != version:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.lint_pool, self._lint_job, st, version)
        future.add_done_callback(lambda f: self._lint_done(f, st, version))

    def _lint_job(self, st: DocState, version: int) -> LintResult | None:
        if st.version != version or self.docs.get(st.uri) is not st:
            return None  # stale: a newer version arrived while this waited
        self.lint_count += 1
        # What a lint keeps (the analyses a big file's next edit starts from) lives until the
        # next edits: out of the collector's generations, it is not scanned again by each young
        # collection while the user types. It creates almost no cyclic garbage; what there is
        # goes when the user pauses (_collect_when_idle: a full collection of big files costs
        # tens of milliseconds, too much between two keystrokes). Frozen before the collector
        # is on again, or the objects the lint made would be scanned first, at once.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return st.lint()
        finally:
            gc.freeze()
            if enabled:
                gc.enable()

    def _lint_done(self, future: asyncio.Future[LintResult | None], st: DocState,
                   version: int) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            log.error("lint failed: %r", exc)
            return
        result = future.result()
        if result is None or st.version != version or self.docs.get(st.uri) is not st:
            return
        self.publish(st, result)
        if self.idle_collect is not None:
            self.idle_collect.cancel()
        self.idle_collect = asyncio.get_running_loop().call_later(
            IDLE_COLLECT_AFTER, self._collect_when_idle)

    def _collect_when_idle(self) -> None:
        self.idle_collect = None
        now = time.monotonic()
        last = max((st.last_change for st in self.docs.values()), default=0.0)
        if now - last < IDLE_COLLECT_AFTER or any(st.pending is not None for st in self.docs.values()):
            self.idle_collect = asyncio.get_running_loop().call_later(
                IDLE_COLLECT_AFTER, self._collect_when_idle)
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.collections += 1

    def publish(self, st: DocState, result: LintResult) -> None:
        if not self.push_diagnostics:
            return
        st.published = st.version
        items = st.diagnostics_wire(result, self.encoding)
        items += [json.dumps(self.protocol._converter.unstructure(d), separators=(",", ":"))
                  for d in st.run_diagnostics]
        # The message is put together from each diagnostic's JSON text, kept from the last
        # publish for those an edit did not change: for a file with hundreds of diagnostics,
        # lsprotocol's converter, or even one json.dumps of the whole list, costs more than
        # the incremental lint itself.
        body = ('{"jsonrpc":"2.0","method":"' + types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
                + '","params":{"uri":' + json.dumps(st.uri) + ',"version":' + str(st.version)
                + ',"diagnostics":[' + ",".join(items) + "]}}")
        if not self.send_json_text(body):  # a pygls without the private writer: the typed way
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=st.uri, version=st.version, diagnostics=self.lsp_diagnostics(st, result)))

    def send_json_text(self, body: str) -> bool:
        """Write one JSON-RPC message already serialised (ASCII JSON), as pygls' ``_send_data``
        would. False when this pygls has no writer to write to."""
        protocol = self.protocol
        writer = getattr(protocol, "writer", None)
        if writer is None or not hasattr(protocol, "_include_headers"):
            return False
        data = body.encode("utf-8")
        if protocol._include_headers:
            data = (f"Content-Length: {len(data)}\r\n"
                    f"Content-Type: {protocol.CONTENT_TYPE}; charset={protocol.CHARSET}\r\n\r\n"
                    ).encode("ascii") + data
        result = writer.write(data)
        if inspect.isawaitable(result):
            pending = asyncio.ensure_future(result)
            _PENDING_WRITES.add(pending)
            pending.add_done_callback(_PENDING_WRITES.discard)
        return True

    def relint_all(self) -> None:
        for st in list(self.docs.values()):
            st.set_config(self.settings.config_for(st.path))
            st.last_change = 0.0
            self.schedule_lint(st)
        self.report_settings_errors()
        if self.supports_refresh_diagnostics:
            try:
                self.workspace_diagnostic_refresh(None)
            except Exception:
                pass

    async def fetch_configuration(self) -> None:
        if not self.supports_config:
            return
        try:
            scope = self.workspace.root_uri
            result = await asyncio.wait_for(self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(
                    scope_uri=scope, section="recipe")])), timeout=5)
        except Exception as exc:
            log.info("workspace/configuration failed: %r", exc)
            return
        value = result[0] if result else None
        self.settings.set_client(value if isinstance(value, dict) else {})
        self.relint_all()

    # -- analysis for requests -------------------------------------------------------------
    def analysis_for(self, uri: str) -> tuple[DocState, Analysis, Positions] | None:
        st = self.docs.get(uri)
        if st is None:
            return None
        return st, st.analysis(), st.positions(self.encoding)

    async def off_loop(self, uri: str,
                       work: Callable[[DocState, Analysis, Positions], T]) -> T | None:
        """Run a request over the document's analysis on the request worker: code lenses and
        inlay hints of a big file need every estimate (tens of ms after each edit), which
        must not hold up the event loop — edits and diagnostics keep flowing. None for an
        unknown document; ContentModified when an edit arrived meanwhile."""
        st = self.docs.get(uri)
        if st is None:
            return None
        version = st.version

        def job() -> T:
            st_, analysis, pos = self.analysis_for(uri) or (None, None, None)
            if st_ is not st or analysis is None or pos is None or st.version != version:
                raise JsonRpcContentModified()
            return work(st, analysis, pos)

        result = await asyncio.get_running_loop().run_in_executor(self.request_pool, job)
        if st.version != version or self.docs.get(uri) is not st:
            raise JsonRpcContentModified()
        return result


server = RecipeLanguageServer()


def _uri(params: Any) -> str:
    try:
        return str(params.text_document.uri)
    except AttributeError:
        raise JsonRpcInvalidParams("missing textDocument.uri") from None


def _offset_checked(pos: Positions, position: types.Position) -> int | None:
    """The offset of a request position, or None when it lies outside the document."""
    doc = pos.document
    if position.line < 0 or position.character < 0:
        return None
    if position.line >= len(doc.line_starts):
        if position.line == len(doc.line_starts) and position.character == 0:
            return len(doc.text)
        return None
    return pos.offset(position)


def _at_position(ls: RecipeLanguageServer, params: Any
                 ) -> tuple[DocState, Analysis, Positions, int] | None:
    """The document, its analysis, position codec and the offset a positional request names
    (None for an unknown document or a position outside it)."""
    found = ls.analysis_for(_uri(params))
    if found is None:
        return None
    st, analysis, pos = found
    offset = _offset_checked(pos, params.position)
    if offset is None:
        return None
    return st, analysis, pos, offset


# -- lifecycle -------------------------------------------------------------------------------
@server.feature(types.INITIALIZE)
def initialize(ls: RecipeLanguageServer, params: types.InitializeParams) -> None:
    caps = params.capabilities
    ws = caps.workspace
    ls.supports_config = bool(ws and ws.configuration)
    ls.supports_refresh_diagnostics = bool(ws and ws.diagnostics and ws.diagnostics.refresh_support)
    win = caps.window
    ls.supports_progress = bool(win and win.work_done_progress)
    ls.supports_show_document = bool(win and win.show_document and win.show_document.support)
    td = caps.text_document
    ls.supports_snippets = bool(td and td.completion and td.completion.completion_item
                                and td.completion.completion_item.snippet_support)
    pull = bool(td and td.diagnostic)
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    mode = options.get("diagnosticMode", "auto")
    ls.push_diagnostics = mode in ("push", "both") or (mode == "auto" and not pull)
    if isinstance(options.get("debounceMs"), int | float):
        ls.debounce = max(float(options["debounceMs"]), 0.0) / 1000
    if isinstance(options.get("settings"), dict):
        ls.settings.set_client(options["settings"])


@server.feature(types.INITIALIZED)
async def initialized(ls: RecipeLanguageServer, params: types.InitializedParams) -> None:
    await ls.fetch_configuration()


@server.feature(types.SHUTDOWN)
def shutdown(ls: RecipeLanguageServer, params: Any) -> None:
    for job in list(ls.runs.values()):
        job.cancel()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: RecipeLanguageServer,
                                   params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and isinstance(settings.get("recipe"), dict):
        ls.settings.set_client(settings["recipe"])
        ls.relint_all()
    elif ls.supports_config:
        await ls.fetch_configuration()
    else:
        ls.settings.invalidate()
        ls.relint_all()


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: RecipeLanguageServer,
                             params: types.DidChangeWatchedFilesParams) -> None:
    if any(c.uri.endswith(("pyproject.toml", "recipe.toml")) for c in params.changes):
        ls.settings.invalidate()
        ls.relint_all()


# -- document sync ---------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RecipeLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    config = ls.settings.config_for(uri_to_path(item.uri))
    st = DocState(item.uri, item.version, item.text, config)
    ls.docs[item.uri] = st
    ls.report_settings_errors()
    ls.schedule_lint(st, now=0.0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RecipeLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    st = ls.docs.get(uri)
    if st is None:
        return
    with st.lock:
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                pos = st.positions(ls.encoding)
                start, end = pos.span(change.range)
                st.apply_change(start, end, change.text)
            else:
                st.replace(change.text)
        st.version = params.text_document.version if params.text_document.version is not None \
            else st.version + 1
        st.run_diagnostics = []
    ls.schedule_lint(st)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RecipeLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    return None


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: RecipeLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    st = ls.docs.pop(params.text_document.uri, None)
    if st is not None and st.pending is not None:
        st.pending.cancel()
    if ls.push_diagnostics:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=params.text_document.uri, diagnostics=[]))


# -- pull diagnostics --------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
    identifier="recipe", inter_file_dependencies=False, workspace_diagnostics=True))
async def document_diagnostic(ls: RecipeLanguageServer,
                              params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    uri = _uri(params)
    st = ls.docs.get(uri)
    if st is None:
        path = uri_to_path(uri)
        if path is None or not path.is_file():
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        items = await asyncio.get_running_loop().run_in_executor(
            ls.background_pool, _file_diagnostics, ls, path, uri)
        return types.RelatedFullDocumentDiagnosticReport(items=items)
    version = st.version
    result_id = f"{version}:{id(st.document)}"
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    result = st.cached_lint()
    if result is None:
        result = await asyncio.get_running_loop().run_in_executor(ls.lint_pool, st.lint)
    if st.version != version:
        raise JsonRpcServerCancelled()
    return types.RelatedFullDocumentDiagnosticReport(items=ls.lsp_diagnostics(st, result),
                                                     result_id=result_id)




def _file_diagnostics(ls: RecipeLanguageServer, path: Path, uri: str) -> list[types.Diagnostic]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    doc = read(text)
    config = ls.settings.config_for(path)
    result = lint_document(doc, config, str(path))
    pos = Positions(doc, ls.encoding)
    return [to_lsp_diagnostic(d, pos, uri) for d in result.diagnostics]


def workspace_files(ls: RecipeLanguageServer) -> list[Path]:
    out: list[Path] = []
    for folder in ls.folders():
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in (
                "node_modules", "__pycache__", "venv", ".venv")]
            for name in filenames:
                if name.endswith(".recipe"):
                    out.append(Path(dirpath) / name)
                    if len(out) >= MAX_WORKSPACE_FILES:
                        return out
    return out


@server.feature(types.WORKSPACE_DIAGNOSTIC)
async def workspace_diagnostic(ls: RecipeLanguageServer,
                               params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
    previous = {p.uri: p.value for p in params.previous_result_ids or []}
    loop = asyncio.get_running_loop()
    files = await loop.run_in_executor(ls.background_pool, workspace_files, ls)
    items: list[types.WorkspaceDocumentDiagnosticReport] = []
    for path in files:
        uri = path.resolve().as_uri()
        st = ls.docs.get(uri)
        if st is not None:
            result_id = f"{st.version}:{id(st.document)}"
            if previous.get(uri) == result_id:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(
                    uri=uri, result_id=result_id, version=st.version))
                continue
            version = st.version
            cached = st.cached_lint()
            result = cached if cached is not None else \
                await loop.run_in_executor(ls.lint_pool, st.lint)
            items.append(types.WorkspaceFullDocumentDiagnosticReport(
                uri=uri, items=ls.lsp_diagnostics(st, result), version=version,
                result_id=result_id))
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        result_id = f"disk:{stat.st_mtime_ns}:{stat.st_size}"
        if previous.get(uri) == result_id:
            items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(
                uri=uri, result_id=result_id, version=None))
            continue
        diags = await loop.run_in_executor(ls.background_pool, _file_diagnostics, ls, path, uri)
        items.append(types.WorkspaceFullDocumentDiagnosticReport(
            uri=uri, items=diags, version=None, result_id=result_id))
    return types.WorkspaceDiagnosticReport(items=items)


# -- hover, completion, signature help --------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: RecipeLanguageServer, params: types.HoverParams) -> types.Hover | None:
    at = _at_position(ls, params)
    if at is None:
        return None
    _st, analysis, pos, offset = at
    result = hover.hover_markdown(analysis, offset)
    if result is None:
        return None
    text, (start, end) = result
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=pos.range(start, end))


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(
    trigger_characters=["(", "[", ":", '"'], resolve_provider=True))
def on_completion(ls: RecipeLanguageServer,
                  params: types.CompletionParams) -> types.CompletionList | None:
    found = ls.analysis_for(_uri(params))
    if found is None:
        return None
    _st, analysis, pos = found
    offset = _offset_checked(pos, params.position)
    if offset is None:
        return types.CompletionList(is_incomplete=False, items=[])
    return completion.complete(analysis, pos, offset, snippets=ls.supports_snippets)


@server.feature(types.COMPLETION_ITEM_RESOLVE)
def on_completion_resolve(ls: RecipeLanguageServer,
                          item: types.CompletionItem) -> types.CompletionItem:
    return completion.resolve(item)


@server.feature(types.TEXT_DOCUMENT_SIGNATURE_HELP, types.SignatureHelpOptions(
    trigger_characters=[" ", "("], retrigger_characters=[" "]))
def on_signature_help(ls: RecipeLanguageServer,
                      params: types.SignatureHelpParams) -> types.SignatureHelp | None:
    at = _at_position(ls, params)
    if at is None:
        return None
    _st, analysis, _pos, offset = at
    return navigation.signature_help(analysis, offset)


# -- navigation ------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: RecipeLanguageServer,
                  params: types.DefinitionParams) -> types.Location | None:
    at = _at_position(ls, params)
    if at is None:
        return None
    st, analysis, pos, offset = at
    return navigation.definition(analysis, pos, st.uri, offset)


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: RecipeLanguageServer,
                  params: types.ReferenceParams) -> list[types.Location] | None:
    found = ls.analysis_for(_uri(params))
    if found is None:
        return None
    st, analysis, pos = found
    offset = _offset_checked(pos, params.position)
    if offset is None:
        return []
    include = bool(params.context.include_declaration) if params.context else True
    return navigation.references(analysis, pos, st.uri, offset, include)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
def on_highlight(ls: RecipeLanguageServer,
                 params: types.DocumentHighlightParams) -> list[types.DocumentHighlight] | None:
    found = ls.analysis_for(_uri(params))
    if found is None:
        return None
    _st, analysis, pos = found
    offset = _offset_checked(pos, params.position)
    if offset is None:
        return []
    return navigation.highlights(analysis, pos, offset)


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def on_prepare_rename(ls: RecipeLanguageServer,
                      params: types.PrepareRenameParams) -> types.Range | None:
    # null, not an error, where nothing can be renamed (whitespace, a string, a number, a
    # name of the language, an unknown document): the LSP's answer for "not renameable
    # here". textDocument/rename still explains its refusals with RequestFailed.
    at = _at_position(ls, params)
    if at is None:
        return None
    _st, analysis, pos, offset = at
    try:
        atom, _ = navigation.prepare_rename(analysis, offset)
    except navigation.RenameError:
        return None
    return pos.range(atom.start, atom.end)


@server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
def on_rename(ls: RecipeLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    st, analysis, pos = _need(ls, params)
    offset = _offset_checked(pos, params.position)
    if offset is None:
        raise JsonRpcRequestFailed("position outside the document")
    try:
        return navigation.rename(analysis, pos, st.uri, offset, params.new_name)
    except navigation.RenameError as exc:
        raise JsonRpcRequestFailed(str(exc)) from None


def _need(ls: RecipeLanguageServer, params: Any) -> tuple[DocState, Analysis, Positions]:
    uri = _uri(params)
    found = ls.analysis_for(uri)
    if found is None:
        raise JsonRpcInvalidParams(f"unknown document {uri!r}: open it first")
    return found


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_document_symbol(ls: RecipeLanguageServer,
                       params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
    st = ls.state(_uri(params))
    if st is None:
        return None
    return navigation.document_symbols(st.document, st.positions(ls.encoding))


def _index_file(path: Path) -> list[tuple[str, bool, int, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    doc = read(text)
    return [(name, is_fn, *doc.position(atom.start)) for name, is_fn, _, atom in
            navigation.top_level_names(doc)]


def _workspace_symbols(ls: RecipeLanguageServer, query: str) -> list[types.WorkspaceSymbol]:
    q = query.lower()
    out: list[types.WorkspaceSymbol] = []
    open_uris = set(ls.docs)
    for st in list(ls.docs.values()):
        doc: Document = st.document
        pos = Positions(doc, ls.encoding)
        for name, is_fn, _form, atom in navigation.top_level_names(doc):
            if _matches(q, name):
                out.append(types.WorkspaceSymbol(
                    name=name, kind=types.SymbolKind.Function if is_fn else types.SymbolKind.Variable,
                    location=types.Location(uri=st.uri, range=pos.range(atom.start, atom.end))))
    for path in workspace_files(ls):
        uri = path.resolve().as_uri()
        if uri in open_uris:
            continue
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        cached = ls.workspace_index.get(uri)
        if cached is None or cached[0] != mtime:
            cached = (mtime, _index_file(path))
            ls.workspace_index[uri] = cached
        for name, is_fn, line, col in cached[1]:
            if _matches(q, name):
                p = types.Position(line=line, character=col)
                out.append(types.WorkspaceSymbol(
                    name=name, kind=types.SymbolKind.Function if is_fn else types.SymbolKind.Variable,
                    location=types.Location(uri=uri, range=types.Range(
                        start=p, end=types.Position(line=line, character=col + len(name))))))
    return out[:1000]


def _matches(query: str, name: str) -> bool:
    if not query:
        return True
    lowered = name.lower()
    if query in lowered:
        return True
    i = 0
    for ch in lowered:  # subsequence ("mapas" → map-async)
        if i < len(query) and ch == query[i]:
            i += 1
    return i == len(query)


@server.feature(types.WORKSPACE_SYMBOL)
async def on_workspace_symbol(ls: RecipeLanguageServer,
                              params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
    return await asyncio.get_running_loop().run_in_executor(
        ls.background_pool, _workspace_symbols, ls, params.query or "")


# -- structure -------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, structure.LEGEND)
async def on_semantic_tokens(ls: RecipeLanguageServer,
                             params: types.SemanticTokensParams) -> types.SemanticTokens | None:
    return await ls.off_loop(_uri(params), lambda st, analysis, pos:
                             types.SemanticTokens(data=structure.semantic_tokens(analysis, pos)))


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
def on_folding(ls: RecipeLanguageServer,
               params: types.FoldingRangeParams) -> list[types.FoldingRange] | None:
    st = ls.state(_uri(params))
    if st is None:
        return None
    return structure.folding_ranges(st.document)


@server.feature(types.TEXT_DOCUMENT_SELECTION_RANGE)
def on_selection_range(ls: RecipeLanguageServer,
                       params: types.SelectionRangeParams) -> list[types.SelectionRange] | None:
    st = ls.state(_uri(params))
    if st is None:
        return None
    pos = st.positions(ls.encoding)
    out = []
    for position in params.positions:
        offset = _offset_checked(pos, position)
        if offset is None:
            offset = pos.offset(position)
        out.append(structure.selection_range(st.document, pos, offset))
    return out


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: RecipeLanguageServer,
                  params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    from recipe.server.format import format_text

    st = ls.state(_uri(params))
    if st is None:
        return None
    text = st.document.text
    if st.document.errors:
        message = "recipe: not formatting: the document has syntax errors"
        if st.uri in ls.told_not_formatting:
            ls.window_log_message(types.LogMessageParams(type=types.MessageType.Info,
                                                         message=message))
        else:
            ls.told_not_formatting.add(st.uri)
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                           message=message))
        return []
    ls.told_not_formatting.discard(st.uri)
    try:
        formatted = format_text(text)
    except RecursionError:
        ls.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Warning,
            message="recipe: not formatting: the document nests lists too deeply"))
        return []
    if formatted == text:
        return []
    pos = st.positions(ls.encoding)
    return [types.TextEdit(range=pos.range(0, len(text)), new_text=formatted)]


# -- actions, lenses, hints ------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]))
async def on_code_action(ls: RecipeLanguageServer,
                         params: types.CodeActionParams) -> list[types.CodeAction] | None:
    found = ls.analysis_for(_uri(params))
    if found is None:
        return None
    st, analysis, pos = found
    result = st.cached_lint()
    if result is None:
        version = st.version
        result = await asyncio.get_running_loop().run_in_executor(ls.lint_pool, st.lint)
        if st.version != version:
            return []
    start, end = pos.span(params.range)
    only = list(params.context.only) if params.context and params.context.only else None
    return actions.code_actions(analysis, result, pos, st.uri, start, end, only)


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
async def on_code_lens(ls: RecipeLanguageServer,
                       params: types.CodeLensParams) -> list[types.CodeLens] | None:
    return await ls.off_loop(_uri(params), lambda st, analysis, pos:
                             actions.code_lenses(analysis, pos, st.uri))


@server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
async def on_inlay_hint(ls: RecipeLanguageServer,
                        params: types.InlayHintParams) -> list[types.InlayHint] | None:
    def hints(st: DocState, analysis: Analysis, pos: Positions) -> list[types.InlayHint]:
        start, end = pos.span(params.range)
        return actions.inlay_hints(analysis, pos, start, end)

    return await ls.off_loop(_uri(params), hints)


# -- commands ----------------------------------------------------------------------------------
def _command_uri(ls: RecipeLanguageServer, args: tuple[Any, ...]) -> str:
    if not args:
        raise JsonRpcInvalidParams("expected the document URI as the first argument")
    first = args[0]
    if isinstance(first, dict):
        first = first.get("uri") or (first.get("textDocument") or {}).get("uri")
    if not isinstance(first, str):
        raise JsonRpcInvalidParams("expected the document URI as the first argument")
    return first


def _load(ls: RecipeLanguageServer, uri: str) -> tuple[Document, Path | None, str]:
    st = ls.docs.get(uri)
    path = uri_to_path(uri)
    if st is not None:
        return read(st.document.text), path, st.filename
    if path is None or not path.is_file():
        raise JsonRpcInvalidParams(f"unknown document {uri!r}")
    try:
        return read(path.read_text(encoding="utf-8")), path, str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise JsonRpcRequestFailed(f"cannot read {path}: {exc}") from None


@server.command(actions.ESTIMATE_COMMAND)
async def estimate_cost(ls: RecipeLanguageServer, *args: Any) -> dict[str, Any]:
    uri = _command_uri(ls, args)
    doc, path, filename = _load(ls, uri)
    config = ls.settings.config_for(path)

    def work() -> dict[str, Any]:
        # The figures of `recipe cost FILE`: the table, and its total (JSON as `--format json`
        # gives it). total_usd_low/high sum what can be priced; `complete` says whether that
        # is every call (else `unpriced_sites` were left out).
        analysis = Analysis(doc, config, filename)
        total = analysis.estimates.total()
        return {"table": est.cost_table(analysis),
                "total_usd_low": round(total.known_low, 6),
                "total_usd_high": round(total.known_high, 6),
                "complete": total.complete, "unpriced_sites": len(total.unknown),
                "latency_s": round(total.latency_s, 1) if total.latency_s is not None else None,
                "llm_calls": total.calls, "total": total_dict(total)}

    return await asyncio.get_running_loop().run_in_executor(ls.background_pool, work)


@server.command("recipe.cancelRun")
def cancel_run(ls: RecipeLanguageServer, *args: Any) -> bool:
    uri = _command_uri(ls, args)
    job = ls.runs.get(uri)
    if job is None:
        return False
    job.cancel()
    return True


@server.command(actions.RUN_COMMAND)
async def run_command(ls: RecipeLanguageServer, *args: Any) -> dict[str, Any]:
    uri = _command_uri(ls, args)
    options = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    doc, path, filename = _load(ls, uri)
    if uri in ls.runs:
        raise JsonRpcRequestFailed("this recipe is already running (recipe.cancelRun stops it)")
    config = ls.settings.config_for(path)
    if doc.errors:
        issue = doc.errors[0]
        line, col = doc.position(issue.start)
        return {"result": None, "exit_code": 1, "usage": {},
                "error": f"{filename}:{line + 1}:{col + 1}: {issue.message} [{issue.code}]"}
    context = options.get("context", "")
    named = options.get("contexts") if isinstance(options.get("contexts"), dict) else {}
    job = RunJob(RunRequest(uri, doc, filename, path, config, context, dict(named or {})))
    ls.runs[uri] = job
    loop = asyncio.get_running_loop()
    token = f"recipe.run/{uuid.uuid4()}"
    progress = False
    if ls.supports_progress:
        try:
            await asyncio.wait_for(ls.work_done_progress.create_async(token), timeout=5)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title=f"Running {Path(filename).name}", cancellable=True, percentage=0,
                message="starting"))
            progress = True
            cancel_future = ls.work_done_progress.tokens.get(token)
            if cancel_future is not None:
                cancel_future.add_done_callback(lambda f: job.cancel() if f.cancelled() else None)
        except Exception as exc:
            log.info("work done progress unavailable: %r", exc)

    def emit(message: str, percentage: int | None) -> None:
        if progress:
            ls.work_done_progress.report(token, types.WorkDoneProgressReport(
                message=message, percentage=percentage, cancellable=True))

    from .run import ProgressSink

    job.sink_ref[0] = ProgressSink(loop, emit, job.cost)
    future = loop.run_in_executor(ls.run_pool, job.run)
    try:
        result: RunResult = await asyncio.shield(future)
    except asyncio.CancelledError:
        job.cancel()
        await asyncio.wait([future], timeout=10)
        raise
    finally:
        ls.runs.pop(uri, None)
        if progress:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))
            ls.work_done_progress.tokens.pop(token, None)
    _after_run(ls, uri, doc, path, result)
    return result.as_json()


def _after_run(ls: RecipeLanguageServer, uri: str, doc: Document, path: Path | None,
               result: RunResult) -> None:
    st = ls.docs.get(uri)
    if st is not None:
        diags: list[types.Diagnostic] = []
        if result.error is not None and not result.cancelled and st.document.text == doc.text:
            line, col = result.error_location or (0, 0)
            start = doc.offset_at(line, col)
            chain = doc.node_at(start)
            end = chain[-1].end if chain else min(start + 1, len(doc.text))
            first_line = result.error.splitlines()[0] if result.error else "run failed"
            diags.append(types.Diagnostic(
                range=st.positions(ls.encoding).range(start, max(end, start)),
                message=result.error or first_line, severity=types.DiagnosticSeverity.Error,
                source=RUN_SOURCE, code=f"exit {result.exit_code}"))
        st.run_diagnostics = diags
        cached = st.cached_lint()
        if cached is not None:
            ls.publish(st, cached)
        else:
            ls.schedule_lint(st)
    folders = ls.folders()
    folder = ls.folder_of(path) if path is not None else (folders[0] if folders else None)
    written: Path | None = None
    if folder is not None and not result.cancelled:
        try:
            written = result_file(folder, path.stem if path is not None else "untitled", result)
        except OSError as exc:
            log.warning("cannot write the run result: %r", exc)
    cost = result.usage.get("cost-usd", result.usage.get("cost_usd", result.usage.get("cost")))
    cost_text = f" · ${float(cost):.4f}" if isinstance(cost, int | float) else ""
    if result.cancelled:
        message, mtype = "recipe: run cancelled", types.MessageType.Warning
    elif result.exit_code == 0:
        message, mtype = f"recipe: run finished in {result.seconds:.1f} s{cost_text}", \
            types.MessageType.Info
    else:
        first = (result.error or "").splitlines()[0] if result.error else ""
        message, mtype = f"recipe: run failed (exit {result.exit_code}): {first}", \
            types.MessageType.Error
    if written is not None:
        message += f" → {written}"
    ls.window_show_message(types.ShowMessageParams(type=mtype, message=message))
    if written is not None and ls.supports_show_document:
        try:
            ls.window_show_document(types.ShowDocumentParams(
                uri=written.resolve().as_uri(), take_focus=False), callback=lambda *_: None)
        except Exception as exc:
            log.info("showDocument failed: %r", exc)
