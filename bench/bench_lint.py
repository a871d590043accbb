"""Lint speed, measured against baselines taken in the same run.

1. Cold start: wall time of `recipe lint one.recipe` (a fresh process each time) as a ratio
   to `python -c pass`. Target ≤ 5×.
2. Throughput: `recipe lint DIR` over a generated corpus of 1,000 recipes (the examples,
   mutated and concatenated), in MB/s end to end. Target ≥ 1 MB/s on a 2-core machine.

    python bench/bench_lint.py [--runs 15] [--files 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.recipe") if p.is_file())


def recipe_command() -> list[str]:
    exe = shutil.which("recipe", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "recipe.server"]


# Users run with bytecode caches; a PYTHONDONTWRITEBYTECODE=1 environment would make every
# start recompile every module, which is not what is measured here.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
    return time.perf_counter() - start


def cold_start(runs: int) -> None:
    one = str(EXAMPLES[0])
    lint = [*recipe_command(), "lint", one]
    base = [sys.executable, "-c", "pass"]
    timed(lint)  # warm the page cache and .pyc files
    lint_times, base_times = [], []
    for _ in range(runs):  # interleaved, so machine noise hits both alike
        base_times.append(timed(base))
        lint_times.append(timed(lint))
    b, t = statistics.median(base_times), statistics.median(lint_times)
    print(f"cold start: python -c pass {b * 1000:.1f} ms, recipe lint {t * 1000:.1f} ms "
          f"(median of {runs}) → ratio {t / b:.2f}× (target ≤ 5×)")


def corpus(folder: Path, files: int) -> int:
    rng = random.Random(1)
    sources = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    total = 0
    for i in range(files):
        parts = [rng.choice(sources) for _ in range(rng.randint(1, 4))]
        text = "\n".join(parts)
        (folder / f"r{i:04}.recipe").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def throughput(files: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = corpus(folder, files)
        cmd = [*recipe_command(), "lint", str(folder), "--format", "json"]
        elapsed = min(timed(cmd) for _ in range(3))
        print(f"throughput: {files} files, {size / 1e6:.2f} MB in {elapsed:.2f} s → "
              f"{size / 1e6 / elapsed:.2f} MB/s (target ≥ 1 MB/s)")


def scaling() -> None:
    """Reading and linting stay linear: 1 MB vs 10 MB of recipes in one file."""
    from recipe.runtime.lang.config import Config
    from recipe.runtime.lang.reader import read
    from recipe.server.analysis.lint import lint_document

    unit = "\n".join(p.read_text(encoding="utf-8") for p in EXAMPLES)
    results = []
    for megabytes in (1, 10):
        text = unit * max(1, int(megabytes * 1e6 / len(unit)))
        start = time.perf_counter()
        document = read(text)
        read_s = time.perf_counter() - start
        lint_document(document, Config(), "big.recipe")
        total_s = time.perf_counter() - start
        results.append((len(text), read_s, total_s))
        print(f"one {len(text) / 1e6:.1f} MB file: read {read_s:.2f} s "
              f"({len(text) / 1e6 / read_s:.1f} MB/s), read + lint {total_s:.2f} s")
    (n1, r1, t1), (n2, r2, t2) = results
    print(f"10× the text: read {r2 / r1:.1f}× the time, read + lint {t2 / t1:.1f}× "
          f"(linear would be {n2 / n1:.1f}×)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--no-scaling", action="store_true", help="skip the 10 MB file")
    args = parser.parse_args()
    cold_start(args.runs)
    throughput(args.files)
    if not args.no_scaling:
        scaling()


if __name__ == "__main__":
    main()
