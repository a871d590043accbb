"""Which HTTP transport should the OpenAI provider use? httpx2 (the SDK default) vs aiohttp
(``openai[aiohttp]``), through the real provider, against the fake server in its own process.

    python bench/bench_transport.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fake import control, fake_server
from recipe.runtime.engine.providers.openai_provider import OpenAIProvider
from recipe.runtime.engine.services import LLMRequest


async def run(base: str, transport: str, n: int, k: int) -> float:
    provider = OpenAIProvider(api_key="sk-bench", base_url=base + "/v1", transport=transport,
                              max_connections=k)
    limiter = anyio.Semaphore(k)

    async def one(i: int) -> None:
        async with limiter:
            await provider.complete(LLMRequest("be brief", f"item {i}", "gpt-4.1-nano"),
                                    max_tokens=None, timeout=60)

    await one(-1)  # warm up (client creation, first connection)
    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(one, i)
    took = time.perf_counter() - start
    await provider.aclose()
    return took


def main() -> None:
    cases = [(2000, 50, 0.0), (1000, 100, 0.05)]
    with fake_server() as root:
        for n, k, lat in cases:
            control(root, latency=lat)
            for transport in ("httpx", "aiohttp", "httpx", "aiohttp"):
                took = anyio.run(run, root, transport, n, k)
                print(f"N={n:5d} K={k:3d} latency={lat * 1000:3.0f}ms {transport:8s} "
                      f"{took:6.2f} s  {n / took:7.0f} calls/s", flush=True)


if __name__ == "__main__":
    main()
