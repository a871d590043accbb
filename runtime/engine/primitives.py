"""Primitives: LLM calls and async handles, syntax objects, the Python bridge, finish,
checkpoints, run information, the unsafe escape hatches, and Scheme ⇄ Python conversion.

Every suspending primitive hops from its strand to the run's event loop through
:meth:`Runtime.call` (blocking this strand only) or :meth:`Runtime.start` (returns a future
at once: the async handle). Services errors become recipe errors that keep the original as
``__cause__`` and its ``exit_code``.
"""

from __future__ import annotations

import concurrent.futures
import math
import queue
import re
import threading
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

from .builtins import builtin, check_list, check_proc
from .errors import FinishError, FinishSignal, RecipeError, RunCancelled, contract_error
from .evaluator import (
    StrandState,
    call_proc,
    current,
    new_global_env,
    run_source,
    service_error,
)
from .services import LLMRequest, LLMResult, PyRef, RunError
from .values import (
    NIL,
    VOID,
    AsyncHandle,
    Char,
    Hash,
    KeywordValue,
    MultipleValues,
    Nil,
    Pair,
    Procedure,
    Symbol,
    SyntaxObj,
    Void,
    display_string,
    from_iter,
    list_to_py,
    sym,
    type_name,
    write_string,
)

LLM_KEYWORDS = ("instruction", "data", "model", "temperature", "max-tokens", "json", "image", "images")
NO_DATA = "(no data provided)"
DEFAULT_WINDOW = 10


# ============================================================================ conversion


def to_python(v: Any, who: str = "py-set!", allow_refs: bool = True) -> Any:
    """A Scheme value as JSON-able Python data (or a PyRef); error for anything else."""
    t = type(v)
    if t is str or t is bool or t is int or t is float:
        return v
    if t is Fraction:
        return float(v)
    if t is Nil:
        return []
    if t is Pair:
        items = list_to_py(v)
        if items is None:
            raise RecipeError(f"{who}: cannot convert the improper list {write_string(v)} to Python", "contract")
        return [to_python(x, who, allow_refs) for x in items]
    if t is list:
        return [to_python(x, who, allow_refs) for x in v]
    if t is Hash:
        out: dict[str, Any] = {}
        for k, x in v.items():
            if type(k) is Symbol:
                key = k.name
            elif type(k) is str:
                key = k
            else:
                raise RecipeError(f"{who}: hash keys must be symbols or strings to convert to Python, "
                                  f"given {write_string(k)}", "contract")
            out[key] = to_python(x, who, allow_refs)
        return out
    if v is VOID:
        return None
    if t is Symbol:
        return None if v.name == "null" else v.name
    if t is Char:
        return v.ch
    if t is PyRef:
        if not allow_refs:
            raise RecipeError(f"{who}: a Python reference is not JSON-able", "contract")
        return v
    if t is SyntaxObj:
        raise RecipeError(f"{who}: the value is a syntax object (LLM text); unwrap it with syntax-e first",
                          "contract")
    raise RecipeError(f"{who}: cannot convert a {type_name(v)} to Python: {write_string(v)[:60]}",
                      "contract")


def to_scheme(x: Any) -> Any:
    """Python data as a Scheme value: dict → hash with symbol keys, None → 'null."""
    if x is None:
        return sym("null")
    t = type(x)
    if t is str or t is bool or t is int or t is float:
        return x
    if t is list or t is tuple:
        return from_iter([to_scheme(e) for e in x])
    if t is dict:
        return Hash(((sym(str(k)), to_scheme(e)) for k, e in x.items()), mutable=True)
    if isinstance(x, PyRef):
        return x
    if isinstance(x, Mapping):
        return Hash(((sym(str(k)), to_scheme(e)) for k, e in x.items()), mutable=True)
    if isinstance(x, bool | int | float | str):
        return x
    return PyRef(-1, type(x).__name__, repr(x)[:80])


def check_result(v: Any, who: str = "the recipe's result") -> None:
    """A run's result may not be (or contain) LLM text still wrapped, or an async handle."""
    stack = [v]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is SyntaxObj:
            raise RecipeError(f"{who}: the result is a syntax object (LLM text); unwrap it with syntax-e first",
                              "contract")
        if t is AsyncHandle:
            raise RecipeError(f"{who}: the result is an async handle; await it first", "contract")
        if t is Pair:
            stack.append(x.car)
            stack.append(x.cdr)
        elif t is list:
            stack.extend(x)


def text_arg(who: str, kw: str, v: Any) -> str:
    """A string keyword argument (a syntax object is refused with the syntax-e hint)."""
    if type(v) is str:
        return v
    if type(v) is SyntaxObj:
        raise RecipeError(f"{who}: #:{kw} expects a string but got a syntax object (LLM text); "
                          "unwrap it with syntax-e first", "contract")
    raise RecipeError(f"{who}: #:{kw} expects a string, given {write_string(v)[:60]}", "contract")


# ============================================================================ LLM calls


def build_request(who: str, site: str, instruction: Any = "", data: Any = "", model: Any = None,
                  temperature: Any = None, max_tokens: Any = None, json: Any = False,
                  image: Any = None, images: Any = None) -> LLMRequest:
    """Validate the keyword arguments of an LLM primitive and build the request."""
    state = current()
    services = state.rt.services
    instruction = text_arg(who, "instruction", instruction)
    data = text_arg(who, "data", data)
    model_name = services.default_model if model is None or model is False else text_arg(who, "model", model)
    temp: float | None = None
    if temperature is not None and temperature is not False:
        if type(temperature) not in (int, float, Fraction):
            raise RecipeError(f"{who}: #:temperature expects a number, given {write_string(temperature)}",
                              "contract")
        if not 0 <= temperature <= 2:
            raise RecipeError(f"{who}: #:temperature must be between 0 and 2, given {write_string(temperature)}",
                              "contract")
        if re.match(r"^o\d", model_name):
            raise RecipeError(f"{who}: #:temperature is not accepted by the o-series model {model_name}",
                              "contract")
        temp = float(temperature)
    maxtok: int | None = None
    if max_tokens is not None and max_tokens is not False:
        if type(max_tokens) is not int or max_tokens < 1:
            raise RecipeError(f"{who}: #:max-tokens expects a positive integer, given {write_string(max_tokens)}",
                              "contract")
        maxtok = max_tokens
    if type(json) is not bool:
        raise RecipeError(f"{who}: #:json expects a boolean, given {write_string(json)}", "contract")
    if json and "json" not in instruction.lower():
        raise RecipeError(f"{who}: #:json #t requires the word \"json\" in #:instruction (an OpenAI API rule)",
                          "contract")
    imgs: list[str] = []
    if image is not None and image is not False:
        imgs.append(text_arg(who, "image", image))
    if images is not None and images is not False:
        if type(images) is str:
            imgs.append(images)
        else:
            items = list_to_py(images)
            if items is None:
                raise RecipeError(f"{who}: #:images expects a string or a list of strings", "contract")
            imgs.extend(text_arg(who, "images", x) for x in items)
    return LLMRequest(
        instruction=instruction,
        data=data if data != "" else NO_DATA,
        model=model_name,
        temperature=temp,
        max_tokens=maxtok,
        json=json,
        images=tuple(imgs),
        site=site,
        budgets=state.budgets,
    )


def _call_llm(who: str, req: LLMRequest, site: str) -> LLMResult:
    state = current()
    try:
        result: LLMResult = state.rt.call(state.rt.services.llm, req)
    except RunError as e:
        raise service_error(who, e, site) from e
    return result


@builtin("llm-query", keywords=(*LLM_KEYWORDS, "recursive"), site=True)
def llm_query(*, recursive: Any = False, _site: str = "", **kw: Any) -> SyntaxObj:
    return query_text("llm-query", recursive, _site, **kw)


def query_text(who: str, recursive: Any, site: str, **kw: Any) -> SyntaxObj:
    """``llm-query`` on behalf of ``who`` (the procedure the recipe called, named in errors)."""
    req = build_request(who, site, **kw)
    if recursive is not False:
        req = replace(req, recursive=True)
    result = _call_llm(who, req, site)
    if recursive is not False:
        return run_recursive(result.text, req.data if kw.get("data") else "", site, who)
    return SyntaxObj(result.text)


@builtin("unsafe-raw-query", keywords=(*LLM_KEYWORDS, "recursive"), site=True)
def unsafe_raw_query(*, recursive: Any = False, _site: str = "", **kw: Any) -> Any:
    req = build_request("unsafe-raw-query", _site, **kw)
    if recursive is not False:
        req = replace(req, recursive=True)
    result = _call_llm("unsafe-raw-query", req, _site)
    if recursive is not False:
        return run_recursive(result.text, req.data if kw.get("data") else "", _site,
                             "unsafe-raw-query").text
    return result.text


@builtin("llm-query-async", keywords=(*LLM_KEYWORDS, "recursive"), site=True)
def llm_query_async(*, recursive: Any = False, _site: str = "", **kw: Any) -> AsyncHandle:
    if recursive is not False:
        raise RecipeError("llm-query-async: #:recursive is not supported here; use (llm-query ... "
                          "#:recursive #t)", "contract")
    req = build_request("llm-query-async", _site, **kw)
    rt = current().rt
    return AsyncHandle(rt.start(rt.services.llm, req), _site)


def _strip_fences(text: str) -> str:
    m = re.search(r"```[a-zA-Z-]*\n(.*?)```", text, re.S)
    return m.group(1) if m else text


def run_recursive(text: str, data: str, site: str, who: str = "llm-query") -> SyntaxObj:
    """Run an LLM reply as a recipe in a fresh sandbox, one level deeper."""
    state = current()
    limit = state.rt.services.max_recursion_depth
    if state.depth + 1 > limit:
        raise RecipeError(f"{who}: #:recursive depth limit ({limit}) exceeded", "recursion", site)
    genv = new_global_env(state.rt)
    genv.define("context", data)
    old_globals, old_depth = state.globals, state.depth
    state.globals, state.depth = genv, old_depth + 1
    try:
        value, _ = run_source(_strip_fences(text), f"<recursive llm-query {site}>", genv)
    except RecipeError as e:
        err = RecipeError(f"{who}: the recursive sub-recipe failed: {e}", e.kind, site)
        err.__cause__ = e
        raise err from e
    finally:
        state.globals, state.depth = old_globals, old_depth
    if type(value) is SyntaxObj:
        return value
    return SyntaxObj(value if type(value) is str else display_string(value))


# ---------------------------------------------------------------------------- awaiting


def _handle(who: str, h: Any, pos: int | None = 1) -> AsyncHandle:
    if type(h) is not AsyncHandle:
        hint = " (llm-query returns text; use llm-query-async for a handle)" if type(h) is SyntaxObj else ""
        raise RecipeError(f"{who}: expected an async handle{hint}, given {write_string(h)[:60]}", "contract")
    return h


def handle_text(who: str, h: AsyncHandle) -> str:
    """Wait for a handle (this strand only) and return its text."""
    try:
        result = h.future.result()
    except concurrent.futures.CancelledError:
        if current().rt.cancelled.is_set():
            raise RunCancelled() from None
        raise RecipeError(f"{who}: the call was cancelled", "cancelled", h.site) from None
    except RunError as e:
        raise service_error(who, e, h.site) from e
    text: str = result.text
    return text


def _handles(who: str, hs: Any) -> list[AsyncHandle]:
    items = list_to_py(hs)
    if items is None:
        raise contract_error(who, "(listof async-handle?)", hs, 1)
    return [_handle(who, h) for h in items]


@builtin("await")
def await_(h: Any) -> SyntaxObj:
    return SyntaxObj(handle_text("await", _handle("await", h)))


@builtin("await-all")
def await_all(hs: Any) -> Any:
    return from_iter([handle_text("await-all", h) for h in _handles("await-all", hs)])


@builtin("await-all-syntax")
def await_all_syntax(hs: Any) -> Any:
    return from_iter([SyntaxObj(handle_text("await-all-syntax", h)) for h in _handles("await-all-syntax", hs)])


@builtin("await-any")
def await_any(hs: Any) -> MultipleValues:
    handles = _handles("await-any", hs)
    if not handles:
        raise RecipeError("await-any: expected a non-empty list of handles, given '()", "contract")
    concurrent.futures.wait([h.future for h in handles], return_when=concurrent.futures.FIRST_COMPLETED)
    for i, h in enumerate(handles):
        if h.future.done():
            text = handle_text("await-any", h)
            return MultipleValues((text, from_iter(handles[:i] + handles[i + 1:])))
    raise RecipeError("await-any: internal error: nothing finished", "error")  # pragma: no cover


def cancel_all(futures: list[concurrent.futures.Future[Any]]) -> None:
    for f in futures:
        f.cancel()


@builtin("map-async", keywords=("max-concurrent",), site=True)
def map_async(f: Any, items: Any, *, max_concurrent: Any = DEFAULT_WINDOW, _site: str = "") -> Any:
    return run_map_async("map-async", f, items, max_concurrent, _site)


def run_map_async(who: str, f: Any, items: Any, max_concurrent: Any, site: str,
                  items_pos: int = 2) -> Any:
    """``map-async`` on behalf of ``who`` (named in its errors; the items are argument
    ``items_pos`` of its call)."""
    check_proc(who, f, 1)
    xs = check_list(who, items, items_pos)
    window = _window(who, max_concurrent)
    rt = current().rt
    progress = rt.services.fan_out(site, len(xs), who)
    handles: list[AsyncHandle] = []
    # The rolling window: a slot is taken before each call and given back by the call's
    # done-callback (on the event loop), so a finished call is replaced at once and the
    # strand never scans the window. Finished futures are queued for the strand to report.
    slots = threading.Semaphore(window) if window is not None else None
    finished: queue.SimpleQueue[concurrent.futures.Future[Any]] = queue.SimpleQueue()

    def on_done(future: concurrent.futures.Future[Any]) -> None:
        finished.put(future)
        if slots is not None:
            slots.release()

    def report_finished() -> None:
        while True:
            try:
                done = finished.get_nowait()
            except queue.Empty:
                return
            progress.item_done()
            if not done.cancelled() and done.exception() is not None:  # fail fast
                handle_text(who, next(h for h in handles if h.future is done))

    try:
        for x in xs:
            if slots is not None:
                slots.acquire()
            report_finished()
            h = call_proc(f, [x])
            if type(h) is not AsyncHandle:
                if slots is not None:
                    slots.release()
                raise RecipeError(
                    f"{who}: the function must return an async handle (use llm-query-async), "
                    f"got {type_name(h)}", "contract")
            handles.append(h)
            progress.item_started()
            h.future.add_done_callback(on_done)
        concurrent.futures.wait([h.future for h in handles], return_when=concurrent.futures.FIRST_EXCEPTION)
        report_finished()
        for h in handles:  # fail fast on the first failed call (the rest are cancelled below)
            if h.future.done() and not h.future.cancelled() and h.future.exception() is not None:
                handle_text(who, h)
        return from_iter([handle_text(who, h) for h in handles])
    except BaseException:
        cancel_all([h.future for h in handles if not h.future.done()])
        raise
    finally:
        progress.close()


def _window(who: str, n: Any) -> int | None:
    if n is False or n is None:
        return None
    if type(n) is not int or n < 1:
        raise RecipeError(f"{who}: #:max-concurrent expects a positive integer or #f, given {write_string(n)}",
                          "contract")
    return n


# ============================================================================ syntax objects


@builtin("syntax-e", site=True)
def syntax_e(s: Any, _site: str = "") -> Any:
    if type(s) is SyntaxObj:
        current().rt.services.trace_unwrap(_site)
        return s.text
    if type(s) is str:
        return s
    raise contract_error("syntax-e", "(or/c syntax? string?)", s, 1)


@builtin("datum->syntax")
def datum_to_syntax(ctx: Any, v: Any, *rest: Any) -> SyntaxObj:
    return v if type(v) is SyntaxObj else SyntaxObj(v)


# ============================================================================ Python bridge


def _python_error(who: str, e: RunError, site: str) -> RecipeError:
    err = service_error(who, e, site)
    line = getattr(e, "line", None)
    literal = current().globals.py_literals.get(site)
    if line is not None and literal is not None:
        fname, lit_line, lit_col = literal
        col = lit_col + 2 if line == 1 else 1
        err.message = f"{err.message} (line {line} of the Python code of the {who} at {site})"
        err.args = (err.message,)
        err.location = f"{fname}:{lit_line + line}:{col}"
    return err


def _py(who: str, site: str, method: str, *args: Any) -> Any:
    rt = current().rt
    try:
        return rt.call(getattr(rt.services.python, method), *args)
    except RunError as e:
        raise _python_error(who, e, site) from e


@builtin("py-exec", site=True)
def py_exec(code: Any, _site: str = "") -> str:
    code = text_arg("py-exec", "code", code) if type(code) is not str else code
    out: str = _py("py-exec", _site, "exec", code)
    return out


@builtin("py-eval", site=True)
def py_eval(expr: Any, _site: str = "") -> Any:
    expr = text_arg("py-eval", "expr", expr) if type(expr) is not str else expr
    return to_scheme(_py("py-eval", _site, "eval", expr))


@builtin("py-set!", site=True)
def py_set(name: Any, value: Any, _site: str = "") -> Void:
    if type(name) is Symbol:
        name = name.name
    if type(name) is not str:
        raise contract_error("py-set!", "string?", name, 1)
    if not name.isidentifier():
        raise RecipeError(f"py-set!: {write_string(name)} is not a Python identifier", "contract")
    _py("py-set!", _site, "set", name, to_python(value, "py-set!"))
    return VOID


@builtin("py-call", site=True)
def py_call(ref: Any, method: Any, *args: Any, _site: str = "") -> Any:
    if type(ref) is not PyRef:
        raise contract_error("py-call", "python-reference?", ref, 1)
    if type(method) is Symbol:
        method = method.name
    if type(method) is not str:
        raise contract_error("py-call", "string?", method, 2)
    converted = [to_python(a, "py-call") for a in args]
    return to_scheme(_py("py-call", _site, "call", ref, method, converted))


# ============================================================================ finish


@builtin("finish", site=True)
def finish(v: Any, _site: str = "") -> Any:
    try:
        check_result(v, "finish")
    except RecipeError as e:
        e.location = _site
        raise
    raise FinishSignal(v)


@builtin("finish-var", site=True)
def finish_var(name: Any, _site: str = "") -> Any:
    if type(name) is Symbol:
        name = name.name
    if type(name) is not str:
        raise contract_error("finish-var", "string?", name, 1)
    from .values import UNDEFINED

    value = current().globals.lookup(name)
    if value is UNDEFINED:
        raise RecipeError(f"finish-var: no variable named `{name}`", "unbound", _site)
    return finish(value, _site=_site)


@builtin("finish-error", site=True)
def finish_error(msg: Any, _site: str = "") -> Any:
    if type(msg) is SyntaxObj:
        msg = msg.text
    raise FinishError(display_string(msg), _site)


# ============================================================================ checkpoints, run info


def _key(who: str, key: Any) -> str:
    if type(key) is Symbol:
        return key.name
    if type(key) is not str:
        raise contract_error(who, "string?", key, 1)
    return key


@builtin("checkpoint")
def checkpoint(key: Any, value: Any) -> Any:
    k = _key("checkpoint", key)
    data = to_python(value, "checkpoint", allow_refs=False)
    if isinstance(data, float) and not math.isfinite(data):
        raise RecipeError("checkpoint: the value is not JSON-able (infinite or NaN number)", "contract")
    current().rt.services.store.checkpoint(k, data)
    return value


@builtin("restore")
def restore(key: Any) -> Any:
    found, value = current().rt.services.store.restore(_key("restore", key))
    return to_scheme(value) if found else False


def _symbol_hash(data: Mapping[str, Any]) -> Hash:
    return Hash(((sym(k), to_scheme(v)) for k, v in data.items()), mutable=False)


@builtin("tokens-used")
def tokens_used() -> Hash:
    return _symbol_hash(current().rt.services.tokens_used())


@builtin("rate-limits")
def rate_limits() -> Hash:
    return _symbol_hash(current().rt.services.rate_limits())


@builtin("heartbeat")
def heartbeat() -> Void:
    return VOID


@builtin("token-budget")
def token_budget() -> Any:
    budgets = current().budgets
    if not budgets:
        return math.inf
    return min(b.available for b in budgets)


@builtin("get-context")
def get_context(name: Any) -> Any:
    key = _key("get-context", name)
    named = current().rt.named_contexts
    if key not in named:
        return False
    v = named[key]
    return v if type(v) is str else to_scheme(v)


@builtin("chunk")
def chunk(lst: Any, n: Any) -> Any:
    items = check_list("chunk", lst, 1)
    if type(n) is not int or n < 1:
        raise contract_error("chunk", "exact-positive-integer?", n, 2)
    return from_iter([from_iter(items[i:i + n]) for i in range(0, len(items), n)])


# ============================================================================ unsafe


def _unsafe(who: str) -> StrandState:
    state = current()
    if not state.rt.services.allow_unsafe:
        raise RecipeError(f"{who} is disabled; run with --allow-unsafe", "unsafe")
    return state


@builtin("unsafe-interpolate")
def unsafe_interpolate(s: Any) -> Any:
    _unsafe("unsafe-interpolate")
    return s.text if type(s) is SyntaxObj else s


@builtin("unsafe-overwrite")
def unsafe_overwrite(name: Any, value: Any) -> Void:
    state = _unsafe("unsafe-overwrite")
    if type(name) is not Symbol:
        raise contract_error("unsafe-overwrite", "symbol?", name, 1)
    state.globals.define(name.name, value)
    return VOID


@builtin("unsafe-exec-sub-output", site=True)
def unsafe_exec_sub_output(s: Any, _site: str = "") -> Any:
    state = _unsafe("unsafe-exec-sub-output")
    text = s.text if type(s) is SyntaxObj else s
    if type(text) is not str:
        raise contract_error("unsafe-exec-sub-output", "string?", s, 1)
    value, _ = run_source(text, f"<sub-output {_site}>", state.globals)
    return value


__all__ = ["NIL", "KeywordValue", "Procedure", "check_result", "to_python", "to_scheme"]
