"""The ``recipe.run`` command: run a document with the runtime inside the server process.

The run happens on its own thread with its own event loop, so a long run never blocks the
server. Progress (each fan-out's done/total and the cost so far) is reported as LSP work-done
progress; the client can cancel it (the progress's cancel button, ``$/cancelRequest`` of the
command, or the ``recipe.cancelRun`` command).
"""

from __future__ import annotations

import asyncio
import io
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipe.runtime.lang.config import Config
from recipe.runtime.lang.syntax import Document

EXIT_CANCELLED = 130
_LOCATION = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<col>\d+)$")


@dataclass
class RunRequest:
    uri: str
    document: Document
    filename: str
    path: Path | None
    config: Config
    context: object = ""
    named_contexts: dict[str, object] = field(default_factory=dict)


@dataclass
class RunResult:
    text: str | None
    exit_code: int
    usage: dict[str, Any]
    output: str = ""
    error: str | None = None
    error_location: tuple[int, int] | None = None  # 0-based line, col (code points)
    cancelled: bool = False
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"result": self.text, "exit_code": self.exit_code,
                               "usage": self.usage}
        if self.output:
            out["output"] = self.output
        if self.error is not None:
            out["error"] = self.error
        if self.cancelled:
            out["cancelled"] = True
        return out


class ProgressSink:
    """Receives progress from run threads; ``emit(message, percentage)`` is called on the
    server's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop,
                 emit: Callable[[str, int | None], None], cost: Callable[[], float]) -> None:
        self.loop = loop
        self.emit = emit
        self.cost = cost
        self._last = 0.0
        self._lock = threading.Lock()

    def update(self, label: str, done: int, total: int | None, force: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if not force and now - self._last < 0.1 and (total is None or done < total):
                return
            self._last = now
        try:
            cost = self.cost()
        except Exception:
            cost = 0.0
        pct = int(100 * done / total) if total else None
        text = f"{label}: {done}/{total if total is not None else '?'} · ${cost:.4f} so far"
        try:
            self.loop.call_soon_threadsafe(self.emit, text, pct)
        except RuntimeError:
            pass  # the server loop is closed


def _make_services(req: RunRequest, sink_ref: list[ProgressSink | None]) -> Any:
    from recipe.runtime.engine.providers import make_provider
    from recipe.runtime.engine.services import FanOutProgress
    from recipe.runtime.engine.session import RunServices
    from recipe.runtime.engine.store import SQLiteStore, store_path

    class _Fan(FanOutProgress):  # type: ignore[misc]
        def __init__(self, label: str, total: int | None) -> None:
            self.label = label
            self.total = total
            self.done = 0

        def item_started(self) -> None:
            pass

        def item_done(self) -> None:
            self.done += 1
            sink = sink_ref[0]
            if sink is not None:
                sink.update(self.label, self.done, self.total)

        def close(self) -> None:
            sink = sink_ref[0]
            if sink is not None:
                sink.update(self.label, self.done, self.total, force=True)

    class LspRunServices(RunServices):  # type: ignore[misc]
        def fan_out(self, site: str, total: int | None, label: str) -> FanOutProgress:
            return _Fan(f"{label} {site}".strip(), total)

    config = req.config
    provider = make_provider(config.provider, timeout=config.timeout,
                             max_connections=max(config.max_concurrent, 10), models=config.models)
    store: Any
    if req.path is not None and req.path.exists():
        try:
            target = store_path(req.path, config.store_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            store = SQLiteStore(target)
        except Exception:
            store = SQLiteStore(":memory:")
    else:
        store = SQLiteStore(":memory:")
    run_dir = req.path.parent if req.path is not None else Path.cwd()
    return LspRunServices(provider=provider, config=config, stdout=io.StringIO(), store=store,
                          progress=False, run_dir=run_dir, context=req.context)


def parse_location(location: str | None) -> tuple[int, int] | None:
    if not location:
        return None
    m = _LOCATION.match(location.strip())
    if m is None:
        return None
    return max(int(m.group("line")) - 1, 0), max(int(m.group("col")) - 1, 0)


class RunJob:
    """One run on its own thread and loop; :meth:`cancel` may be called from any thread."""

    def __init__(self, req: RunRequest) -> None:
        self.req = req
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._cancelled = threading.Event()
        self.sink_ref: list[ProgressSink | None] = [None]
        self.services: Any = None

    def cancel(self) -> None:
        self._cancelled.set()
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:
                pass

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cost(self) -> float:
        try:
            return float(self.services.scheduler.stats.totals.cost_usd)
        except Exception:
            return 0.0

    def run(self) -> RunResult:
        """Blocking: run the recipe to its end (call on a worker thread)."""
        start = time.monotonic()
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            result = loop.run_until_complete(self._main())
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
        result.seconds = time.monotonic() - start
        return result

    async def _main(self) -> RunResult:
        from recipe.runtime.engine.evaluator import run_recipe

        req = self.req
        try:
            self.services = _make_services(req, self.sink_ref)
        except Exception as exc:
            return RunResult(None, 2, {}, error=f"cannot start the run: {exc}")
        services = self.services
        self._task = asyncio.current_task()
        if self._cancelled.is_set():
            self._task.cancel() if self._task else None
        outcome: Any = None
        error: BaseException | None = None
        cancelled = False
        try:
            outcome = await run_recipe(req.document, req.filename, services, req.context,
                                       req.named_contexts)
        except asyncio.CancelledError:
            cancelled = True
        except BaseException as exc:  # RecipeError, exception groups, internal errors
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            error = exc
        finally:
            try:
                await asyncio.shield(services.aclose())
            except BaseException:
                pass
        try:
            usage = dict(services.usage())
        except Exception:
            usage = {}
        output = services.stdout.getvalue() if isinstance(services.stdout, io.StringIO) else ""
        if cancelled or (self._cancelled.is_set() and outcome is None):
            return RunResult(None, EXIT_CANCELLED, usage, output, "run cancelled", cancelled=True)
        if error is not None:
            leaf = _leaf(error)
            code = getattr(leaf, "exit_code", None)
            report = getattr(leaf, "format", None)
            message = str(report()) if callable(report) else f"{type(leaf).__name__}: {leaf}"
            return RunResult(None, code if isinstance(code, int) else 1, usage, output, message,
                             parse_location(getattr(leaf, "location", None)))
        text = str(getattr(outcome, "display_text", ""))
        return RunResult(text, 0, usage, output)


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        with_code = [e for e in exc.exceptions if getattr(e, "exit_code", None) is not None]
        exc = with_code[0] if with_code else exc.exceptions[0]
    return exc


def result_file(folder: Path, stem: str, result: RunResult) -> Path:
    """Write the result under ``folder/.recipe/results/`` and return the file."""
    target = folder / ".recipe" / "results"
    target.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = target / f"{stem}-{stamp}.txt"
    n = 1
    while path.exists():
        n += 1
        path = target / f"{stem}-{stamp}-{n}.txt"
    body = result.text if result.text is not None else f"error (exit code {result.exit_code}):\n{result.error}"
    if result.output:
        body = f"{body}\n\n--- output ---\n{result.output}"
    path.write_text(body if body.endswith("\n") else body + "\n", encoding="utf-8")
    return path
