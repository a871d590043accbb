"""The recipe's Python process: one worker subprocess per run, persistent globals.

The worker is ``sys.executable -I -c WORKER`` (isolated mode: no user site, no PYTHON*
variables), started lazily on the first Python operation, with

* a JSON-lines protocol over its own pipes (the protocol keeps the original stdout; the
  worker points fd 1 at stderr and captures ``print`` during ``exec``, so user output never
  corrupts it);
* ``context`` bound as a global at start;
* an address-space limit (``RLIMIT_AS``, default 1 GiB): an over-allocation is a
  ``MemoryError`` inside the recipe's code, not a dead machine;
* an environment scrubbed of secrets: ``OPENAI_API_KEY`` and every variable whose name
  contains KEY, TOKEN, SECRET or PASSWORD;
* the run directory as its working directory.

Each operation has a timeout (default 60 s): on expiry the worker is killed and the
operation raises :class:`PythonError`; the next operation starts a fresh worker. The same
happens if the worker dies. Values cross per LANGUAGE.md §5: JSON-able data as is (tuples
become lists); anything else stays in the worker and comes back as a :class:`PyRef`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from .services import PyRef, PythonBridge, PythonError

_SECRET = re.compile(r"KEY|TOKEN|SECRET|PASSWORD", re.IGNORECASE)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REF_KEY = "__pyref__"
_MAX_LINE = 1 << 30

WORKER = r'''
import contextlib, io, json, linecache, os, sys, traceback
def _main():
    limit, next_id = int(sys.argv[1]), int(sys.argv[2])
    if limit > 0:
        try:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except Exception:
            pass
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    g = {"__name__": "__recipe__", "__builtins__": __builtins__}
    refs = {}
    counter = [next_id]
    def ref(v):
        i = counter[0]; counter[0] += 1
        refs[i] = v
        try:
            r = repr(v)
        except Exception:
            r = "<unrepresentable>"
        return {"__pyref__": i, "type": type(v).__name__, "repr": r[:200]}
    def enc(v, depth=0):
        if depth > 200:
            return ref(v)
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return int(v)
        if isinstance(v, float):
            return float(v)
        if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
            return [enc(x, depth + 1) for x in v]
        if type(v) is dict and all(isinstance(k, str) for k in v):
            return {k: enc(x, depth + 1) for k, x in v.items()}
        return ref(v)
    def dec(v):
        if isinstance(v, list):
            return [dec(x) for x in v]
        if isinstance(v, dict):
            if "__pyref__" in v and len(v) <= 3:
                i = v["__pyref__"]
                if i not in refs:
                    raise LookupError("stale Python reference %d (the Python process was restarted)" % i)
                return refs[i]
            return {k: dec(x) for k, x in v.items()}
        return v
    def failure(exc, filename):
        line = None
        if isinstance(exc, SyntaxError) and exc.filename == filename:
            line = exc.lineno
            text = "".join(traceback.format_exception_only(type(exc), exc))
        else:
            te = traceback.TracebackException.from_exception(exc)
            frames = [f for f in te.stack if f.filename == filename]
            if frames:
                line = frames[-1].lineno
            te.stack = traceback.StackSummary.from_list(frames)
            text = "".join(te.format())
        msg = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return {"ok": False, "error": msg, "traceback": text, "line": line}
    while True:
        raw = proto_in.readline()
        if not raw:
            return
        req = json.loads(raw)
        op = req["op"]
        filename = "<py-%s>" % op
        out = io.StringIO()
        try:
            if op in ("exec", "eval"):
                src = req["code"]
                linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
                code = compile(src, filename, op)
                with contextlib.redirect_stdout(out):
                    value = eval(code, g)
                resp = {"ok": True, "value": out.getvalue() if op == "exec" else enc(value),
                        "stdout": out.getvalue()}
            elif op == "set":
                g[req["name"]] = dec(req["value"])
                resp = {"ok": True, "value": None}
            elif op == "call":
                target = dec({"__pyref__": req["ref"]})
                args = dec(req["args"])
                with contextlib.redirect_stdout(out):
                    value = getattr(target, req["method"])(*args)
                resp = {"ok": True, "value": enc(value), "stdout": out.getvalue()}
            elif op == "ping":
                resp = {"ok": True, "value": os.getpid()}
            else:
                resp = {"ok": False, "error": "unknown operation %r" % op, "traceback": ""}
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)) and op not in ("exec", "eval", "call"):
                raise
            resp = failure(exc, filename)
            resp["stdout"] = out.getvalue()
        resp["id"] = req["id"]
        try:
            line = json.dumps(resp)
        except (TypeError, ValueError) as exc:
            line = json.dumps({"id": req["id"], "ok": False, "traceback": "",
                               "error": "cannot send the result back: %s" % exc})
        proto_out.write(line + "\n")
        proto_out.flush()
_main()
'''


def scrubbed_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment minus secrets (names containing KEY, TOKEN, SECRET, PASSWORD)."""
    env = os.environ if env is None else env
    return {k: v for k, v in env.items() if not _SECRET.search(k)}


def _to_wire(value: Any) -> Any:
    if isinstance(value, PyRef):
        return {_REF_KEY: value.ref_id}
    if isinstance(value, (list, tuple)):
        return [_to_wire(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise PythonError(f"cannot pass a dictionary key {k!r} to Python: keys must be "
                                  "strings or symbols")
            out[k] = _to_wire(v)
        return out
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise PythonError(f"cannot pass a {type(value).__name__} to Python")


def _from_wire(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_wire(v) for v in value]
    if isinstance(value, dict):
        if _REF_KEY in value and set(value) <= {_REF_KEY, "type", "repr"}:
            return PyRef(int(value[_REF_KEY]), str(value.get("type", "object")),
                         str(value.get("repr", "")))
        return {k: _from_wire(v) for k, v in value.items()}
    return value


class SubprocessBridge(PythonBridge):
    """See the module docstring. All methods run on the run's event loop."""

    def __init__(self, *, context: object = "", cwd: Path | None = None, timeout: float = 60.0,
                 memory_mb: int = 1024, env: Mapping[str, str] | None = None) -> None:
        self.context = context
        self.cwd = cwd or Path.cwd()
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.env = scrubbed_env(env)
        self._proc: Process | None = None
        self._reader: BufferedByteReceiveStream | None = None
        self._lock = anyio.Lock()
        self._next_id = 0
        self._generation = 0
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    async def _start(self) -> None:
        self._generation += 1
        base = self._generation * 1_000_000_000
        limit = self.memory_mb * 1024 * 1024 if self.memory_mb > 0 else 0
        try:
            self._proc = await anyio.open_process(
                [sys.executable, "-I", "-c", WORKER, str(limit), str(base)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                cwd=str(self.cwd), env=self.env, start_new_session=True)
        except OSError as exc:
            raise PythonError(f"cannot start the Python process: {exc}") from None
        assert self._proc.stdout is not None
        self._reader = BufferedByteReceiveStream(self._proc.stdout)
        context = self.context
        try:
            _to_wire(context)
        except PythonError:
            context = str(context)
        await self._roundtrip({"op": "set", "name": "context", "value": _to_wire(context)})

    async def _kill(self) -> int | None:
        proc, self._proc, self._reader = self._proc, None, None
        if proc is None:
            return None
        with anyio.CancelScope(shield=True):
            if proc.returncode is None:
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass
            with anyio.move_on_after(5):
                await proc.wait()
            await proc.aclose()
        return proc.returncode

    async def _roundtrip(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdin is not None
        assert self._reader is not None
        self._next_id += 1
        message["id"] = self._next_id
        data = (json.dumps(message) + "\n").encode("utf-8")
        await self._proc.stdin.send(data)
        while True:
            line = await self._reader.receive_until(b"\n", _MAX_LINE)
            response: dict[str, Any] = json.loads(line)
            if response.get("id") == message["id"]:
                return response
            # else: the answer to an operation that was cancelled; skip it

    async def _request(self, message: dict[str, Any]) -> dict[str, Any]:
        async with self._lock:
            try:
                with anyio.fail_after(self.timeout):
                    if self._proc is None:
                        await self._start()
                    response = await self._roundtrip(message)
            except TimeoutError:
                await self._kill()
                self.restarts += 1
                raise PythonError(
                    f"Python operation timed out after {self.timeout:g} s; the Python process "
                    "was stopped (its globals are lost; the next operation starts a fresh "
                    "one)") from None
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError,
                    anyio.IncompleteRead, ValueError, OSError):
                code = await self._kill()
                self.restarts += 1
                how = f"exit code {code}" if code is not None and code >= 0 else \
                    f"killed by signal {-code}" if code is not None else "unknown cause"
                raise PythonError(
                    f"the Python process died ({how}); its globals are lost and the next "
                    "Python operation starts a fresh one") from None
        if not response.get("ok"):
            raise PythonError(str(response.get("error", "Python error")),
                              traceback=str(response.get("traceback", "")),
                              line=response.get("line"))
        return response

    async def exec(self, code: str) -> str:
        response = await self._request({"op": "exec", "code": code})
        return str(response.get("value") or "")

    async def eval(self, expr: str) -> Any:
        response = await self._request({"op": "eval", "code": expr})
        return _from_wire(response.get("value"))

    async def set(self, name: str, value: Any) -> None:
        if not _IDENT.match(name):
            raise PythonError(f"py-set!: {name!r} is not a Python identifier")
        await self._request({"op": "set", "name": name, "value": _to_wire(value)})

    async def call(self, ref: PyRef, method: str, args: Sequence[Any]) -> Any:
        if not isinstance(ref, PyRef):
            raise PythonError("py-call: the first argument must be a Python reference")
        if not _IDENT.match(method):
            raise PythonError(f"py-call: {method!r} is not a method name")
        response = await self._request({"op": "call", "ref": ref.ref_id, "method": method,
                                        "args": _to_wire(list(args))})
        return _from_wire(response.get("value"))

    async def aclose(self) -> None:
        proc = self._proc
        if proc is None:
            return
        with anyio.CancelScope(shield=True):
            try:
                if proc.stdin is not None:
                    await proc.stdin.aclose()
                with anyio.move_on_after(2):
                    await proc.wait()
            except Exception:
                pass
            await self._kill()
