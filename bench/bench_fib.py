"""Naive fib in CPython vs the recipe evaluator: prints both timings and the ratio.

Run: python bench/bench_fib.py [n]   (default n = 22)
"""

from __future__ import annotations

import io
import sys
import time

from recipe.runtime.engine.evaluator import (
    GlobalEnv,
    Runtime,
    StrandState,
    compile_document,
    execute,
    new_global_env,
    spawn_strand,
)
from recipe.runtime.lang.reader import read

FIB = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))"


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def best_of(fn: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 22
    py_time = best_of(lambda: fib(n))

    class _NoServices:
        stdout = io.StringIO()

    rt = Runtime(_NoServices(), None, "bench.recipe")  # type: ignore[arg-type]
    genv: GlobalEnv = new_global_env(rt)

    def recipe_run() -> float:
        program = compile_document(read(f"{FIB} (fib {n})"), "bench.recipe", genv)
        value, _ = execute(program)
        assert value == fib(n), value
        return best_of(lambda: execute(program))

    recipe_time = spawn_strand(recipe_run, StrandState(rt, genv)).result()
    print(f"fib({n}) CPython: {py_time * 1000:.1f} ms")
    print(f"fib({n}) recipe:  {recipe_time * 1000:.1f} ms")
    print(f"ratio: {recipe_time / py_time:.2f}x")


if __name__ == "__main__":
    main()
