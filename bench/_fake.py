"""Start tests/fake_openai_server.py as a subprocess (its own process, 127.0.0.1)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SERVER = Path(__file__).resolve().parent.parent / "tests" / "fake_openai_server.py"


@contextmanager
def fake_server(latency: float = 0.0) -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, str(SERVER), "--latency", str(latency)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        port = int(line.split()[1])
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(5)


def control(root: str, **settings: Any) -> dict[str, Any]:
    data = json.dumps(settings).encode()
    req = urllib.request.Request(root + "/_control", data=data,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return dict(json.load(resp))


def stats(root: str) -> dict[str, Any]:
    with urllib.request.urlopen(root + "/_stats") as resp:
        return dict(json.load(resp))
