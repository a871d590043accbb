"""``recipe run`` map-async fan-out vs a bare AsyncOpenAI + asyncio.Semaphore script doing the
same calls, against the fake server (tests/fake_openai_server.py) in its own process on
127.0.0.1. Start-up is excluded on both sides: the bare script's client is created and warmed
up before the clock starts; the recipe is read and its services built before the clock starts
(the recipe side's first call still creates its client).

    python bench/bench_fanout.py            # the two standard cases
    python bench/bench_fanout.py 300 20 0.1 # N K latency

Measured (2-core machine shared with other jobs, best of 3)::

    N=500  K=20 100 ms  ideal 2.50 s   bare httpx2 3.04  bare aiohttp 3.24
                        services only 3.08 (1.01×)   recipe run 2.92 (0.96×)
    N=2000 K=50   0 ms                 bare httpx2 5.10  bare aiohttp 3.51
                        services only 3.83 (1.09×)   recipe run 4.40 (1.26× best bare,
                                                      0.86× the SDK-default bare script)
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fake import control, fake_server, stats

RECIPE = """
(define answers
  (map-async (lambda (i) (llm-query-async #:instruction "Echo." #:data (number->string i)
                                          #:max-tokens 20))
             (range {n}) #:max-concurrent {k}))
(finish (length answers))
"""


async def bare(base: str, n: int, k: int, aiohttp: bool) -> float:
    import openai
    from openai import AsyncOpenAI

    http = openai.DefaultAioHttpClient() if aiohttp else None
    client = AsyncOpenAI(api_key="sk-bench", base_url=base + "/v1", max_retries=0,
                         http_client=http)
    sem = asyncio.Semaphore(k)

    async def one(i: int) -> str:
        async with sem:
            r = await client.chat.completions.create(
                model="gpt-4.1-nano", max_tokens=20,
                messages=[{"role": "system", "content": "Echo."},
                          {"role": "user", "content": str(i)}])
            return r.choices[0].message.content or ""

    await one(-1)
    start = time.perf_counter()
    out = await asyncio.gather(*(one(i) for i in range(n)))
    took = time.perf_counter() - start
    assert len(out) == n
    await client.close()
    return took


def services_direct(base: str, n: int, k: int, tmp: Path) -> float:
    """The run services alone (scheduler, journal, provider), K tasks at a time — what
    map-async drives, without the evaluator."""
    import anyio
    from recipe.runtime.engine.providers.openai_provider import OpenAIProvider
    from recipe.runtime.engine.services import LLMRequest
    from recipe.runtime.engine.session import RunServices
    from recipe.runtime.engine.store import SQLiteStore
    from recipe.runtime.lang.config import Config

    config = Config()
    config.max_concurrent = max(k, 50)
    provider = OpenAIProvider(api_key="sk-bench", base_url=base + "/v1",
                              max_connections=config.max_concurrent)
    services = RunServices(provider=provider, config=config, progress=False, run_dir=tmp,
                           store=SQLiteStore(tmp / "direct.sqlite"))

    async def main() -> float:
        limiter = anyio.Semaphore(k)

        async def one(i: int) -> None:
            async with limiter:
                await services.llm(LLMRequest("Echo.", str(i), "gpt-4.1-nano", max_tokens=20,
                                              site="bench.recipe:3:26"))

        start = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(one, i)
        took = time.perf_counter() - start
        await services.aclose()
        return took

    return anyio.run(main)


def recipe_in_process(base: str, n: int, k: int, tmp: Path) -> float:
    import anyio
    from recipe.runtime.engine.evaluator import run_recipe
    from recipe.runtime.engine.providers.openai_provider import OpenAIProvider
    from recipe.runtime.engine.session import RunServices
    from recipe.runtime.lang.config import Config
    from recipe.runtime.lang.reader import read

    doc = read(RECIPE.format(n=n, k=k))
    config = Config()
    config.max_concurrent = max(k, 50)
    provider = OpenAIProvider(api_key="sk-bench", base_url=base + "/v1",
                              max_connections=config.max_concurrent)
    services = RunServices(provider=provider, config=config, progress=False, run_dir=tmp)

    async def main() -> float:
        start = time.perf_counter()
        outcome = await run_recipe(doc, "bench.recipe", services)
        took = time.perf_counter() - start
        assert outcome.display_text == str(n), outcome.display_text
        await services.aclose()
        return took

    return anyio.run(main)


def recipe_subprocess(base: str, n: int, k: int, tmp: Path) -> float:
    path = tmp / "bench.recipe"
    path.write_text(RECIPE.format(n=n, k=k))
    env = {**os.environ, "OPENAI_BASE_URL": base + "/v1", "OPENAI_API_KEY": "sk-bench"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "recipe.runtime.engine.cli", "run", str(path),
                           "-q", "--max-concurrent", str(max(k, 50))],
                          env=env, cwd=tmp, capture_output=True, text=True)
    took = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    return took


def case(root: str, n: int, k: int, latency: float, tmp: Path, reps: int = 3) -> None:
    """Best of ``reps`` interleaved repetitions of each variant (the machine is shared)."""
    control(root, latency=latency)
    ideal = math.ceil(n / k) * latency
    have_evaluator = True
    try:
        import recipe.runtime.engine.evaluator  # noqa: F401
    except ImportError:
        have_evaluator = False
    times: dict[str, list[float]] = {}
    for _ in range(reps):
        times.setdefault("httpx", []).append(asyncio.run(bare(root, n, k, aiohttp=False)))
        times.setdefault("aiohttp", []).append(asyncio.run(bare(root, n, k, aiohttp=True)))
        times.setdefault("direct", []).append(services_direct(root, n, k, tmp))
        if have_evaluator:
            before = stats(root)["requests"]
            try:
                times.setdefault("recipe", []).append(recipe_in_process(root, n, k, tmp))
            except BaseException as exc:  # the evaluator may not be complete yet
                print(f"  recipe run: not measured ({type(exc).__name__}: {exc})", flush=True)
                have_evaluator = False
                continue
            assert stats(root)["requests"] - before == n
            times.setdefault("subprocess", []).append(recipe_subprocess(root, n, k, tmp))
    best = {name: min(values) for name, values in times.items()}
    best_bare = min(best["httpx"], best["aiohttp"])
    print(f"N={n} K={k} latency={latency * 1000:.0f} ms   ideal ⌈N/K⌉·latency = {ideal:.2f} s"
          f"   (best of {reps})")
    print(f"  bare AsyncOpenAI+Semaphore (httpx2)   {best['httpx']:7.2f} s")
    print(f"  bare AsyncOpenAI+Semaphore (aiohttp)  {best['aiohttp']:7.2f} s")
    print(f"  run services only (no evaluator)      {best['direct']:7.2f} s   "
          f"ratio vs best bare {best['direct'] / best_bare:.2f}")
    if "recipe" in best:
        r = best["recipe"]
        print(f"  recipe run map-async (start-up excl.) {r:7.2f} s   "
              f"ratio vs best bare {r / best_bare:.2f}, vs httpx2 bare {r / best['httpx']:.2f}")
        print(f"  recipe run subprocess, wall incl. start-up {best['subprocess']:7.2f} s")
    print(flush=True)


def main() -> None:
    import tempfile

    if len(sys.argv) == 4:
        cases = [(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))]
    else:
        cases = [(500, 20, 0.1), (2000, 50, 0.0)]
    with fake_server() as root, tempfile.TemporaryDirectory() as tmp:
        for n, k, lat in cases:
            case(root, n, k, lat, Path(tmp))


if __name__ == "__main__":
    main()
