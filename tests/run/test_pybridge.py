from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from recipe.runtime.engine.pybridge import SubprocessBridge, scrubbed_env
from recipe.runtime.engine.services import PyRef, PythonError


def run(fn: Callable[[SubprocessBridge], Awaitable[Any]], **kw: Any) -> Any:
    async def main() -> Any:
        bridge = SubprocessBridge(**kw)
        try:
            return await fn(bridge)
        finally:
            await bridge.aclose()

    return anyio.run(main)


def test_conversions_and_persistent_globals() -> None:
    async def go(b: SubprocessBridge) -> list[Any]:
        await b.set("data", {"a": [1, 2.5, True, None, "s"], "n": {"k": "v"}})
        await b.exec("total = sum(x for x in data['a'][:2])\nt = (1, 2)")
        return [await b.eval("total"), await b.eval("t"), await b.eval("data"),
                await b.eval("context"), await b.eval("{'k': (1, [2])}"),
                await b.eval("2 ** 80"), await b.eval("None")]

    out = run(go, context={"topic": "x"})
    assert out == [3.5, [1, 2], {"a": [1, 2.5, True, None, "s"], "n": {"k": "v"}},
                   {"topic": "x"}, {"k": [1, [2]]}, 2 ** 80, None]


def test_pyref_and_call() -> None:
    async def go(b: SubprocessBridge) -> list[Any]:
        ref = await b.eval("{1, 2, 3}")
        mixed = await b.eval("[1, object()]")
        counter = await b.eval("__import__('collections').Counter('abca')")
        return [ref, mixed, await b.call(counter, "most_common", [1]),
                await b.call(ref, "__contains__", [2]),
                await b.call(ref, "union", [[9]])]

    ref, mixed, common, contains, union = run(go)
    assert isinstance(ref, PyRef) and ref.type_name == "set" and ref.repr_text == "{1, 2, 3}"
    assert mixed[0] == 1 and isinstance(mixed[1], PyRef)
    assert common == [["a", 2]] and contains is True
    assert isinstance(union, PyRef)


def test_stdout_capture_and_traceback_line() -> None:
    async def go(b: SubprocessBridge) -> tuple[str, PythonError, PythonError]:
        out = await b.exec("print('hello')\nprint(1 + 1)")
        try:
            await b.exec("x = 1\ny = 2\nz = x / 0\n")
        except PythonError as exc:
            e1 = exc
        try:
            await b.exec("def f(:\n  pass")
        except PythonError as exc:
            e2 = exc
        return out, e1, e2

    out, e1, e2 = run(go)
    assert out == "hello\n2\n"
    assert "ZeroDivisionError" in str(e1) and e1.line == 3
    assert "z = x / 0" in e1.traceback and "line 3" in e1.traceback
    assert "worker" not in e1.traceback and "_main" not in e1.traceback
    assert "SyntaxError" in str(e2) and e2.line == 1


def test_timeout_restarts() -> None:
    async def go(b: SubprocessBridge) -> tuple[str, Any]:
        await b.exec("kept = 1")
        pid = b.pid
        with pytest.raises(PythonError, match=r"timed out after 0\.5 s"):
            await b.exec("import time\ntime.sleep(10)")
        assert b.pid is None
        value = await b.eval("1 + 1")
        assert b.pid != pid
        with pytest.raises(PythonError, match="NameError"):
            await b.eval("kept")
        return "ok", value

    assert run(go, timeout=0.5) == ("ok", 2)


def test_memory_limit() -> None:
    async def go(b: SubprocessBridge) -> Any:
        with pytest.raises(PythonError, match="MemoryError"):
            await b.exec("x = bytearray(600 * 1024 * 1024)")
        return await b.eval("'still alive'")

    assert run(go, memory_mb=256) == "still alive"


def test_scrubbed_env_and_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("MY_TOKEN", "t")
    monkeypatch.setenv("DB_PASSWORD", "p")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    monkeypatch.setenv("HARMLESS", "ok")
    assert "OPENAI_API_KEY" not in scrubbed_env()

    async def go(b: SubprocessBridge) -> Any:
        return await b.eval("(sorted(k for k in __import__('os').environ "
                            "if any(w in k.upper() for w in ('KEY','TOKEN','SECRET','PASSWORD'))),"
                            " __import__('os').environ.get('HARMLESS'), __import__('os').getcwd())")

    names, harmless, cwd = run(go, cwd=tmp_path)
    assert names == [] and harmless == "ok" and os.path.samefile(cwd, tmp_path)


def test_death_then_recovery() -> None:
    async def go(b: SubprocessBridge) -> Any:
        await b.exec("a = 1")
        with pytest.raises(PythonError, match="the Python process died"):
            await b.exec("import os\nos._exit(7)")
        with pytest.raises(PythonError, match=r"died .*signal 9"):
            await b.exec("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
        return await b.eval("'fresh'")

    assert run(go) == "fresh"


def test_bad_inputs() -> None:
    async def go(b: SubprocessBridge) -> None:
        with pytest.raises(PythonError, match="not a Python identifier"):
            await b.set("1x", 1)
        with pytest.raises(PythonError, match="cannot pass"):
            await b.set("x", object())
        with pytest.raises(PythonError, match="SyntaxError"):
            await b.eval("x = 1")  # a statement is not an expression
        await b.exec("print('protocol safe')\nimport os\nos.write(1, b'raw fd write\\n')")
        assert await b.eval("40 + 2") == 42

    run(go)


def test_cancelled_operation_does_not_desync() -> None:
    async def go(b: SubprocessBridge) -> Any:
        await b.exec("import time")
        with anyio.move_on_after(0.2):
            await b.eval("time.sleep(0.5) or 'late'")
        return await b.eval("'next'")

    assert run(go) == "next"
