"""Combinators (LANGUAGE.md §8): higher-order helpers over the functions that make LLM calls.

``parallel``, ``vote`` and ``ensemble`` run each thunk in its own strand thread, truly
concurrently (bounded by ``#:max-concurrent`` where given); so does ``race``, which takes the
first result and cancels the losers' calls and stops their strands.
"""

from __future__ import annotations

import concurrent.futures
import functools
import threading
from collections.abc import Callable
from typing import Any

from .builtins import builtin, check_list, check_nat, check_proc
from .errors import FinishError, FinishSignal, RecipeError, RunCancelled, contract_error
from .evaluator import call_proc, current, spawn_strand
from .primitives import DEFAULT_WINDOW, _window, cancel_all, handle_text, run_map_async
from .values import (
    AsyncHandle,
    Builtin,
    Hash,
    Procedure,
    Symbol,
    SyntaxObj,
    display_string,
    from_iter,
    hash_key,
    list_to_py,
    sym,
    write_string,
)


def _thunks(who: str, thunks: Any) -> list[Any]:
    items = check_list(who, thunks, 1)
    for t in items:
        if not isinstance(t, Procedure):
            raise contract_error(who, "(listof procedure?)", thunks, 1)
    return items


def _finished_run(done: set[concurrent.futures.Future[Any]]) -> BaseException | None:
    """A `finish` or `finish-error` among what ``done`` raised: the run ends there."""
    for fut in done:
        exc = None if fut.cancelled() else fut.exception()
        if isinstance(exc, (FinishSignal, FinishError)):
            return exc
    return None


def run_concurrently(who: str, thunks: list[Any], window: int | None) -> list[Any]:
    """Call each thunk in its own strand (at most ``window`` at once); results in order.
    The first error (in input order) is raised after every started strand has ended — but
    a thunk that finishes the run (`finish`, `finish-error`) ends it at once, its siblings
    stopped."""
    parent = current()
    stop = threading.Event()
    futures: list[concurrent.futures.Future[Any]] = []
    inflight: set[concurrent.futures.Future[Any]] = set()
    progress = parent.rt.services.fan_out("", len(thunks), who)
    try:
        for t in thunks:
            while window is not None and len(inflight) >= window:
                done, _ = concurrent.futures.wait(inflight, return_when=concurrent.futures.FIRST_COMPLETED)
                inflight -= done
                for _ in done:
                    progress.item_done()
                finished = _finished_run(done)
                if finished is not None:
                    raise finished
            fut = spawn_strand(functools.partial(call_proc, t, []), parent.child(stop))
            futures.append(fut)
            inflight.add(fut)
            progress.item_started()
        running = set(futures)
        while running:
            done, running = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED)
            finished = _finished_run(done)
            if finished is not None:
                raise finished
        for _ in inflight:
            progress.item_done()
        return [f.result() for f in futures]
    except BaseException:
        stop.set()
        raise
    finally:
        progress.close()


@builtin("parallel", keywords=("max-concurrent",))
def parallel(thunks: Any, *, max_concurrent: Any = False) -> Any:
    return from_iter(run_concurrently("parallel", _thunks("parallel", thunks),
                                      _window("parallel", max_concurrent)))


def _as_text(who: str, v: Any) -> str:
    """A thunk result as text: handles are awaited, syntax objects unwrapped (traced)."""
    if type(v) is AsyncHandle:
        return handle_text(who, v)
    if type(v) is SyntaxObj:
        current().rt.services.trace_unwrap(who)
        return v.text if type(v.text) is str else display_string(v.text)
    return v if type(v) is str else display_string(v)


@builtin("race")
def race(thunks: Any) -> Any:
    """Each thunk in its own strand; the first result wins — a value a thunk returns, or the
    answer of the call whose handle it returns — and the rest are cancelled: calls in flight
    cancelled, strands still working stopped before they start or wait for anything more."""
    items = _thunks("race", thunks)
    if not items:
        raise RecipeError("race: expected a non-empty list of thunks", "contract")
    parent = current()
    stop = threading.Event()
    strands = [spawn_strand(functools.partial(call_proc, t, []), parent.child(stop))
               for t in items]
    rank: dict[concurrent.futures.Future[Any], int] = {f: i for i, f in enumerate(strands)}
    handles: dict[concurrent.futures.Future[Any], AsyncHandle] = {}
    pending: set[concurrent.futures.Future[Any]] = set(strands)
    failed: list[tuple[BaseException, AsyncHandle | None]] = []
    try:
        while pending:
            done, pending = concurrent.futures.wait(
                pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: rank[f]):  # (input order among ties)
                if fut.cancelled():
                    continue
                exc = fut.exception()
                handle = handles.get(fut)
                if exc is not None:
                    if handle is None and (isinstance(exc, FinishError)
                                           or not isinstance(exc, RecipeError)):
                        raise exc  # (finish or finish-error in a thunk, the run cancelled…)
                    failed.append((exc, handle))  # (a failed call, or a thunk's error)
                elif handle is not None:
                    return handle_text("race", handle)
                else:
                    v = fut.result()
                    if type(v) is not AsyncHandle:
                        return v.text if type(v) is SyntaxObj else v
                    handles[v.future] = v
                    rank[v.future] = rank[fut]
                    pending.add(v.future)
        if not failed:  # (every call cancelled from outside)
            if parent.rt.cancelled.is_set():
                raise RunCancelled()
            raise RecipeError("race: every call was cancelled", "cancelled")
        exc, handle = failed[-1]
        if handle is not None:
            return handle_text("race", handle)  # (raises the call's error, located)
        raise exc
    finally:
        stop.set()
        cancel_all([h.future for h in handles.values() if not h.future.done()])


@builtin("sequence")
def sequence(*fs: Any) -> Builtin:
    for i, f in enumerate(fs):
        check_proc("sequence", f, i + 1)

    def run(x: Any) -> Any:
        for f in fs:
            x = call_proc(f, [x])
        return x

    return Builtin("sequence", run, 1, 1)


@builtin("fold-sequential")
def fold_sequential(f: Any, init: Any, items: Any) -> Any:
    check_proc("fold-sequential", f, 1)
    acc = init
    for x in check_list("fold-sequential", items, 3):
        acc = call_proc(f, [acc, x])
    return acc


@builtin("tree-reduce", keywords=("branch-factor", "leaf-fn"))
def tree_reduce(f: Any, items: Any, *, branch_factor: Any = 5, leaf_fn: Any = None) -> Any:
    check_proc("tree-reduce", f, 1)
    xs = check_list("tree-reduce", items, 2)
    if not xs:
        raise RecipeError("tree-reduce: cannot reduce an empty list", "contract")
    if type(branch_factor) is not int or branch_factor < 2:
        raise RecipeError(f"tree-reduce: #:branch-factor must be an integer >= 2, given {write_string(branch_factor)}",
                          "contract")
    if leaf_fn is not None and leaf_fn is not False:
        check_proc("tree-reduce", leaf_fn)
        xs = [call_proc(leaf_fn, [x]) for x in xs]
    while len(xs) > 1:
        xs = [call_proc(f, xs[i:i + branch_factor]) for i in range(0, len(xs), branch_factor)]
    return xs[0]


@builtin("fan-out-aggregate", keywords=("max-concurrent",), site=True)
def fan_out_aggregate(map_f: Any, reduce_f: Any, items: Any, *, max_concurrent: Any = DEFAULT_WINDOW,
                      _site: str = "") -> Any:
    check_proc("fan-out-aggregate", reduce_f, 2)
    results = run_map_async("fan-out-aggregate", map_f, items, max_concurrent, _site,
                            items_pos=3)
    return call_proc(reduce_f, [results])


@builtin("recursive-spawn", keywords=("depth",), site=True)
def recursive_spawn(strategy: Any, *, depth: Any = 1, _site: str = "") -> Builtin:
    from .primitives import query_text

    if type(strategy) is SyntaxObj:
        raise RecipeError("recursive-spawn: the strategy is a syntax object (LLM text); unwrap it with "
                          "syntax-e first", "contract")
    if type(strategy) is not str and not isinstance(strategy, Procedure):
        raise contract_error("recursive-spawn", "string?", strategy, 1)
    check_nat("recursive-spawn", depth)

    def spawn(data: Any) -> Any:
        instruction = strategy if type(strategy) is str else call_proc(strategy, [data])
        return query_text("recursive-spawn", True, _site, instruction=instruction, data=data)

    return Builtin("recursive-spawn", spawn, 1, 1)


@builtin("iterate-until", keywords=("max-iter",))
def iterate_until(f: Any, pred: Any, init: Any, *, max_iter: Any = 10) -> Any:
    check_proc("iterate-until", f, 1)
    check_proc("iterate-until", pred, 2)
    check_nat("iterate-until", max_iter)
    state = init
    i = 0
    while call_proc(pred, [state]) is False and i < max_iter:
        state = call_proc(f, [state])
        i += 1
    return state


@builtin("critique-refine", keywords=("max-iter", "quality-threshold"))
def critique_refine(gen: Any, critique: Any, refine: Any, *, max_iter: Any = 3,
                    quality_threshold: Any = False) -> Any:
    for i, p in enumerate((gen, critique, refine)):
        check_proc("critique-refine", p, i + 1)
    check_nat("critique-refine", max_iter)
    draft = call_proc(gen, [])
    for _ in range(max_iter):
        crit = call_proc(critique, [draft])
        if quality_threshold is not False:
            text = crit.text if type(crit) is SyntaxObj else crit
            if "approved" in display_string(text).lower():
                break
        draft = call_proc(refine, [draft, crit])
    return draft


@builtin("with-validation")
def with_validation(f: Any, validator: Any) -> Builtin:
    check_proc("with-validation", f, 1)
    check_proc("with-validation", validator, 2)

    def validated(*args: Any) -> Any:
        result = call_proc(f, list(args))
        if call_proc(validator, [result]) is False:
            raise RecipeError("with-validation: validation failed", "validation")
        return result

    return Builtin("with-validation", validated, 0, None)


@builtin("vote", keywords=("method", "max-concurrent"))
def vote(thunks: Any, *, method: Any = None, max_concurrent: Any = False) -> Any:
    items = _thunks("vote", thunks)
    how = "majority" if method is None else (method.name if type(method) is Symbol else method)
    if how not in ("majority", "plurality", "consensus"):
        raise RecipeError(f"vote: #:method must be 'majority, 'plurality or 'consensus, given "
                          f"{write_string(method)}", "contract")
    if not items:
        raise RecipeError("vote: expected a non-empty list of thunks", "contract")
    results = [_as_text("vote", r) for r in run_concurrently("vote", items, _window("vote", max_concurrent))]
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for r in results:
        key = r.strip()
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, r)
    best = max(counts, key=lambda k: counts[k])  # first seen wins ties
    if how == "consensus":
        if len(counts) != 1:
            raise RecipeError(f"vote: no consensus ({len(counts)} different answers)", "vote")
    elif how == "majority" and counts[best] * 2 <= len(results):
        raise RecipeError(f"vote: no majority (best answer has {counts[best]} of {len(results)} votes)",
                          "vote")
    return first[best]


@builtin("ensemble", keywords=("aggregator", "max-concurrent"))
def ensemble(thunks: Any, *, aggregator: Any = None, max_concurrent: Any = False) -> Any:
    items = _thunks("ensemble", thunks)
    results = [_as_text("ensemble", r) for r in
               run_concurrently("ensemble", items, _window("ensemble", max_concurrent))]
    if aggregator is not None and aggregator is not False:
        check_proc("ensemble", aggregator)
        return call_proc(aggregator, [from_iter(results)])
    return "\n\n".join(f"{i + 1}. {r}" for i, r in enumerate(results))


@builtin("tiered")
def tiered(cheap_f: Any, expensive_f: Any, items: Any) -> Any:
    check_proc("tiered", cheap_f, 1)
    check_proc("tiered", expensive_f, 2)
    cheap = from_iter([call_proc(cheap_f, [x]) for x in check_list("tiered", items, 3)])
    return call_proc(expensive_f, [cheap])


@builtin("active-learning", keywords=("threshold",))
def active_learning(cheap_f: Any, expensive_f: Any, uncertainty_f: Any, items: Any, *,
                    threshold: Any = 0.7) -> Any:
    for i, p in enumerate((cheap_f, expensive_f, uncertainty_f)):
        check_proc("active-learning", p, i + 1)
    out = []
    for x in check_list("active-learning", items, 4):
        r = call_proc(cheap_f, [x])
        score = call_proc(uncertainty_f, [r])
        if type(score) not in (int, float) and not hasattr(score, "numerator"):
            raise RecipeError(f"active-learning: the uncertainty function must return a number, given "
                              f"{write_string(score)}", "contract")
        out.append(call_proc(expensive_f, [x]) if score < threshold else r)
    return from_iter(out)


@builtin("memoized", keywords=("key-fn",))
def memoized(f: Any, *, key_fn: Any = None) -> Builtin:
    check_proc("memoized", f, 1)
    cache = Hash()
    missing = object()

    def memo(*args: Any) -> Any:
        if key_fn is not None and key_fn is not False:
            key = call_proc(key_fn, list(args))
        else:
            key = args[0] if len(args) == 1 else from_iter(args)
        hit = cache.get(key, missing)
        if hit is not missing:
            return hit
        v = call_proc(f, list(args))
        cache.set(key, v)
        return v

    return Builtin("memoized", memo, 0, None)


@builtin("choose")
def choose(pred: Any, then_f: Any, else_f: Any) -> Builtin:
    for i, p in enumerate((pred, then_f, else_f)):
        check_proc("choose", p, i + 1)

    def chooser(x: Any) -> Any:
        return call_proc(then_f if call_proc(pred, [x]) is not False else else_f, [x])

    return Builtin("choose", chooser, 1, 1)


@builtin("try-fallback")
def try_fallback(primary: Any, fallback: Any) -> Builtin:
    check_proc("try-fallback", primary, 1)
    check_proc("try-fallback", fallback, 2)

    def attempt(*args: Any) -> Any:
        try:
            return call_proc(primary, list(args))
        except RecipeError:
            return call_proc(fallback, list(args))

    return Builtin("try-fallback", attempt, 0, None)


__all__ = ["Callable", "hash_key", "list_to_py", "sym"]
