"""The fuzz suite at scale: 100,000 mutated examples and token soups through the reader and
the analyser; prints failures (input and exception) and a summary.

    python bench/fuzz.py [--cases 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_fuzz import TOKENS, check, mutation_cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    failures = 0
    half = args.cases // 2
    cases = mutation_cases(half, args.seed)
    cases += ["".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 80)))
              for _ in range(args.cases - half)]
    for i, text in enumerate(cases):
        try:
            check(text)
        except Exception:
            failures += 1
            if failures <= 5:
                print(f"--- case {i} failed:\n{text[:500]!r}\n{traceback.format_exc()}")
        if i and i % 10_000 == 0:
            print(f"{i} cases, {failures} failures, {time.perf_counter() - start:.0f} s", flush=True)
    print(f"{len(cases)} cases, {failures} failures in {time.perf_counter() - start:.0f} s")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
