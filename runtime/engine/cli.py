"""``recipe run``: run a recipe from the command line.

Exit codes: 0 ok · 1 recipe error, ``finish-error`` or syntax error (one line with
file:line:col, then the backtrace) · 2 usage error, unreadable file, bad configuration ·
3 budget exhausted · 130 interrupted (Ctrl-C: everything is cancelled, the journal is
already on disk, the Python worker is stopped).

``--format json`` puts exactly one JSON document on stdout, whatever happens (see
:data:`JSON_HELP`): the recipe's own output (``display``, ``printf`` …) is captured into
its ``stdout`` field instead of being printed, and an error is an object with its message
and location. Messages for people (errors, progress, the summary) still go to stderr.

Bad input never shows a Python traceback (set ``RECIPE_DEBUG=1`` to see one for an internal
error).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BUDGET, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

JSON_HELP = (
    "json: one JSON object on stdout, {result, stdout, error, usage, calls}: `stdout` holds "
    "what the recipe printed (display, printf …), captured instead of printed; `error` is "
    "null, or {type, kind, message, location, file, line, column, …} (type: syntax, "
    "runtime, finish-error, budget, usage, interrupted, internal; a syntax error also has "
    "its code and the list of all `errors`). Exit codes are the same "
    "as with text.")


class UsageError(Exception):
    pass


def add_run_parser(subparsers: Any) -> None:
    """Add ``run`` to a ``recipe`` argparse sub-command set."""
    p = subparsers.add_parser(
        "run", help="run a recipe",
        description="Run a recipe. The result goes to stdout; progress and the end-of-run "
                    "summary to stderr.")
    configure_run_parser(p)


def configure_run_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the .recipe file")
    p.add_argument("--context", action="append", default=[], metavar="PATH|-|NAME=PATH",
                   help="the input: a file (JSON-decoded when it is valid JSON, else text), "
                        "'-' for stdin, or NAME=PATH for (get-context \"NAME\"); repeatable")
    p.add_argument("--provider", choices=("auto", "openai", "simulated"), default=None,
                   help="auto (default): OpenAI when OPENAI_API_KEY or OPENAI_BASE_URL is "
                        "set, else the offline simulator")
    p.add_argument("--model", default=None, help="default model (overrides configuration)")
    p.add_argument("--max-concurrent", type=int, default=None, metavar="N",
                   help="global cap on LLM calls in flight")
    p.add_argument("--budget-tokens", type=int, default=None, metavar="N",
                   help="run-wide token budget (never exceeded)")
    p.add_argument("--budget-usd", type=float, default=None, metavar="X",
                   help="run-wide USD budget (never exceeded)")
    p.add_argument("--resume", action="store_true",
                   help="replay the answers journaled by the previous run; send only the rest")
    p.add_argument("--trace", default=None, metavar="FILE", help="write a JSONL trace")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default): the result as Racket displays it, after what the "
                        "recipe printed. " + JSON_HELP)
    p.add_argument("--allow-unsafe", action="store_true", help="enable the unsafe-* primitives")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress, no summary")
    p.set_defaults(run_main=run_main)


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _decode(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _read_input(spec: str) -> object:
    if spec == "-":
        return _decode(sys.stdin.read())
    path = Path(spec)
    try:
        return _decode(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"context file not found: {spec}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read context file {spec}: {exc}") from None


def parse_contexts(specs: list[str]) -> tuple[object, dict[str, object]]:
    default: object = ""
    have_default = False
    named: dict[str, object] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if sep and name and not Path(spec).exists() and name.replace("-", "_").isidentifier():
            if not path:
                raise UsageError(f"--context {spec}: missing path after '='")
            named[name] = _read_input(path)
        else:
            if have_default:
                raise UsageError("--context: only one unnamed context (use NAME=PATH for more)")
            default, have_default = _read_input(spec), True
    return default, named


def to_json(value: object, depth: int = 0) -> object:
    """A recipe value as JSON: lists → arrays, hashes → objects (keys displayed), symbols →
    strings, exact rationals and non-finite floats → their printed form, void → null,
    anything else (procedures, handles, Python references) → its printed form."""
    from fractions import Fraction

    from . import values as v

    if depth > 500:
        return v.display_string(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else \
            v.display_string(value)
    if isinstance(value, Fraction):
        return v.display_string(value)
    if value is v.NIL:
        return []
    if isinstance(value, v.Pair) and v.is_list(value):
        return [to_json(x, depth + 1) for x in value]
    if isinstance(value, (list, tuple)) and not isinstance(value, v.MultipleValues):
        return [to_json(x, depth + 1) for x in value]
    if isinstance(value, v.Hash):
        return {(k.name if isinstance(k, v.Symbol) else k if isinstance(k, str)
                 else v.display_string(k)): to_json(x, depth + 1) for k, x in value.items()}
    if isinstance(value, v.Symbol):
        return value.name
    if isinstance(value, v.SyntaxObj):
        return to_json(value.text, depth + 1)
    if isinstance(value, v.Void):
        return None
    return v.display_string(value)


def _where(location: str | None) -> dict[str, Any]:
    """``file:line:col`` as the error object's location fields."""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    if location:
        parts = location.rsplit(":", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            file, line, column = parts[0], int(parts[1]), int(parts[2])
        else:
            file = location
    return {"location": location, "file": file, "line": line, "column": column}


def error_json(type_: str, message: str, location: str | None = None,
               kind: str | None = None, **extra: Any) -> dict[str, Any]:
    """The ``error`` object of ``--format json``."""
    return {"type": type_, "kind": kind or type_, "message": message, **_where(location),
            **extra}


class _JsonOut:
    """The one JSON document of ``--format json``, printed at most once."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.done = False

    def emit(self, result: object = None, *, stdout: str = "",
             error: dict[str, Any] | None = None, usage: object = None,
             calls: list[Any] | None = None) -> None:
        if not self.enabled or self.done:
            return
        self.done = True
        print(json.dumps({"result": result, "stdout": stdout, "error": error, "usage": usage,
                          "calls": calls or []}, ensure_ascii=False, default=str), flush=True)


def run_main(args: argparse.Namespace) -> int:
    """Run ``args.file``; returns the exit code."""
    out = _JsonOut(getattr(args, "format", "text") == "json")
    try:
        return _run(args, out)
    except UsageError as exc:
        _err(f"recipe run: {exc}")
        out.emit(error=error_json("usage", str(exc)))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("recipe run: interrupted")
        out.emit(error=error_json("interrupted", "interrupted"))
        _exit_if_threads_linger()
        return EXIT_INTERRUPTED


def _exit_if_threads_linger() -> None:
    """After Ctrl-C everything was cancelled and the store closed; a recipe strand still
    blocked in a thread must not keep the process alive (the interpreter joins non-daemon
    threads at exit), so leave at once if one lingers."""
    import threading

    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        others = [t for t in threading.enumerate()
                  if t is not threading.current_thread() and not t.daemon and t.is_alive()]
        if not others:
            return
        time.sleep(0.05)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


def _syntax_errors(path: str, doc: Any, out: _JsonOut) -> int:
    found = []
    for issue in doc.errors:
        line, col = doc.position(issue.start)
        found.append(error_json("syntax", issue.message, f"{path}:{line + 1}:{col + 1}",
                                code=issue.code))
    for error in found[:20]:
        _err(f"{error['location']}: error: {error['message']} [{error['code']}]")
    if len(found) > 20:
        _err(f"… and {len(found) - 20} more syntax errors")
    first = dict(found[0])
    first["errors"] = found
    out.emit(error=first)
    return EXIT_ERROR


def _run(args: argparse.Namespace, out: _JsonOut) -> int:
    from ..lang.config import ConfigError, load_config
    from ..lang.reader import read

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {args.file}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read {args.file}: {exc}") from None
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise UsageError(f"configuration: {exc}") from None
    for flag, value in (("--max-concurrent", args.max_concurrent),
                        ("--budget-tokens", args.budget_tokens)):
        if value is not None and value < 1:
            raise UsageError(f"{flag} must be a positive integer")
    if args.budget_usd is not None and not args.budget_usd > 0:
        raise UsageError("--budget-usd must be positive")
    if args.model and args.model not in config.models:
        _err(f"recipe run: note: model {args.model!r} is not in the price table; its cost "
             "is counted as $0")
    context, named = parse_contexts(list(args.context))
    doc = read(text)
    if doc.errors:
        return _syntax_errors(args.file, doc, out)
    try:
        from .evaluator import run_recipe
    except ImportError as exc:
        raise UsageError(f"the evaluator is not available ({exc})") from None

    from .providers import make_provider
    from .session import RunServices
    from .store import SQLiteStore, StoreError, store_path

    kind = args.provider or config.provider
    try:
        provider = make_provider(kind, timeout=config.timeout,
                                 max_connections=max(args.max_concurrent or 0,
                                                     config.max_concurrent, 10),
                                 models=config.models)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if kind == "auto" and provider.name == "simulated" and not args.quiet:
        _err("recipe run: no OPENAI_API_KEY or OPENAI_BASE_URL: using the simulated provider "
             "(offline, deterministic answers)")
    try:
        store = SQLiteStore(store_path(path, config.store_dir), resume=args.resume)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if args.resume and not args.quiet:
        _err(f"recipe run: resuming: {store.replayable} journaled answers can be replayed")
    trace = Path(args.trace) if args.trace else None
    # --format json: what the recipe prints goes into the document, not around it
    captured = io.StringIO() if out.enabled else None
    estimates = _estimates(doc, config, str(args.file), context) \
        if not args.quiet or args.format == "json" else None
    try:
        services = RunServices(
            provider=provider, config=config, default_model=args.model, store=store,
            resume=args.resume, max_concurrent=args.max_concurrent,
            budget_tokens=args.budget_tokens, budget_usd=args.budget_usd, trace_path=trace,
            progress=None if not args.quiet else False, allow_unsafe=args.allow_unsafe,
            stdout=captured,
            run_dir=Path.cwd(), context=context, estimates=estimates)
    except OSError as exc:
        raise UsageError(f"cannot open the trace file: {exc}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    import anyio

    async def main() -> Any:
        try:
            return await run_recipe(doc, str(args.file), services, context, named)
        finally:
            with anyio.CancelScope(shield=True):
                await services.aclose()

    code = EXIT_OK
    error: dict[str, Any] | None = None
    outcome: Any = None
    start = time.monotonic()

    def emit(result: object, error: dict[str, Any] | None) -> None:
        out.emit(result, stdout=captured.getvalue() if captured is not None else "",
                 error=error, usage=services.usage(), calls=services.calls_summary())

    try:
        outcome = anyio.run(main)
    except KeyboardInterrupt:
        emit(None, error_json("interrupted", "interrupted"))
        _summary(services, args, start)
        raise
    except Exception as exc:
        code, error = _report_error(exc)
    if outcome is not None:
        if out.enabled:
            try:
                result = to_json(getattr(outcome, "value", None))
            except Exception:
                result = getattr(outcome, "display_text", "")
            emit(result, None)
        else:
            display = str(getattr(outcome, "display_text", ""))
            sys.stdout.write(display if display.endswith("\n") else display + "\n")
            sys.stdout.flush()
    elif out.enabled:
        emit(None, error or error_json("internal", "the run ended without a result"))
    _summary(services, args, start)
    return code


def _estimates(doc: Any, config: Any, filename: str,
               context: object) -> Mapping[str, tuple[float, float]] | None:
    """Per-call cost estimates (low, high) by site, from the analyser (never fails a run)."""
    try:
        from recipe.server.analysis.context import Analysis

        from ..lang.tokens import count_tokens

        text = context if isinstance(context, str) else json.dumps(context)
        analysis = Analysis(doc, config, filename, context_tokens=count_tokens(text))
        out: dict[str, tuple[float, float]] = {}
        for est in analysis.estimates.calls:
            low, high = est.cost_low, est.cost_high
            # a site whose input size is unknown is priced per 1,000 input tokens: not a
            # per-call figure to set against the actual cost
            if low is not None and high is not None and not est.per_1k_input:
                out[f"{filename}:{est.site}"] = (float(low), float(high))
        return out
    except Exception:
        return None


def _leaf(exc: BaseException) -> BaseException:
    """The first meaningful exception inside (nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        with_code = [e for e in exc.exceptions if getattr(e, "exit_code", None) is not None]
        exc = with_code[0] if with_code else exc.exceptions[0]
    return exc


def _report_error(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """Report a run's error on stderr; the exit code and the JSON error object."""
    exc = _leaf(exc)
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    code = getattr(exc, "exit_code", None)
    if isinstance(code, int):
        report = getattr(exc, "format", None)
        message = str(getattr(exc, "message", None) or exc)
        kind = str(getattr(exc, "kind", "") or "error")
        type_ = "budget" if code == EXIT_BUDGET else \
            "finish-error" if kind == "finish-error" else "runtime"
        extra: dict[str, Any] = {}
        backtrace = getattr(exc, "backtrace", None)
        if isinstance(backtrace, list):
            extra["backtrace"] = backtrace
        python_tb = getattr(exc, "python_traceback", "") or getattr(exc, "traceback", "")
        if python_tb:
            extra["python-traceback"] = str(python_tb)
        error = error_json(type_, message, getattr(exc, "location", None), kind=kind, **extra)
        if callable(report):  # RecipeError: location, message, Python traceback, backtrace
            _err(str(report()).rstrip("\n"))
            return code, error
        _err(str(exc))
        if python_tb:
            _err(str(python_tb).rstrip("\n"))
        return code, error
    _err(f"recipe run: internal error: {type(exc).__name__}: {exc}")
    if os.environ.get("RECIPE_DEBUG"):
        traceback.print_exception(exc)
    else:
        _err("(set RECIPE_DEBUG=1 to see the Python traceback; please report it)")
    return EXIT_ERROR, error_json("internal", f"{type(exc).__name__}: {exc}")


def _summary(services: Any, args: argparse.Namespace, start: float) -> None:
    if args.quiet:
        return
    try:
        from rich.console import Console

        services.summary_table(Console(stderr=True))
    except Exception:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="recipe")
    sub = parser.add_subparsers(dest="command", required=True)
    add_run_parser(sub)
    args = parser.parse_args(argv)
    return int(args.run_main(args))


if __name__ == "__main__":
    sys.exit(main())
