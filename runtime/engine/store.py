"""The run's SQLite store: the recipe's checkpoints and the call journal.

One database per recipe, ``.recipe/<recipe file stem>.sqlite`` next to the recipe (or, with
``store-dir`` configured, ``<store-dir>/<stem>-<hash of the recipe path>.sqlite``). WAL mode,
one commit per write, so whatever was written survives a ``kill -9``.

* **checkpoints** — ``(checkpoint key value)``: key (data, never a path) → JSON. They are
  the recipe's own persistence: kept across runs, with or without ``--resume``.
* **journal** — every answer, keyed by ``sha256(model, messages, parameters)`` plus the
  occurrence index of that identical request within the run (the 0th, 1st … time the
  recipe asked exactly this). Identical requests are interchangeable, so the assignment is
  deterministic whatever order concurrent calls finish in. Written as each answer arrives.
  ``recipe run --resume`` replays every journaled answer and sends only the rest; a run
  without ``--resume`` starts a fresh journal.

Thread-safe: one connection, guarded by a lock (strand threads checkpoint; the event loop
journals).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .services import LLMRequest, RunError, Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL,
                                        updated REAL NOT NULL DEFAULT (julianday('now')));
CREATE TABLE IF NOT EXISTS journal (
    request_key TEXT NOT NULL, occurrence INTEGER NOT NULL,
    text TEXT NOT NULL, model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL, latency_s REAL NOT NULL,
    PRIMARY KEY (request_key, occurrence));
"""


class StoreError(RunError):
    """The store cannot be opened or a value cannot be stored."""


def request_key(request: LLMRequest) -> str:
    """sha256 of what determines the answer: model, messages and parameters (not the site,
    not the budgets)."""
    from .providers import user_text

    payload = json.dumps({"model": request.model, "system": request.instruction,
                          "user": user_text(request), "images": list(request.images),
                          "temperature": request.temperature,
                          "max_tokens": request.max_tokens, "json": request.json},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class JournalEntry:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    latency_s: float


def store_path(recipe_path: Path, store_dir: str | None = None) -> Path:
    recipe_path = recipe_path.resolve()
    if store_dir:
        base = Path(store_dir).expanduser()
        if not base.is_absolute():
            base = recipe_path.parent / base
        digest = hashlib.sha256(str(recipe_path).encode()).hexdigest()[:10]
        return base / f"{recipe_path.stem}-{digest}.sqlite"
    return recipe_path.parent / ".recipe" / f"{recipe_path.stem}.sqlite"


class SQLiteStore(Store):
    """Checkpoints + journal in one SQLite file (``":memory:"`` for tests and the editor)."""

    def __init__(self, path: Path | str, *, resume: bool = False) -> None:
        self.path = path
        if isinstance(path, Path):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store folder {path.parent}: {exc}") from None
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                       timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable against process crashes
            self._db.executescript(_SCHEMA)
            if not resume:
                self._db.execute("DELETE FROM journal")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the run store {path}: {exc}") from None
        self._occurrences: dict[str, int] = {}
        self.replayable = self._count_journal()

    def _count_journal(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT count(*) FROM journal").fetchone()
        return int(row[0])

    # -- checkpoints ---------------------------------------------------------------------
    def checkpoint(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise StoreError("checkpoint key must be a string")
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"checkpoint {key!r}: value is not JSON-able ({exc})") from None
        with self._lock:
            self._db.execute("INSERT INTO checkpoints (key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                             "updated = julianday('now')", (key, text))

    def restore(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            row = self._db.execute("SELECT value FROM checkpoints WHERE key = ?",
                                   (key,)).fetchone()
        if row is None:
            return False, None
        return True, json.loads(row[0])

    # -- journal -------------------------------------------------------------------------
    def next_occurrence(self, key: str) -> int:
        """The occurrence index of this identical request in the run (0, 1, 2 …)."""
        with self._lock:
            index = self._occurrences.get(key, 0)
            self._occurrences[key] = index + 1
        return index

    def lookup(self, key: str, occurrence: int) -> JournalEntry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT text, model, prompt_tokens, completion_tokens, cost_usd, latency_s "
                "FROM journal WHERE request_key = ? AND occurrence = ?",
                (key, occurrence)).fetchone()
        return None if row is None else JournalEntry(*row)

    def record(self, key: str, occurrence: int, entry: JournalEntry) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, occurrence, entry.text, entry.model, entry.prompt_tokens,
                 entry.completion_tokens, entry.cost_usd, entry.latency_s))

    def journal_size(self) -> int:
        return self._count_journal()

    def close(self) -> None:
        with self._lock:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
