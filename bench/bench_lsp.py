"""Language-server benchmark: keystroke → diagnostics latency, hover/completion latency, memory.

    python bench/bench_lsp.py [--keystrokes 200] [--block 20] [--requests 100] [--docs 50]

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
   analysis: server/analysis/incremental.py ``_patch``); ``small``, ``clean`` and
   ``connected`` also in code (``#:max-tokens 100`` → ``100x``, a malformed number: an S005
   each time), where a connected file re-checks the edit's cone (``_cone``: 2 of its 602
   forms once the early cutoff has something to compare with, the analysis of the rest
   reused). Each row types into a document of its own, and
   the rows take turns (``--block`` keystrokes each, round after round), so that this
   host's changes of speed weigh on every row alike. Ratios are to the small file's prompt
   edit; code edits are also given against the small file's code edit (the same edit).
   Latency is to the message's receipt by the client (its body read off the pipe); when
   this Python client has parsed it as JSON (``json.loads``: ~1.6 ms for the noisy file's
   52 KB) and decoded it into lsprotocol objects (~40 µs per diagnostic) is printed apart —
   costs of this client that an editor parsing JSON natively does not pay;
2. hover and completion p95 on the big file;
3. server RSS with 50 open 1,000-line recipes.

Measured (2-core machine, ``--keystrokes 200 --requests 100 --docs 50``; the first of three
runs in ten minutes, then the range over the three; ratio = p95 ÷ the small prompt edit's)::

    keystroke → diagnostics          p50      p95      p95 ÷ small
    small (24 lines), in a prompt     2.9 ms   3.5 ms   1.00×
    clean (2,004 lines), in a prompt  4.6 ms   5.7 ms   1.62×   (1.52–1.64×)
    noisy, in a prompt                7.0 ms   8.4 ms   2.41×   (2.26–2.42×; parsed as JSON by
                                                                 this client 2.83–2.92×: 52 KB
                                                                 of diagnostics per edit)
    connected, in a prompt            5.7 ms   6.9 ms   1.99×   (1.52–2.04×)
    small, in code                    3.2 ms   3.8 ms   1.09×   (0.84–1.09×)
    clean, in code                    5.3 ms   6.1 ms   1.76×   (1.68–1.76×)
    connected, in code                8.3 ms   9.6 ms   2.76×   (2.09–2.78×; ÷ small in code
                                                                 2.49–2.68×)
    hover 1.5 / 1.8 ms, completion 3.0 / 3.4 ms (p50 / p95, noisy file)
    RSS 86 MB with the 7 bench documents, 202–203 MB with 50 more 1,000-line recipes

The tree before the early cutoff (``5af34d8``) in the same bench and quarter hour: connected,
in code 10.8 / 13.4 ms (4.02×), noisy 2.69× (3.25× parsed as JSON). A connected code edit
re-checks the edited function and its fan-out only: the joined result reading it looks the
same from outside as before the edit (incremental.py ``_Exports``), so neither it nor the
synthesis reading all 200 units is checked again (the first keystroke at a new spot, with
nothing to compare with, checks them: 5 forms). Before the incremental linter every shape
behaved like "connected, in code" did before the cone re-check (90 ms p50, 135 ms p95).
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


ARRIVALS: dict[tuple[str, int], tuple[float, float]] = {}  # (received, parsed as JSON)
RECEIVED = [0.0]  # when the last message body was read off the server's stdout


class TimingProtocol(LanguageServerProtocol):
    """Notes when a publishDiagnostics message has been received (its body read off the
    pipe: RECEIVED, set by the reader Bench.start wraps) and when this client has parsed it
    as JSON, before pygls turns it into lsprotocol objects. Python's ``json.loads`` takes
    ~1.6 ms for the noisy file's 52 KB (~8 µs per diagnostic), cattrs ~40 µs per
    diagnostic: costs of this Python client that an editor decoding JSON natively does not
    pay, printed apart."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            params = data.get("params") or {}
            ARRIVALS[(params.get("uri", ""), params.get("version") or -1)] = (
                RECEIVED[0], time.perf_counter())
        return super().structure_message(data)


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("bench", "1", protocol_cls=TimingProtocol)
        self.versions: dict[str, int | None] = {}
        self.events: dict[tuple[str, int | None], float] = {}
        self.waiters: dict[tuple[str, int], asyncio.Future[tuple[float, float, float]]] = {}
        self.texts: dict[str, str] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def publish(params: types.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            key = (params.uri, params.version or -1)
            waiter = self.waiters.pop(key, None)
            if waiter is not None and not waiter.done():
                received, parsed = ARRIVALS.pop(key, (now, now))
                waiter.set_result((received, parsed, now))

        @self.client.feature(types.WORKSPACE_CONFIGURATION)  # type: ignore[untyped-decorator]
        def configuration(params: types.ConfigurationParams) -> list[object]:
            return [{} for _ in params.items]

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
        env["RECIPE_LSP_DEBOUNCE_MS"] = "0"
        await self.client.start_io(sys.executable, "-m", "recipe.server", "serve", env=env)
        server = self.client._server
        assert server is not None and server.stdout is not None
        reader = server.stdout  # (pygls reads each body with readexactly)
        read_body = reader.readexactly

        async def readexactly(n: int) -> bytes:
            data = await read_body(n)
            RECEIVED[0] = time.perf_counter()
            return data

        reader.readexactly = readexactly  # type: ignore[method-assign]
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities()))
        self.client.initialized(types.InitializedParams())

    def expect(self, uri: str, version: int) -> asyncio.Future[tuple[float, float, float]]:
        future: asyncio.Future[tuple[float, float, float]] = \
            asyncio.get_running_loop().create_future()
        self.waiters[(uri, version)] = future
        return future

    async def open(self, uri: str, text: str) -> None:
        self.texts[uri] = text
        waiter = self.expect(uri, 1)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="recipe", version=1,
                                                 text=text)))
        await asyncio.wait_for(waiter, 60)

    def typing_spot(self, text: str, where: str) -> tuple[int, int]:
        """Line and column to type at, in the middle of the file: inside an instruction
        string, or (``where="code"``) after a number (`#:max-tokens 100` → `100x`, a
        malformed number each time)."""
        lines = text.split("\n")
        marker = '"Summarise this part' if where == "instruction" else "#:max-tokens 100"
        candidates = [i for i in range(len(lines)) if marker in lines[i]]
        target = candidates[len(candidates) // 2]
        col = lines[target].index("Summarise") + 3 if where == "instruction" \
            else lines[target].index("#:max-tokens 100") + len("#:max-tokens 100")
        return target, col

    async def keystroke(self, uri: str, spot: tuple[int, int], version: int,
                        typing: bool) -> tuple[float, float, float]:
        """Type one character at ``spot`` (or delete it again): the latencies until its
        diagnostics are received, until this client has parsed them as JSON, and until it
        has decoded them into lsprotocol objects."""
        line, col = spot
        rng = types.Range(start=types.Position(line=line, character=col),
                          end=types.Position(line=line, character=col if typing else col + 1))
        waiter = self.expect(uri, version)
        sent = time.perf_counter()
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=rng, text="x" if typing else "")]))
        received, parsed, done = await asyncio.wait_for(waiter, 30)
        return (received - sent) * 1000, (parsed - sent) * 1000, (done - sent) * 1000

    async def keystrokes(self, runs: list[tuple[str, str, str]], count: int, block: int
                         ) -> dict[str, tuple[list[float], list[float], list[float]]]:
        """``count`` keystrokes into each of ``runs`` (name, uri, where), in rounds of
        ``block`` keystrokes into each document in turn, so that this host's changes of
        speed (up to 2× from one minute to the next) weigh on every row alike, while each
        document is typed into a while as a user would. Each document is typed into and
        deleted from in turn at its spot (see :meth:`typing_spot`)."""
        results: dict[str, tuple[list[float], list[float], list[float]]] = {
            name: ([], [], []) for name, _, _ in runs}
        versions: dict[str, int] = {}
        spots = {name: self.typing_spot(self.texts[uri], where) for name, uri, where in runs}
        for first in range(0, count, block):
            for name, uri, _ in runs:
                for k in range(first, min(first + block, count)):
                    versions[uri] = version = versions.get(uri, 1) + 1
                    latencies = await self.keystroke(uri, spots[name], version, k % 2 == 0)
                    for found, latency in zip(results[name], latencies, strict=True):
                        found.append(latency)
                    await asyncio.sleep(0.005)
        return results

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
    parser.add_argument("--block", type=int, default=20,
                        help="keystrokes into one document before the next one's turn")
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
    # Each row types into a document of its own (a code edit leaves a syntax error that
    # would change how the next prompt edit of the same document is handled).
    runs = [(name, f"untitled:{name}.recipe", "instruction") for name in files] + [
        (f"{name} (in code)", f"untitled:{name}-code.recipe", "code")
        for name in ("small", "clean", "connected")]
    for _, uri, _where in runs:
        await bench.open(uri, files[uri[len("untitled:"):-len(".recipe")].removesuffix("-code")])
    results = await bench.keystrokes(runs, args.keystrokes, args.block)
    small = [pct(values, 0.95) for values in results["small"]]
    small_code = pct(results["small (in code)"][0], 0.95)
    for name, _, where in runs:
        lat, parsed, decoded = results[name]
        ratio = pct(lat, 0.95) / max(small[0], 1e-9)
        same_edit = f"   (÷ small in code {pct(lat, 0.95) / max(small_code, 1e-9):4.2f}×)" \
            if where == "code" else ""
        print(f"keystroke → diagnostics, {name:19}: p50 {statistics.median(lat):6.1f} ms   "
              f"p95 {pct(lat, 0.95):6.1f} ms   max {max(lat):6.1f} ms   p95 ÷ small {ratio:5.2f}×"
              f"   (parsed as JSON by this client: p95 {pct(parsed, 0.95):6.1f} ms, "
              f"{pct(parsed, 0.95) / max(small[1], 1e-9):4.2f}×; decoded: p95 "
              f"{pct(decoded, 0.95):6.1f} ms, {pct(decoded, 0.95) / max(small[2], 1e-9):4.2f}×)"
              f"{same_edit}")
    hovers, completions = await bench.requests("untitled:noisy.recipe", big, args.requests)
    print(f"hover on the noisy file:      p50 {statistics.median(hovers):6.1f} ms   p95 {pct(hovers, 0.95):6.1f} ms")
    print(f"completion on the noisy file: p50 {statistics.median(completions):6.1f} ms   p95 {pct(completions, 0.95):6.1f} ms")
    base = bench.rss_mb()
    doc = recipe(1000)
    for i in range(args.docs):
        await bench.open(f"untitled:mem-{i}.recipe", doc)
    print(f"server RSS: {base:.0f} MB with the {len(runs)} bench documents, {bench.rss_mb():.0f} MB with "
          f"{args.docs} more 1,000-line recipes open")
    await bench.stop()


if __name__ == "__main__":
    asyncio.run(main())
