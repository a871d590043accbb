"""A real local HTTP server speaking the OpenAI chat-completions protocol, for tests and benches.

Runs on 127.0.0.1 (random port) in a background thread with its own event loop
(:class:`FakeOpenAIServer`), or as a subprocess (``python tests/fake_openai_server.py
--latency 0.1``; prints ``PORT <n>`` when ready). Features: fixed or random latency, usage
blocks, JSON mode, faults by rate or by script (``429`` with Retry-After, ``500``,
``timeout`` — sleeps past the client's timeout —, ``malformed`` and ``empty`` bodies,
``401``), an optional required API key; it counts requests, records their bodies, and tracks
the peak number of requests in flight. Control over HTTP too: ``POST /_control`` (JSON
settings), ``GET /_stats``.

The answer is ``"answer: <user message>"`` (JSON mode: ``{"answer": "<user message>"}``),
so tests can check every result and its order.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

FAULTS = ("429", "500", "timeout", "malformed", "empty", "401")


@dataclass
class Settings:
    latency: float | list[float] = 0.0  # seconds, or [lo, hi]
    fault_rate: float = 0.0
    fault_kinds: list[str] = field(default_factory=lambda: ["429", "500"])
    script: list[str] = field(default_factory=list)  # consumed one per request: "ok" or a fault
    retry_after: str | None = "1"  # Retry-After header on 429s (None: absent)
    retry_after_ms: str | None = None
    timeout_sleep: float = 30.0
    api_key: str | None = None  # when set, other keys get 401
    seed: int = 0
    prompt_tokens: int | None = None  # fixed usage; None: ~chars/4
    completion_tokens: int | None = None


@dataclass
class Stats:
    requests: int = 0
    answered: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    peak_in_flight: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def _user_text(messages: list[dict[str, Any]]) -> str:
    for msg in reversed(messages):
        if msg.get("role") == "user":
            content = msg.get("content")
            if isinstance(content, list):
                return " ".join(p.get("text", "") for p in content if p.get("type") == "text")
            return str(content)
    return ""


class FakeOpenAIServer:
    def __init__(self, **settings: Any) -> None:
        self.settings = Settings(**settings)
        self.stats = Stats()
        self._rng = random.Random(self.settings.seed)
        self._lock = threading.Lock()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()

    # -- control -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def configure(self, **settings: Any) -> None:
        with self._lock:
            for key, value in settings.items():
                if not hasattr(self.settings, key):
                    raise AttributeError(key)
                setattr(self.settings, key, value)
            if "seed" in settings:
                self._rng = random.Random(self.settings.seed)

    def reset_stats(self) -> None:
        with self._lock:
            self.stats = Stats()

    def user_messages(self) -> list[str]:
        with self._lock:
            return [_user_text(b.get("messages", [])) for b in self.stats.bodies]

    # -- the app -------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_post("/_control", self._control)
        app.router.add_get("/_stats", self._stats)
        return app

    def _pick(self) -> str:
        with self._lock:
            s = self.settings
            if s.script:
                return s.script.pop(0)
            if s.fault_rate > 0 and self._rng.random() < s.fault_rate:
                return self._rng.choice(s.fault_kinds)
            return "ok"

    def _latency(self) -> float:
        lat = self.settings.latency
        if isinstance(lat, (list, tuple)):
            with self._lock:
                return self._rng.uniform(float(lat[0]), float(lat[1]))
        return float(lat)

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            return web.json_response({"error": {"message": "invalid JSON"}}, status=400)
        with self._lock:
            st = self.stats
            st.requests += 1
            st.bodies.append(body)
            st.times.append(time.monotonic())
            st.headers.append({k.lower(): v for k, v in request.headers.items()
                               if k.lower().startswith(("x-stainless", "authorization"))})
            st.in_flight += 1
            st.peak_in_flight = max(st.peak_in_flight, st.in_flight)
        try:
            return await self._answer(request, body)
        finally:
            with self._lock:
                self.stats.in_flight -= 1

    def _count(self, kind: str) -> None:
        with self._lock:
            self.stats.faults[kind] = self.stats.faults.get(kind, 0) + 1

    async def _answer(self, request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        s = self.settings
        key = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if s.api_key is not None and key != s.api_key:
            self._count("401")
            return web.json_response({"error": {"message": "Incorrect API key provided",
                                                "type": "invalid_request_error",
                                                "code": "invalid_api_key"}}, status=401)
        kind = self._pick()
        delay = self._latency()
        if kind == "timeout":
            self._count(kind)
            await asyncio.sleep(s.timeout_sleep)
            return web.json_response({"error": {"message": "too late"}}, status=500)
        if delay > 0:
            await asyncio.sleep(delay)
        if kind != "ok":
            self._count(kind)
        if kind == "429":
            headers = {}
            if s.retry_after is not None:
                headers["retry-after"] = s.retry_after
            if s.retry_after_ms is not None:
                headers["retry-after-ms"] = s.retry_after_ms
            return web.json_response({"error": {"message": "Rate limit reached",
                                                "type": "requests", "code": "rate_limit"}},
                                     status=429, headers=headers)
        if kind == "500":
            return web.json_response({"error": {"message": "internal error"}}, status=500)
        if kind == "401":
            return web.json_response({"error": {"message": "Incorrect API key provided"}},
                                     status=401)
        if kind == "malformed":
            return web.Response(text='{"id": "x", "choices": [', status=200,
                                content_type="application/json")
        if kind == "empty":
            return web.Response(body=b"", status=200, content_type="application/json")
        user = _user_text(body.get("messages", []))
        json_mode = (body.get("response_format") or {}).get("type") == "json_object"
        text = json.dumps({"answer": user}) if json_mode else f"answer: {user}"
        cap = body.get("max_tokens") or body.get("max_completion_tokens")
        completion = s.completion_tokens if s.completion_tokens is not None \
            else max(1, (len(text) + 3) // 4)
        if cap is not None and completion > int(cap):
            completion = int(cap)
            if not json_mode:
                text = text[: int(cap) * 4]
        prompt = s.prompt_tokens if s.prompt_tokens is not None else \
            sum((len(str(m.get("content", ""))) + 3) // 4 + 4 for m in body.get("messages", []))
        with self._lock:
            self.stats.answered += 1
        return web.json_response({
            "id": f"chatcmpl-{self.stats.requests}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion}},
            headers={"x-ratelimit-remaining-requests": "9999",
                     "x-ratelimit-remaining-tokens": "1000000",
                     "x-ratelimit-limit-requests": "10000"})

    async def _control(self, request: web.Request) -> web.Response:
        data = await request.json()
        if data.pop("reset_stats", False):
            self.reset_stats()
        self.configure(**data)
        return web.json_response(asdict(self.settings))

    async def _stats(self, request: web.Request) -> web.Response:
        with self._lock:
            st = self.stats
            out = {"requests": st.requests, "answered": st.answered, "faults": st.faults,
                   "peak_in_flight": st.peak_in_flight,
                   "users": [_user_text(b.get("messages", [])) for b in st.bodies]}
        return web.json_response(out)

    # -- lifecycle -----------------------------------------------------------------------
    async def _serve(self, port: int = 0) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def start(self) -> FakeOpenAIServer:
        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._serve())
            self._ready.set()
            loop.run_forever()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            if self._runner is not None:
                try:
                    asyncio.run_coroutine_threadsafe(self._runner.cleanup(),
                                                     self._loop).result(5)
                except Exception:
                    pass
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args()
    server = FakeOpenAIServer(latency=args.latency, fault_rate=args.fault_rate)

    async def serve() -> None:
        await server._serve(args.port)
        print(f"PORT {server.port}", flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
