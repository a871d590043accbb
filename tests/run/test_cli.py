"""``recipe run`` end to end: a subprocess of ``python -m recipe.runtime.engine.cli``, against the
simulator or the fake OpenAI server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

CLI = [sys.executable, "-m", "recipe.runtime.engine.cli", "run"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECIPE_"))}
    env.update(extra)
    return env


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
            stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, env=env or clean_env(), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def write(tmp: Path, text: str, name: str = "r.recipe") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


_EVALUATOR: bool | None = None


def evaluator_works(tmp: Path) -> bool:
    global _EVALUATOR
    if _EVALUATOR is None:
        write(tmp, "(finish (+ 1 2))", "probe.recipe")
        proc = run_cli(["probe.recipe", "-q"], tmp)
        _EVALUATOR = proc.returncode == 0 and proc.stdout.strip() == "3"
    return _EVALUATOR


@pytest.fixture
def needs_evaluator(tmp_path: Path) -> None:
    assert evaluator_works(tmp_path), "`recipe run` cannot run (finish (+ 1 2))"


def openai_env(server: Any, key: str = "sk-test") -> dict[str, str]:
    return clean_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=key)


# -- usage errors (no evaluator needed) -------------------------------------------------------
def test_missing_file_is_usage_error(tmp_path: Path) -> None:
    proc = run_cli(["nope.recipe"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "recipe run: no such file: nope.recipe"


def test_syntax_error_is_exit_1_with_location(tmp_path: Path) -> None:
    write(tmp_path, '(define x 1)\n(finish (string-append "a" x)\n')
    proc = run_cli(["r.recipe"], tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("r.recipe:2:1: error:")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args,message", [
    (["--context", "missing.json"], "context file not found: missing.json"),
    (["--max-concurrent", "0"], "--max-concurrent must be a positive integer"),
    (["--budget-tokens", "-5"], "--budget-tokens must be a positive integer"),
    (["--provider", "openai"], "OPENAI_API_KEY is not set"),
])
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path, "(finish 1)")
    proc = run_cli(["r.recipe", *args], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_unreadable_inputs(tmp_path: Path) -> None:
    (tmp_path / "dir.recipe").mkdir()
    proc = run_cli(["dir.recipe"], tmp_path)
    assert proc.returncode == 2 and "cannot read dir.recipe" in proc.stderr
    (tmp_path / "latin.recipe").write_bytes(b"(finish \"caf\xe9\")")
    proc = run_cli(["latin.recipe"], tmp_path)
    assert proc.returncode == 2 and "cannot read latin.recipe" in proc.stderr
    write(tmp_path, "(finish 1)")
    proc = run_cli(["r.recipe", "--context", "a.txt", "--context", "b.txt"], tmp_path)
    assert proc.returncode == 2
    proc = run_cli(["r.recipe", "--context", "notes="], tmp_path)
    assert proc.returncode == 2 and "missing path" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_configuration_is_usage_error(tmp_path: Path) -> None:
    (tmp_path / "recipe.toml").write_text("max-concurrent = 'many'\n")
    write(tmp_path, "(finish 1)")
    proc = run_cli(["r.recipe"], tmp_path)
    assert proc.returncode == 2 and "max-concurrent" in proc.stderr


# -- runs ---------------------------------------------------------------------------------------
FANOUT = """
(define items (range {n}))
(define answers
  (map-async (lambda (i) (llm-query-async #:instruction "Echo." #:data (number->string i)
                                          #:max-tokens 20))
             items #:max-concurrent {k}))
(finish (string-join answers "|"))
"""


def test_simulated_run_text_and_json(tmp_path: Path, needs_evaluator: None) -> None:
    write(tmp_path, FANOUT.format(n=5, k=2))
    proc = run_cli(["r.recipe"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "using the simulated provider" in proc.stderr
    assert proc.stdout.count("|") == 4
    assert "LLM calls" in proc.stderr and "peak concurrency" in proc.stderr
    again = run_cli(["r.recipe", "--format", "json", "-q"], tmp_path)
    data = json.loads(again.stdout)
    assert data["result"] == proc.stdout.strip()
    assert data["usage"]["calls"] == 5 and data["usage"]["total-tokens"] > 0
    assert data["calls"][0]["calls"] == 5
    assert again.stderr == ""


def test_contexts(tmp_path: Path, needs_evaluator: None) -> None:
    write(tmp_path, '(finish (format "~a/~a/~a" (hash-ref context (quote a)) '
                    '(get-context "notes") (get-context "none")))')
    (tmp_path / "c.json").write_text('{"a": 41}')
    (tmp_path / "n.txt").write_text("plain text")
    proc = run_cli(["r.recipe", "-q", "--context", "c.json", "--context", "notes=n.txt"],
                   tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "41/plain text/#f"
    write(tmp_path, "(finish context)", "s.recipe")
    proc = run_cli(["s.recipe", "-q", "--context", "-"], tmp_path, stdin="from stdin")
    assert proc.stdout.strip() == "from stdin"


def test_budget_exhausted_exit_3(tmp_path: Path, needs_evaluator: None) -> None:
    write(tmp_path, FANOUT.format(n=50, k=5))
    proc = run_cli(["r.recipe", "--budget-tokens", "300"], tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "token budget exhausted" in proc.stderr and "Traceback" not in proc.stderr
    write(tmp_path, """
(define r (parameterize ([token-budget 60])
  (for/list ([i (range 10)])
    (syntax-e (llm-query #:instruction "Echo." #:data "x" #:max-tokens 20)))))
(finish r)""", "p.recipe")
    proc = run_cli(["p.recipe", "-q"], tmp_path)
    assert proc.returncode == 3 and "token budget exhausted" in proc.stderr


def test_unreachable_server_exit_1(tmp_path: Path, needs_evaluator: None) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "recipe.toml").write_text("max-retries = 1\ntimeout = 3\n")
    write(tmp_path, FANOUT.format(n=1, k=1))
    proc = run_cli(["r.recipe", "-q"], tmp_path,
                   clean_env(OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1"))
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.startswith("r.recipe:") and "cannot reach" in first
    assert "Traceback" not in proc.stderr


def test_wrong_key_exit_1(tmp_path: Path, fake_server: Any, needs_evaluator: None) -> None:
    fake_server.configure(api_key="sk-right")
    write(tmp_path, FANOUT.format(n=20, k=5))
    proc = run_cli(["r.recipe", "-q"], tmp_path, openai_env(fake_server, "sk-wrong"))
    assert proc.returncode == 1
    assert "authentication failed: check OPENAI_API_KEY" in proc.stderr
    assert fake_server.stats.requests <= 5  # no retries


def test_faulted_fan_out_all_correct_in_order(tmp_path: Path, fake_server: Any,
                                              needs_evaluator: None) -> None:
    fake_server.configure(fault_rate=0.2, fault_kinds=["429", "500", "malformed", "empty"],
                          retry_after="0.05", latency=[0.0, 0.02], seed=7)
    (tmp_path / "recipe.toml").write_text("max-retries = 10\n")
    write(tmp_path, FANOUT.format(n=200, k=20))
    trace = tmp_path / "trace.jsonl"
    proc = run_cli(["r.recipe", "--trace", str(trace)], tmp_path, openai_env(fake_server))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "|".join(f"answer: {i}" for i in range(200))
    assert fake_server.stats.peak_in_flight <= 20
    assert sum(fake_server.stats.faults.values()) >= 20
    lines = [json.loads(x) for x in trace.read_text().splitlines()]
    calls = [x for x in lines if x["event"] == "call"]
    assert len(calls) == 200 and sum(c["retries"] for c in calls) >= 20
    assert all(c["tokens_in"] > 0 and not c["replayed"] for c in calls)


def test_global_cap_over_nested_fan_outs(tmp_path: Path, fake_server: Any,
                                         needs_evaluator: None) -> None:
    fake_server.configure(latency=0.02)
    write(tmp_path, """
(define (inner g)
  (map-async (lambda (i) (llm-query-async #:instruction "Echo." #:data (format "~a-~a" g i)))
             (range 10) #:max-concurrent 10))
(define out (parallel (for/list ([g (range 6)]) (lambda () (inner g))) #:max-concurrent 6))
(finish (length (apply append out)))""")
    proc = run_cli(["r.recipe", "-q", "--max-concurrent", "7"], tmp_path, openai_env(fake_server))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "60"
    assert fake_server.stats.peak_in_flight <= 7


def test_checkpoints_persist(tmp_path: Path, needs_evaluator: None) -> None:
    write(tmp_path, """
(define n (or (restore "count") 0))
(checkpoint "count" (+ n 1))
(finish (+ n 1))""")
    outs = [run_cli(["r.recipe", "-q"], tmp_path).stdout.strip() for _ in range(3)]
    assert outs == ["1", "2", "3"]


def test_python_bridge_from_a_recipe(tmp_path: Path, needs_evaluator: None) -> None:
    write(tmp_path, """
(py-exec "import json\\nrows = [len(w) for w in context.split()]")
(define out (py-exec "print(sum(rows))"))
(finish (string-trim out))""")
    proc = run_cli(["r.recipe", "-q", "--context", "-"], tmp_path, stdin="aa bbb c")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "6"
    write(tmp_path, '(py-exec "x = 1\\ny = x / 0")\n(finish 1)', "e.recipe")
    proc = run_cli(["e.recipe", "-q"], tmp_path)
    assert proc.returncode == 1 and "ZeroDivisionError" in proc.stderr
    assert proc.stderr.startswith("e.recipe:") and "line 2 of the Python code" in proc.stderr


def _wait_for(pred: Any, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def test_kill_9_then_resume(tmp_path: Path, fake_server: Any, needs_evaluator: None) -> None:
    k = 8
    fake_server.configure(latency=0.05)
    write(tmp_path, FANOUT.format(n=120, k=k))
    env = openai_env(fake_server)
    proc = subprocess.Popen([*CLI, "r.recipe", "-q"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(lambda: fake_server.stats.answered >= 40)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    first = set(fake_server.user_messages())
    assert 40 <= len(first) < 120
    fake_server.reset_stats()
    resumed = run_cli(["r.recipe", "-q", "--resume", "--format", "json"], tmp_path, env)
    assert resumed.returncode == 0, resumed.stderr
    data = json.loads(resumed.stdout)
    assert data["result"] == "|".join(f"answer: {i}" for i in range(120))
    second = fake_server.user_messages()
    repeated = first & set(second)
    print(f"kill -9 after {len(first)} requests; resume sent {len(second)}, "
          f"{len(repeated)} of them repeated (window {k})")
    assert len(repeated) <= k, (len(repeated), k)
    assert len(second) == len(set(second)) and len(first | set(second)) == 120
    assert data["usage"]["replayed-calls"] == 120 - len(second)
    fake_server.reset_stats()
    again = run_cli(["r.recipe", "-q", "--resume"], tmp_path, env)
    assert again.returncode == 0 and fake_server.stats.requests == 0
    assert again.stdout.strip() == data["result"]
    fresh = run_cli(["r.recipe", "-q"], tmp_path, env)  # no --resume: a fresh journal
    assert fresh.returncode == 0 and fake_server.stats.requests == 120


def test_ctrl_c_exit_130_no_orphans(tmp_path: Path, fake_server: Any,
                                    needs_evaluator: None) -> None:
    fake_server.configure(latency=5.0)
    write(tmp_path, """
(py-exec "import os\\nopen('worker.pid', 'w').write(str(os.getpid()))")
""" + FANOUT.format(n=50, k=10))
    proc = subprocess.Popen([*CLI, "r.recipe", "-q"], cwd=tmp_path, env=openai_env(fake_server),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: fake_server.stats.in_flight >= 10)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    pid = int((tmp_path / "worker.pid").read_text())
    _wait_for(lambda: not _alive(pid), timeout=5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def test_trace_unwraps_json_values_and_summary(tmp_path: Path, needs_evaluator: None) -> None:
    write(tmp_path, """
(define a (llm-query #:instruction "Name a fruit." #:data "x" #:max-tokens 30))
(define b (syntax-e a))
(define c (syntax-e (llm-query #:instruction "Name a tree." #:max-tokens 30)))
(finish (list 1 "two" 'three (hash 'k (list 2.5 #t)) (string? b)))""")
    trace = tmp_path / "t.jsonl"
    proc = run_cli(["r.recipe", "--format", "json", "--trace", str(trace)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["result"] == [1, "two", "three", {"k": [2.5, True]}, True]
    events = [json.loads(x) for x in trace.read_text().splitlines()]
    assert [e["event"] for e in events].count("unwrap") == 2
    assert [e["event"] for e in events].count("call") == 2
    assert {e["site"] for e in events if e["event"] == "call"} == {"r.recipe:2:11",
                                                                  "r.recipe:4:21"}
    assert "Estimate vs actual per call site" in proc.stderr
    assert "r.recipe:2:11" in proc.stderr
    est = {c["site"]: c["estimate-usd-per-call"] for c in data["calls"]}
    assert all(isinstance(v, list) and v[0] <= v[1] for v in est.values())


def test_recipe_error_and_finish_error(tmp_path: Path, needs_evaluator: None) -> None:
    write(tmp_path, '(define (f x) (string-append "a" x))\n(f 1)\n')
    proc = run_cli(["r.recipe", "-q"], tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("r.recipe:1:") and "Traceback" not in proc.stderr
    write(tmp_path, '(finish-error "nothing to do")\n', "f.recipe")
    proc = run_cli(["f.recipe", "-q"], tmp_path)
    assert proc.returncode == 1 and "nothing to do" in proc.stderr
    assert proc.stderr.startswith("f.recipe:1:1")


# -- --format json: one document on stdout, whatever happens ------------------------------------
def _json_run(tmp_path: Path, text: str, *args: str) -> tuple[int, dict[str, Any], str]:
    write(tmp_path, text)
    proc = run_cli(["r.recipe", "--format", "json", *args], tmp_path)
    return proc.returncode, json.loads(proc.stdout), proc.stderr  # one document, nothing else


def test_json_captures_the_recipe_output(tmp_path: Path, needs_evaluator: None) -> None:
    code, data, stderr = _json_run(
        tmp_path, '(displayln "progress: starting")\n(printf "~a+~a\\n" 1 2)\n'
                  '(display "no newline")\n(finish (list 1 2))\n', "-q")
    assert code == 0, stderr
    assert data["result"] == [1, 2] and data["error"] is None
    assert data["stdout"] == "progress: starting\n1+2\nno newline"
    assert data["usage"]["calls"] == 0 and data["calls"] == []
    # text mode is unchanged: the output as it happens, then the result
    proc = run_cli(["r.recipe", "-q"], tmp_path)
    assert proc.stdout == "progress: starting\n1+2\nno newline(1 2)\n"


def test_json_syntax_error(tmp_path: Path) -> None:
    code, data, stderr = _json_run(tmp_path, '(displayln "x")\n(finish (list 1 2)\n')
    assert code == 1
    assert stderr.startswith("r.recipe:2:1: error:")
    error = data["error"]
    assert (error["type"], error["code"], error["location"], error["file"], error["line"],
            error["column"]) == ("syntax", "S001", "r.recipe:2:1", "r.recipe", 2, 1)
    assert "unclosed" in error["message"]
    assert [e["location"] for e in error["errors"]] == ["r.recipe:2:1"]
    assert data["result"] is None and data["stdout"] == ""


def test_json_runtime_error_has_message_and_location(tmp_path: Path,
                                                     needs_evaluator: None) -> None:
    code, data, _ = _json_run(
        tmp_path, '(displayln "before")\n(define (f x) (string-append "a" x))\n(f 1)\n', "-q")
    assert code == 1
    error = data["error"]
    assert error["type"] == "runtime" and error["kind"] == "contract"
    assert error["message"].startswith("string-append: contract violation")
    assert (error["file"], error["line"]) == ("r.recipe", 2)
    assert error["location"].startswith("r.recipe:2:")
    assert error["backtrace"][-1].startswith("r.recipe:2:")
    assert data["stdout"] == "before\n" and data["result"] is None
    code, data, _ = _json_run(tmp_path, '(finish-error "nothing to do")\n', "-q")
    assert code == 1
    assert (data["error"]["type"], data["error"]["message"], data["error"]["location"]) == (
        "finish-error", "nothing to do", "r.recipe:1:1")


def test_json_budget_and_usage_errors(tmp_path: Path, needs_evaluator: None) -> None:
    code, data, _ = _json_run(tmp_path, FANOUT.format(n=50, k=5), "--budget-tokens", "300", "-q")
    assert code == 3
    assert data["error"]["type"] == "budget"
    assert "token budget exhausted" in data["error"]["message"]
    proc = run_cli(["nope.recipe", "--format", "json"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "recipe run: no such file: nope.recipe"
    error = json.loads(proc.stdout)["error"]
    assert (error["type"], error["message"]) == ("usage", "no such file: nope.recipe")
