from __future__ import annotations

import threading
from pathlib import Path

import pytest
from recipe.runtime.engine.services import LLMRequest
from recipe.runtime.engine.store import (
    JournalEntry,
    SQLiteStore,
    StoreError,
    request_key,
    store_path,
)


def test_checkpoints_persist_across_runs(tmp_path: Path) -> None:
    path = store_path(tmp_path / "x.recipe")
    assert path == tmp_path / ".recipe" / "x.sqlite"
    s = SQLiteStore(path)
    s.checkpoint("step/1", {"items": [1, 2], "done": True})
    s.checkpoint("../etc/passwd", "keys are data, not paths")
    s.close()
    s2 = SQLiteStore(path)  # a fresh run (no --resume) keeps checkpoints
    assert s2.restore("step/1") == (True, {"items": [1, 2], "done": True})
    assert s2.restore("../etc/passwd") == (True, "keys are data, not paths")
    assert s2.restore("missing") == (False, None)
    s2.checkpoint("step/1", 3)
    assert s2.restore("step/1") == (True, 3)
    with pytest.raises(StoreError, match="not JSON-able"):
        s2.checkpoint("bad", object())
    assert list(tmp_path.iterdir()) == [tmp_path / ".recipe"]


def test_store_dir_config(tmp_path: Path) -> None:
    a = store_path(tmp_path / "a" / "x.recipe", "shared")
    b = store_path(tmp_path / "b" / "x.recipe", str(tmp_path / "shared"))
    assert a.parent == tmp_path / "a" / "shared" and a.name.startswith("x-")
    assert a.name != b.name


def test_journal_fresh_vs_resume(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    s = SQLiteStore(path)
    k = request_key(LLMRequest("i", "d", "m"))
    assert s.next_occurrence(k) == 0 and s.next_occurrence(k) == 1
    s.record(k, 0, JournalEntry("t0", "m", 1, 2, 0.1, 0.5))
    s.record(k, 1, JournalEntry("t1", "m", 1, 2, 0.1, 0.5))
    s.close()
    r = SQLiteStore(path, resume=True)
    assert r.replayable == 2
    assert r.lookup(k, 1) == JournalEntry("t1", "m", 1, 2, 0.1, 0.5)
    r.close()
    fresh = SQLiteStore(path)
    assert fresh.replayable == 0 and fresh.lookup(k, 0) is None


def test_request_key_covers_parameters() -> None:
    base = LLMRequest("i", "d", "m")
    keys = {request_key(base), request_key(LLMRequest("i", "d", "m", temperature=0.1)),
            request_key(LLMRequest("i", "d", "m", json=True)),
            request_key(LLMRequest("i", "d", "m2")), request_key(LLMRequest("i2", "d", "m")),
            request_key(LLMRequest("i", "d", "m", max_tokens=5))}
    assert len(keys) == 6
    # the site and budgets do not change what is asked
    assert request_key(LLMRequest("i", "d", "m", site="f:1:1")) == request_key(base)
    # empty data is sent as "(no data provided)"
    assert request_key(LLMRequest("i", "", "m")) == \
        request_key(LLMRequest("i", "(no data provided)", "m"))


def test_thread_safety(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "t.sqlite")

    def work(n: int) -> None:
        for i in range(50):
            s.checkpoint(f"{n}-{i}", i)
            assert s.restore(f"{n}-{i}") == (True, i)
            s.next_occurrence("same")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert s.next_occurrence("same") == 400
