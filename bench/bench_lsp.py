"""Language-server benchmark: keystroke → diagnostics latency, hover/completion latency, memory.

    python bench/bench_lsp.py [--keystrokes 200] [--docs 50]

Drives ``python -m recipe.server serve`` over stdio with a real LSP client (pygls):

1. keystroke → publishDiagnostics latency on generated 2,000-line recipes and on a 20-line
   one (p50/p95 and their ratio; target p95 ≤ 30 ms and ≤ 3× the small file). The server
   runs with debounce 0 so the figure is the processing latency (typing bursts are
   coalesced by the debounce in normal use). Three 2,000-line shapes, 200 ten-line units
   each (a function, a fan-out over it, a use of the result):

   * ``clean``: each unit displays its own result — lints clean;
   * ``noisy``: each unit's result is never used — 199 N008 diagnostics, all re-sent on
     every edit (LSP publishes a document's whole list);
   * ``connected``: one final synthesis reads every unit, so every form is linked to every
     other: one part (see server/analysis/incremental.py).

   Each shape is typed into inside an instruction string (the server patches the part's
   analysis: server/analysis/incremental.py ``_patch``); ``clean`` and ``connected`` also in
   code (``#:max-tokens 100`` → ``100x``), where a connected file re-checks the edit's cone
   (``_cone``: 5 of its 602 forms, the analysis of the rest reused).
   Latency is to the message's arrival at the client, before pygls structures it (this
   Python client's decoding, ~40 µs per diagnostic, is printed apart);
2. hover and completion p95 on the big file;
3. server RSS with 50 open 1,000-line recipes.

Measured (2-core machine, ``--keystrokes 200 --requests 100 --docs 50``; the last of four
runs in one half hour, then the range over the four)::

    keystroke → diagnostics          p50      p95      p95 ÷ small
    small (24 lines), in a prompt     2.6 ms   3.2 ms   1.00×
    clean (2,004 lines), in a prompt  4.1 ms   5.2 ms   1.65×   (1.6–1.8×)
    noisy, in a prompt                9.2 ms  10.6 ms   3.34×   (3.2–3.4×: 57 KB of diagnostics
                                                                 on the wire per edit)
    connected, in a prompt            6.4 ms   7.0 ms   2.21×   (2.0–2.3×)
    clean, in code                    4.7 ms   6.0 ms   1.91×   (1.8–2.0×)
    connected, in code               14.2 ms  16.6 ms   5.26×   (p95 15.8–18.0 ms, 4.9–5.5×)
    hover 1.3 / 2.1 ms, completion 2.2 / 3.2 ms (p50 / p95, noisy file)
    RSS 73 MB with the 4 bench files, 188 MB with 50 more 1,000-line recipes

The same run of the tree before the resolution splice and the estimate reuse: connected, in
code 16.2 / 23.7 ms (7.6×); RSS 298 / 391 MB (an analysis dropped in a reference cycle per
edit, while the collector is frozen). In-process (re-reading the edit and ``DocState.lint``
on the main thread) that edit takes ~6.5 ms on a quiet host and the 24-line file's ~1 ms;
the rest is the server's handling (a worker thread, which on this host often runs the same
lint ~1.5× slower) — and this host's speed swings by up to 2× from minute to minute.

Before the incremental linter every shape behaved like "connected, in code" did before the
cone re-check (90 ms p50, 135 ms p95).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import LanguageServerProtocol

UNIT = '''; Summarise chunk {i} with a cheap model.
(define (summarise-{i} doc)
  (llm-query-async #:instruction "Summarise this part in one sentence."
                   #:data doc
                   #:model "gpt-4.1-nano"
                   #:max-tokens 100))
(define parts-{i} (map-async summarise-{i} (list "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k")
                           #:max-concurrent 5))
{use}

'''  # 10 lines
USES = {
    "noisy": '(define joined-{i} (string-join parts-{i} "\\n"))',
    "connected": '(define joined-{i} (string-join parts-{i} "\\n"))',
    "clean": '(display (string-join parts-{i} "\\n"))',
}


def recipe(lines: int, shape: str = "noisy") -> str:
    units = max(1, round((lines - 4) / 10))
    body = "".join(UNIT.format(i=i, use=USES[shape].format(i=i)) for i in range(units))
    data = "joined-0"
    if shape == "connected":
        data = "(string-append " + " ".join(f"joined-{i}" for i in range(units)) + ")"
    elif shape == "clean":
        data = '"all parts"'
    tail = (f'(define answer\n  (syntax-e (llm-query #:instruction "Combine." #:data {data}\n'
            '                       #:model "gpt-4.1" #:max-tokens 300)))\n(finish answer)\n')
    return body + tail


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


ARRIVALS: dict[tuple[str, int], float] = {}


class TimingProtocol(LanguageServerProtocol):
    """Notes when a publishDiagnostics message has arrived and been parsed as JSON, before
    pygls turns it into lsprotocol objects (cattrs: ~40 µs per diagnostic, a cost of this
    Python client that an editor decoding JSON natively does not pay)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            params = data.get("params") or {}
            ARRIVALS[(params.get("uri", ""), params.get("version") or -1)] = time.perf_counter()
        return super().structure_message(data)


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("bench", "1", protocol_cls=TimingProtocol)
        self.versions: dict[str, int | None] = {}
        self.events: dict[tuple[str, int | None], float] = {}
        self.waiters: dict[tuple[str, int], asyncio.Future[tuple[float, float]]] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def publish(params: types.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            key = (params.uri, params.version or -1)
            waiter = self.waiters.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result((ARRIVALS.pop(key, now), now))

        @self.client.feature(types.WORKSPACE_CONFIGURATION)  # type: ignore[untyped-decorator]
        def configuration(params: types.ConfigurationParams) -> list[object]:
            return [{} for _ in params.items]

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
        env["RECIPE_LSP_DEBOUNCE_MS"] = "0"
        await self.client.start_io(sys.executable, "-m", "recipe.server", "serve", env=env)
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities()))
        self.client.initialized(types.InitializedParams())

    def expect(self, uri: str, version: int) -> asyncio.Future[tuple[float, float]]:
        future: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()
        self.waiters[(uri, version)] = future
        return future

    async def open(self, uri: str, text: str) -> None:
        waiter = self.expect(uri, 1)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="recipe", version=1,
                                                 text=text)))
        await asyncio.wait_for(waiter, 60)

    async def keystrokes(self, uri: str, text: str, count: int,
                         where: str = "instruction") -> tuple[list[float], list[float]]:
        """Type into the middle of the file, then delete it again: inside an instruction
        string, or (``where="code"``) in a number (`#:max-tokens 100` → `100x`, a T001 each
        time). Latencies until the diagnostics arrive, and until this client has decoded
        them."""
        lines = text.split("\n")
        marker = '"Summarise this part' if where == "instruction" else "#:max-tokens 100"
        candidates = [i for i in range(len(lines)) if marker in lines[i]]
        target = candidates[len(candidates) // 2]
        col = lines[target].index("Summarise") + 3 if where == "instruction" \
            else lines[target].index("#:max-tokens 100") + len("#:max-tokens 100")
        latencies, decoded = [], []
        version = 1
        for k in range(count):
            version += 1
            typing = k % 2 == 0
            rng = types.Range(start=types.Position(line=target, character=col),
                              end=types.Position(line=target, character=col if typing else col + 1))
            waiter = self.expect(uri, version)
            sent = time.perf_counter()
            self.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(
                    range=rng, text="x" if typing else "")]))
            arrived, done = await asyncio.wait_for(waiter, 30)
            latencies.append((arrived - sent) * 1000)
            decoded.append((done - sent) * 1000)
            await asyncio.sleep(0.005)
        return latencies, decoded

    async def requests(self, uri: str, text: str, count: int) -> tuple[list[float], list[float]]:
        lines = text.split("\n")
        spots = [(i, lines[i].index("(map-async") + 3) for i in range(len(lines))
                 if "(map-async" in lines[i]]
        hovers, completions = [], []
        for k in range(count):
            line, col = spots[(k * 7) % len(spots)]
            position = types.Position(line=line, character=col)
            t0 = time.perf_counter()
            await self.client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position))
            hovers.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await self.client.text_document_completion_async(types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position))
            completions.append((time.perf_counter() - t0) * 1000)
        return hovers, completions

    def rss_mb(self) -> float:
        server = self.client._server
        if server is None:
            return float("nan")
        status = Path(f"/proc/{server.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()  # type: ignore[no-untyped-call]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--docs", type=int, default=50)
    args = parser.parse_args()
    files = {"small": recipe(20, "clean"), "clean": recipe(2000, "clean"),
             "noisy": recipe(2000, "noisy"), "connected": recipe(2000, "connected")}
    big = files["noisy"]
    for name, text in files.items():
        print(f"{name:9} {text.count(chr(10)):5} lines, {len(text):7,} chars")
    bench = Bench()
    await bench.start()
    for name, text in files.items():
        await bench.open(f"untitled:{name}.recipe", text)
    results: dict[str, list[float]] = {}
    decoded_results: dict[str, list[float]] = {}
    runs = [(name, text, "instruction") for name, text in files.items()] + [
        (name, files[name], "code") for name in ("clean", "connected")]
    for name, text, where in runs:
        lat, decoded = await bench.keystrokes(f"untitled:{name}.recipe", text, args.keystrokes,
                                              where)
        name = name if where == "instruction" else f"{name} (in code)"
        results[name] = lat
        decoded_results[name] = decoded
        ratio = pct(lat, 0.95) / max(pct(results["small"], 0.95), 1e-9)
        decoded_ratio = pct(decoded, 0.95) / max(pct(decoded_results["small"], 0.95), 1e-9)
        print(f"keystroke → diagnostics, {name:19}: p50 {statistics.median(lat):6.1f} ms   "
              f"p95 {pct(lat, 0.95):6.1f} ms   max {max(lat):6.1f} ms   p95 ÷ small {ratio:5.2f}×"
              f"   (decoded by this client: p95 {pct(decoded, 0.95):6.1f} ms, "
              f"{decoded_ratio:5.2f}×)")
    hovers, completions = await bench.requests("untitled:noisy.recipe", big, args.requests)
    print(f"hover on the noisy file:      p50 {statistics.median(hovers):6.1f} ms   p95 {pct(hovers, 0.95):6.1f} ms")
    print(f"completion on the noisy file: p50 {statistics.median(completions):6.1f} ms   p95 {pct(completions, 0.95):6.1f} ms")
    base = bench.rss_mb()
    doc = recipe(1000)
    for i in range(args.docs):
        await bench.open(f"untitled:mem-{i}.recipe", doc)
    print(f"server RSS: {base:.0f} MB with the {len(files)} bench files, {bench.rss_mb():.0f} MB with "
          f"{args.docs} more 1,000-line recipes open")
    await bench.stop()


if __name__ == "__main__":
    asyncio.run(main())
