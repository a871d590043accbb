"""The evaluator: recipe syntax tree → Python closures, run in strands.

Compilation
    Each form is compiled once into a Python closure ``node(env) -> value``; nothing
    dispatches on node kinds at run time. Variables are resolved at compile time to a
    lexical address (frame depth, slot) or to a global :class:`Cell`. A frame is a Python
    list ``[parent, slot1, slot2, ...]``. Calls to built-ins the program never redefines
    (``+ - * < car cdr null? ...``) are inlined with an exact-integer / pair fast path.

Proper tail calls
    A call in tail position returns a :class:`TailCall` instead of calling a closure;
    the nearest non-tail call (or :func:`call_proc`) runs a trampoline loop. So a named-let
    loop of any length runs in constant Python stack. Built-ins called in tail position are
    called directly (a built-in such as ``apply`` in tail position is not a proper tail
    call — the one documented exception).

Strands and concurrency
    Compiled closures are ordinary synchronous Python. A recipe runs in a *strand*: a
    worker thread with a large stack (deep non-tail recursion is bounded by the recursion
    limit and reported as a recipe error, never a crash). Only suspending operations
    (LLM calls, awaits, the Python bridge, ``sleep``) hop to the run's anyio event loop,
    through a :class:`anyio.from_thread.BlockingPortal`: ``portal.call`` blocks the strand,
    ``portal.start_task_soon`` starts an LLM call and returns a ``concurrent.futures.Future``
    at once — that future is the async handle. ``parallel``, ``vote`` and ``ensemble`` run
    each thunk in its own strand thread. Dynamic state (the token-budget scope chain) is
    per strand (thread-local) and inherited by child strands. Pure code never touches the
    event loop and pays nothing for async.

Errors
    Errors are :class:`~.errors.RecipeError` with ``file:line:col`` of the failing form and a
    recipe backtrace gathered as the error unwinds through call sites (zero cost until an
    error happens).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import anyio
from anyio.from_thread import BlockingPortal

from ..lang import catalog as _catalog
from ..lang.names import closest
from ..lang.reader import read
from ..lang.syntax import (
    BOOLEAN,
    CHAR,
    DOT,
    ERROR,
    KEYWORD,
    NUMBER,
    STRING,
    SYMBOL,
    Atom,
    Document,
    ListNode,
    Node,
    Quote,
)
from .errors import (
    ExnValue,
    FinishSignal,
    RecipeError,
    RunCancelled,
    arity_error,
)
from .services import BudgetScope, RunError, Services
from .values import (
    NIL,
    UNDEFINED,
    VOID,
    Builtin,
    Char,
    Closure,
    Hash,
    KeywordValue,
    MultipleValues,
    Nil,
    Pair,
    Procedure,
    SyntaxObj,
    display_string,
    from_iter,
    list_to_py,
    sym,
    type_name,
    write_string,
)

Env = Any  # a frame: list [parent, slot1, ...] or None at top level
NodeFn = Callable[[Env], Any]

STRAND_STACK_SIZE = 512 * 1024 * 1024
RECURSION_LIMIT = 400_000  # ~130,000 nested Scheme calls (each takes 2–3 Python frames)
TOP_LEVEL = "top level"


# ============================================================================ run state


class Cell:
    """A global variable."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: Any = UNDEFINED) -> None:
        self.name = name
        self.value = value


class GlobalEnv:
    """The top-level bindings of one sandbox (the main recipe, or a recursive sub-recipe)."""

    def __init__(self) -> None:
        self.cells: dict[str, Cell] = {}
        # call site → (file, 0-based line, column) of a string literal given to py-exec/py-eval
        self.py_literals: dict[str, tuple[str, int, int]] = {}

    def cell(self, name: str) -> Cell:
        c = self.cells.get(name)
        if c is None:
            c = self.cells[name] = Cell(name)
        return c

    def define(self, name: str, value: Any) -> None:
        self.cell(name).value = value

    def lookup(self, name: str) -> Any:
        c = self.cells.get(name)
        return UNDEFINED if c is None else c.value

    def bound_names(self) -> list[str]:
        return [n for n, c in self.cells.items() if c.value is not UNDEFINED]


class Runtime:
    """One run: services, the event-loop portal, and run-wide settings."""

    def __init__(
        self,
        services: Services,
        portal: BlockingPortal | None,
        filename: str,
        context: object = "",
        named_contexts: Mapping[str, object] | None = None,
    ) -> None:
        self.services = services
        self.portal = portal
        self.filename = filename
        self.context = context
        self.named_contexts = dict(named_contexts or {})
        self.cancelled = threading.Event()
        self.stderr: Any = sys.stderr

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` (awaited if async) on the event loop; block this strand."""
        if self.cancelled.is_set() or _strand_stopped():
            raise RunCancelled()
        if self.portal is None:
            raise RecipeError("no event loop available for this operation")
        return self.portal.call(fn, *args)

    def start(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Start ``fn(*args)`` on the event loop; return its future at once."""
        if self.cancelled.is_set() or _strand_stopped():
            raise RunCancelled()
        if self.portal is None:
            raise RecipeError("no event loop available for this operation")
        return self.portal.start_task_soon(fn, *args)


class StrandState:
    """Per-strand dynamic state."""

    __slots__ = ("budgets", "depth", "globals", "rt", "stop")

    def __init__(
        self, rt: Runtime, genv: GlobalEnv, budgets: tuple[BudgetScope, ...] = (), depth: int = 0,
        stop: tuple[threading.Event, ...] = (),
    ) -> None:
        self.rt = rt
        self.globals = genv
        self.budgets = budgets
        self.depth = depth  # recursive llm-query nesting
        # One of them is set when what this strand computes is no longer wanted (the losers
        # of a race, the siblings of a thunk that finished the run): it starts no more calls
        # and no more waits.
        self.stop = stop

    def child(self, stop: threading.Event | None = None) -> StrandState:
        return StrandState(self.rt, self.globals, self.budgets, self.depth,
                           self.stop if stop is None else (*self.stop, stop))


_tls = threading.local()


def current() -> StrandState:
    """The state of the strand running on this thread."""
    try:
        state: StrandState = _tls.state
    except AttributeError:
        raise RecipeError("this operation needs a running recipe") from None
    return state


def _strand_stopped() -> bool:
    state: StrandState | None = getattr(_tls, "state", None)
    return state is not None and any(event.is_set() for event in state.stop)


def set_current(state: StrandState | None) -> None:
    _tls.state = state


_stack_lock = threading.Lock()


def spawn_strand(fn: Callable[[], Any], state: StrandState) -> Future[Any]:
    """Run ``fn`` in a new strand thread (large stack); its result arrives in the future."""
    fut: Future[Any] = Future()

    def target() -> None:
        _tls.state = state
        if not fut.set_running_or_notify_cancel():
            return
        try:
            result = fn()
        except BaseException as exc:
            fut.set_exception(exc)
        else:
            fut.set_result(result)

    _ensure_recursion_limit()
    with _stack_lock:
        old = threading.stack_size()
        try:
            threading.stack_size(STRAND_STACK_SIZE)
            thread = threading.Thread(target=target, name="recipe-strand", daemon=True)
            thread.start()
        finally:
            threading.stack_size(old)
    return fut


def _ensure_recursion_limit() -> None:
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


def recursion_error(location: str | None = None) -> RecipeError:
    return RecipeError(
        "recursion too deep: non-tail recursion exceeded the stack limit "
        "(make the recursive call a tail call, or use a loop)", "recursion", location)


# ============================================================================ calls


class TailCall:
    """A pending call of a closure in tail position (run by the trampoline)."""

    __slots__ = ("args", "kw", "proc", "site")

    def __init__(self, proc: Closure, args: list[Any], kw: dict[str, Any] | None, site: str) -> None:
        self.proc = proc
        self.args = args
        self.kw = kw
        self.site = site


def trampoline(r: Any) -> Any:
    """Run tail calls until a value comes back."""
    while True:
        p = r.proc
        args = r.args
        if p.fast == len(args) and r.kw is None:
            r = p.body([p.env, *args])
        else:
            r = p.body(bind_args(p, args, r.kw, r.site))
        if type(r) is not TailCall:
            return r


def call_proc(p: Any, args: list[Any], kw: dict[str, Any] | None = None) -> Any:
    """Call any procedure value from Python (built-ins, combinators)."""
    tp = type(p)
    if tp is Closure:
        if p.fast == len(args) and not kw:
            r = p.body([p.env, *args])
        else:
            r = p.body(bind_args(p, args, kw, None))
        if type(r) is TailCall:
            r = trampoline(r)
        return r
    if tp is Builtin:
        return invoke_builtin(p, args, kw, None)
    raise not_procedure(p, None)


def not_procedure(p: Any, site: str | None) -> RecipeError:
    shown = write_string(p)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    msg = f"application: not a procedure; expected a procedure that can be applied, given {shown} ({type_name(p)})"
    if type(p) is SyntaxObj:
        msg += "; a syntax object is LLM text, not a procedure"
    return RecipeError(msg, "contract", site)


def invoke_builtin(p: Builtin, args: list[Any], kw: dict[str, Any] | None, site: str | None) -> Any:
    """Call a built-in, turning Python failures into recipe errors that name it."""
    try:
        if kw:
            pykw = check_keywords(p, kw)
            if p.wants_site:
                pykw["_site"] = site or ""
            return p.fn(*args, **pykw)
        if p.wants_site:
            return p.fn(*args, _site=site or "")
        return p.fn(*args)
    except RecipeError as e:
        if e.location is None:
            e.location = site
        raise
    except RecursionError:
        raise
    except RunError as e:
        raise service_error(p.name, e, site) from e
    except TypeError as e:
        n = len(args)
        if n < p.min_args or (p.max_args is not None and n > p.max_args):
            raise located(arity_error(p.name, _arity_text(p), n), site) from None
        raise RecipeError(f"{p.name}: {e}", "contract", site) from None
    except ZeroDivisionError:
        raise RecipeError(f"{p.name}: division by zero", "divide-by-zero", site) from None
    except (ValueError, IndexError, KeyError, AttributeError, OverflowError) as e:
        raise RecipeError(f"{p.name}: {e}", "contract", site) from None


def located(e: RecipeError, site: str | None) -> RecipeError:
    if e.location is None:
        e.location = site
    return e


def service_error(name: str, e: RunError, site: str | None) -> RecipeError:
    """A services error (budget, provider, Python) as a recipe error keeping the cause."""
    from .services import BudgetExhausted, PythonError

    kind = "budget" if isinstance(e, BudgetExhausted) else (
        "python" if isinstance(e, PythonError) else "llm")
    err = RecipeError(f"{name}: {e}", kind, site, exit_code=e.exit_code)
    if isinstance(e, PythonError):
        err.python_traceback = e.traceback
    err.__cause__ = e
    return err


def _arity_text(p: Builtin) -> str:
    if p.max_args is None:
        return f"at least {p.min_args}"
    if p.max_args == p.min_args:
        return str(p.min_args)
    return f"{p.min_args} to {p.max_args}"


def check_keywords(p: Builtin, kw: dict[str, Any]) -> dict[str, Any]:
    """Validate keyword arguments against the built-in (and its catalogue entry)."""
    if p.rest_keywords:
        return dict(kw)
    entry = catalog_entry(p.name)
    out: dict[str, Any] = {}
    for name, value in kw.items():
        if name not in p.keywords:
            hint = closest(name, p.keywords)
            accepted = ", ".join("#:" + k for k in sorted(p.keywords)) or "none"
            msg = f"{p.name}: unknown keyword #:{name}"
            msg += f"; did you mean #:{hint}?" if hint else f" (accepted: {accepted})"
            raise RecipeError(msg, "contract")
        if entry is not None:
            spec = entry.keyword(name)
            if spec is not None:
                check_keyword_value(p.name, spec, value)
        out[name.replace("-", "_").replace("?", "_p")] = value
    return out


def check_keyword_value(proc: str, spec: _catalog.Keyword, value: Any) -> None:
    """Type and range check of one keyword argument (from the catalogue)."""
    t = spec.type
    ok = True
    expected = t
    if value is False and (spec.default is None or t in (
            _catalog.INTEGER_OR_FALSE, _catalog.FALSE_OR_NUMBER, _catalog.BOOLEAN)):
        return
    if t == _catalog.STRING:
        ok, expected = type(value) is str, "a string"
    elif t in (_catalog.INTEGER, _catalog.NATURAL, _catalog.INTEGER_OR_FALSE):
        ok, expected = type(value) is int, "an exact integer"
    elif t in (_catalog.NUMBER, _catalog.FALSE_OR_NUMBER):
        ok, expected = type(value) in (int, float, Fraction), "a number"
    elif t == _catalog.BOOLEAN:
        ok, expected = type(value) is bool, "a boolean"
    elif t == _catalog.PROCEDURE:
        ok, expected = isinstance(value, Procedure), "a procedure"
    elif t == _catalog.SYMBOL:
        ok, expected = type(value) is not SyntaxObj, "a symbol"
    if not ok:
        shown = write_string(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        if type(value) is SyntaxObj and t == _catalog.STRING:
            raise RecipeError(f"{proc}: #:{spec.name} expects a string but got a syntax object "
                              "(LLM text); unwrap it with syntax-e first", "contract")
        raise RecipeError(f"{proc}: #:{spec.name} expects {expected}, given {shown}", "contract")
    if type(value) in (int, float, Fraction):
        lo, hi = spec.minimum, spec.maximum
        if lo is not None and (value < lo or (spec.exclusive_minimum and value == lo)):
            raise RecipeError(f"{proc}: #:{spec.name} must be {'>' if spec.exclusive_minimum else '>='} "
                              f"{_num(lo)}, given {write_string(value)}", "contract")
        if hi is not None and value > hi:
            raise RecipeError(f"{proc}: #:{spec.name} must be <= {_num(hi)}, given {write_string(value)}",
                              "contract")
    if spec.choices and type(value) is not str:
        name = getattr(value, "name", None)
        if name not in spec.choices:
            raise RecipeError(f"{proc}: #:{spec.name} must be one of "
                              f"{', '.join(repr(c) if False else chr(39) + c for c in spec.choices)}, "
                              f"given {write_string(value)}", "contract")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_catalog_ok: bool | None = None


def catalog_entry(name: str) -> _catalog.Entry | None:
    """The catalogue entry of a name, or None (also while the catalogue is unavailable)."""
    global _catalog_ok
    if _catalog_ok is False:
        return None
    try:
        entry = _catalog.lookup(name)
        _catalog_ok = True
        return entry
    except ImportError:
        _catalog_ok = False
        return None


def bind_args(p: Closure, args: list[Any], kw: dict[str, Any] | None, site: str | None) -> list[Any]:
    """Build the frame of a closure call with optional, keyword and rest parameters."""
    spec: LambdaSpec = p.spec
    n = len(args)
    npos = spec.nreq + spec.nopt
    if n < spec.nreq or (not spec.rest and n > npos):
        if spec.rest:
            expected = f"at least {spec.nreq}"
        elif spec.nopt:
            expected = f"{spec.nreq} to {npos}"
        else:
            expected = str(spec.nreq)
        raise located(arity_error(p.name, expected, n), site)
    frame: list[Any] = [p.env]
    frame.extend(args[:npos])
    frame.extend([UNDEFINED] * (spec.framesize - len(frame)))
    for i in range(n, npos):
        default = spec.defaults[i - spec.nreq]
        frame[1 + i] = default(frame)
    if spec.rest:
        frame[spec.rest_slot] = from_iter(args[npos:])
    given = kw or {}
    if given:
        for name in given:
            if name not in spec.kw_slots:
                hint = closest(name, spec.kw_slots)
                msg = f"{p.name}: unknown keyword #:{name}"
                if hint:
                    msg += f"; did you mean #:{hint}?"
                elif spec.kw_slots:
                    msg += f" (accepted: {', '.join('#:' + k for k in spec.kw_slots)})"
                else:
                    msg += " (it takes no keyword arguments)"
                raise RecipeError(msg, "contract", site)
    for name, (slot, kw_default) in spec.kw_slots.items():
        if name in given:
            frame[slot] = given[name]
        elif kw_default is None:
            raise RecipeError(f"{p.name}: required keyword argument #:{name} not supplied",
                              "contract", site)
        else:
            frame[slot] = kw_default(frame)
    return frame


def call_slow(p: Any, args: list[Any], kw: dict[str, Any] | None, site: str, label: str) -> Any:
    """The general (non-fast-path) call: any procedure kind, keywords, error frames."""
    tp = type(p)
    if tp is Builtin:
        try:
            return invoke_builtin(p, args, kw, site)
        except RecipeError as e:
            e.add_frame(label)
            raise
    if tp is Closure:
        try:
            if p.fast == len(args) and not kw:
                r = p.body([p.env, *args])
            else:
                r = p.body(bind_args(p, args, kw, site))
            if type(r) is TailCall:
                r = trampoline(r)
            return r
        except RecipeError as e:
            e.add_frame(label)
            raise
    raise not_procedure(p, site)


# ``apply``'s Python function, registered by builtins.py: a call of ``apply`` in tail position
# is a tail call of the procedure it applies (as in Racket), so loops through it run in
# constant stack.
TAIL_APPLY: list[Callable[..., Any]] = []


def tail_slow(p: Any, args: list[Any], kw: dict[str, Any] | None, site: str, label: str) -> Any:
    """``call_slow`` for a call in tail position: ``(apply closure v ... lst)`` becomes a
    tail call of the closure; anything else is called at once."""
    if type(p) is Builtin and TAIL_APPLY and p.fn is TAIL_APPLY[0] and len(args) >= 2 \
            and type(args[0]) is Closure:
        last = list_to_py(args[-1])
        if last is not None:
            return TailCall(args[0], [*args[1:-1], *last], kw or None, site)
    return call_slow(p, args, kw, site, label)


# ============================================================================ compile-time scopes


class Scope:
    """A frame's variables at compile time. Slot of ``names[i]`` is ``i + 1``."""

    __slots__ = ("fname", "maybe_undefined", "names", "parent")

    def __init__(self, names: list[str], parent: Scope | None, fname: str) -> None:
        self.names = names
        self.parent = parent
        self.fname = fname
        self.maybe_undefined: set[int] = set()

    def add(self, name: str, maybe_undefined: bool = False) -> int:
        self.names.append(name)
        slot = len(self.names)
        if maybe_undefined:
            self.maybe_undefined.add(slot)
        return slot

    def lookup(self, name: str) -> tuple[int, int, bool] | None:
        depth = 0
        s: Scope | None = self
        while s is not None:
            names = s.names
            for i in range(len(names) - 1, -1, -1):
                if names[i] == name:
                    return depth, i + 1, (i + 1) in s.maybe_undefined
            s = s.parent
            depth += 1
        return None

    @property
    def framesize(self) -> int:
        return len(self.names) + 1


class LambdaSpec:
    """Parameter layout of a lambda."""

    __slots__ = ("defaults", "framesize", "kw_slots", "nopt", "nreq", "rest", "rest_slot", "scope")

    def __init__(self) -> None:
        self.nreq = 0
        self.nopt = 0
        self.defaults: list[NodeFn] = []
        self.rest = False
        self.rest_slot = 0
        self.kw_slots: dict[str, tuple[int, NodeFn | None]] = {}
        self.framesize = 1
        self.scope: Scope | None = None


SPECIAL_FORMS = frozenset({
    "define", "lambda", "λ", "define-values", "let", "let*", "letrec", "letrec*",
    "let-values", "let*-values", "if", "cond", "case", "when", "unless", "and", "or",
    "begin", "quote", "quasiquote", "set!", "parameterize", "with-handlers", "try",
    *_catalog.FOR_FORMS,
    "unquote", "unquote-splicing", "else", "=>", "define-syntax", "do", "delay",
})

PROTECTED_FALLBACK = frozenset({
    "context", "token-budget", "llm-query", "unsafe-raw-query", "llm-query-async", "await",
    "await-all", "await-all-syntax", "await-any", "map-async", "syntax-e", "datum->syntax",
    "py-exec", "py-eval", "py-set!", "py-call", "finish", "finish-var", "finish-error",
    "checkpoint", "restore", "tokens-used", "rate-limits", "heartbeat", "unsafe-interpolate",
    "unsafe-overwrite", "unsafe-exec-sub-output", "chunk", "get-context", "parallel", "race",
    "sequence", "fold-sequential", "tree-reduce", "fan-out-aggregate", "recursive-spawn",
    "iterate-until", "critique-refine", "with-validation", "vote", "ensemble", "tiered",
    "active-learning", "memoized", "choose", "try-fallback",
})


def protected_names() -> frozenset[str]:
    """Names that ``define`` and ``set!`` may not rebind."""
    try:
        return _catalog.protected_names() | PROTECTED_FALLBACK
    except ImportError:
        return PROTECTED_FALLBACK


def _is_sym(node: Node | None, name: str | None = None) -> bool:
    return isinstance(node, Atom) and node.kind == SYMBOL and (name is None or node.text == name)


class Compiler:
    """Compiles the forms of one document against one global environment."""

    def __init__(self, doc: Document, filename: str, genv: GlobalEnv) -> None:
        self.doc = doc
        self.filename = filename
        self.genv = genv
        self.protected = protected_names()
        self.assigned: set[str] = set()  # globals the program defines or set!s
        self.defined: set[str] = set()
        from .builtins import inline_ops

        self.inline = inline_ops()

    # ---------------------------------------------------------------- helpers

    def site(self, node: Node) -> str:
        line, col = self.doc.position(node.start)
        return f"{self.filename}:{line + 1}:{col + 1}"

    def error(self, node: Node, message: str, kind: str = "syntax") -> RecipeError:
        return RecipeError(message, kind, self.site(node))

    def label(self, node: Node, scope: Scope | None) -> str:
        return f"{self.site(node)} in {scope.fname if scope else TOP_LEVEL}"

    # ---------------------------------------------------------------- program

    def compile_program(self, forms: list[Node]) -> list[NodeFn]:
        self._scan_globals(forms)
        return [self.comp(f, None, False, toplevel=True) for f in forms]

    def _scan_globals(self, forms: list[Node]) -> None:
        """Collect top-level definitions, and every set!/unsafe-overwrite target."""
        stack: list[Node] = list(forms)
        top = list(forms)
        while top:
            f = top.pop()
            if isinstance(f, ListNode) and not f.is_vector:
                head = f.head_name()
                if head == "begin":
                    top.extend(f.items[1:])
                elif head in ("define", "define-values") and len(f.items) > 1:
                    target = f.items[1]
                    if isinstance(target, ListNode):
                        if head == "define":
                            while isinstance(target, ListNode) and target.items:
                                target = target.items[0]
                            if _is_sym(target):
                                self.defined.add(target.text)  # type: ignore[union-attr,attr-defined]
                        else:
                            for it in target.items:
                                if _is_sym(it):
                                    self.defined.add(it.text)  # type: ignore[union-attr,attr-defined]
                    elif _is_sym(target):
                        self.defined.add(target.text)  # type: ignore[union-attr,attr-defined]
        self.assigned |= self.defined
        for form in stack:
            for node in form.walk():
                if isinstance(node, ListNode) and len(node.items) > 1:
                    head = node.head_name()
                    if head == "set!" and _is_sym(node.items[1]):
                        self.assigned.add(node.items[1].text)  # type: ignore[union-attr,attr-defined]
                    elif head == "unsafe-overwrite":
                        q = node.items[1]
                        if isinstance(q, Quote) and _is_sym(q.datum):
                            self.assigned.add(q.datum.text)  # type: ignore[union-attr,attr-defined]

    # ---------------------------------------------------------------- dispatch

    def comp(self, node: Node, scope: Scope | None, tail: bool, toplevel: bool = False) -> NodeFn:
        if isinstance(node, Atom):
            return self.comp_atom(node, scope)
        if isinstance(node, Quote):
            return self.comp_quote(node, scope)
        assert isinstance(node, ListNode)
        if node.is_vector:
            value = self.datum(node)
            return lambda env: value
        if not node.items:
            raise self.error(node, "missing procedure expression: () is not a call; use '() for the empty list")
        head = node.items[0]
        if isinstance(head, Atom) and head.kind == SYMBOL:
            name = head.text
            if name in SPECIAL_FORMS and (scope is None or scope.lookup(name) is None) \
                    and name not in self.defined:
                method = _SPECIAL.get(name)
                if method is None:
                    raise self.error(node, f"{name}: not allowed here" if name in (
                        "else", "=>", "unquote", "unquote-splicing") else f"{name}: not supported")
                fn: NodeFn = method(self, node, scope, tail, toplevel)
                return fn
        return self.comp_call(node, scope, tail)

    def comp_atom(self, node: Atom, scope: Scope | None) -> NodeFn:
        kind = node.kind
        if kind == SYMBOL:
            return self.comp_ref(node.text, node, scope)
        if kind == KEYWORD:
            raise self.error(node, f"#:{node.text[2:]}: a keyword is only allowed as an argument name")
        if kind == DOT:
            raise self.error(node, "illegal use of `.`")
        if kind == ERROR:
            raise self.error(node, f"bad token {node.text!r}")
        value = self.atom_datum(node)
        return lambda env: value

    def atom_datum(self, node: Atom) -> Any:
        kind = node.kind
        v = node.value
        if kind == SYMBOL:
            return sym(node.text)
        if kind == CHAR:
            return Char(str(v))
        if kind == KEYWORD:
            return KeywordValue(str(v))
        if kind == STRING:
            # Racket's reader interns literal strings (read-syntax mode), so two equal
            # literals are eq?; a string built at run time is a new object.
            return sys.intern(str(v))
        if kind == NUMBER:
            if v is None:
                raise self.error(node, f"bad number {node.text!r}")
            if type(v) is Fraction and v.denominator == 1:
                return int(v)
            return v
        if kind == BOOLEAN:
            return bool(v)
        raise self.error(node, f"bad datum {node.text!r}")

    def datum(self, node: Node) -> Any:
        """The quoted value of a form."""
        if isinstance(node, Atom):
            return self.atom_datum(node)
        if isinstance(node, Quote):
            inner = self.datum(node.datum) if node.datum is not None else NIL
            return Pair(sym(node.name), Pair(inner, NIL))
        assert isinstance(node, ListNode)
        if node.is_vector:
            return [self.datum(x) for x in node.items]
        items = node.items
        tail: Any = NIL
        if len(items) >= 3 and isinstance(items[-2], Atom) and items[-2].kind == DOT:
            tail = self.datum(items[-1])
            items = items[:-2]
        result = tail
        for x in reversed(items):
            if isinstance(x, Atom) and x.kind == DOT:
                raise self.error(x, "illegal use of `.`")
            result = Pair(self.datum(x), result)
        return result

    def comp_ref(self, name: str, node: Node, scope: Scope | None) -> NodeFn:
        site = self.site(node)
        found = scope.lookup(name) if scope is not None else None
        if found is not None:
            depth, slot, maybe = found
            return _local_ref(name, depth, slot, maybe, site)
        if name in SPECIAL_FORMS and name not in self.defined:
            raise self.error(node, f"{name}: bad syntax (a special form cannot be used as a value)")
        cell = self.genv.cell(name)
        if cell.value is UNDEFINED and name not in self.assigned:
            raise self.unbound(name, node, scope)

        def ref(env: Env) -> Any:
            v = cell.value
            if v is UNDEFINED:
                raise RecipeError(f"{name}: undefined; cannot reference an identifier before its definition",
                                  "unbound", site)
            return v

        return ref

    def unbound(self, name: str, node: Node, scope: Scope | None) -> RecipeError:
        candidates: set[str] = set(self.genv.bound_names()) | self.assigned
        s = scope
        while s is not None:
            candidates.update(s.names)
            s = s.parent
        hint = closest(name, candidates)
        msg = f"unbound identifier `{name}`"
        if hint:
            msg += f"; did you mean `{hint}`?"
        return self.error(node, msg, "unbound")

    # ---------------------------------------------------------------- calls

    def comp_args(self, items: list[Node], scope: Scope | None) -> tuple[list[NodeFn], list[tuple[str, NodeFn]]]:
        pos: list[NodeFn] = []
        kws: list[tuple[str, NodeFn]] = []
        i = 0
        while i < len(items):
            it = items[i]
            if isinstance(it, Atom) and it.kind == KEYWORD:
                if i + 1 >= len(items):
                    raise self.error(it, f"{it.text}: missing value after keyword")
                name = it.text[2:]
                if any(k == name for k, _ in kws):
                    raise self.error(it, f"duplicate keyword {it.text}")
                kws.append((name, self.comp(items[i + 1], scope, False)))
                i += 2
            else:
                pos.append(self.comp(it, scope, False))
                i += 1
        return pos, kws

    def comp_call(self, node: ListNode, scope: Scope | None, tail: bool) -> NodeFn:
        head = node.items[0]
        site = self.site(node)
        label = self.label(node, scope)
        args, kws = self.comp_args(node.items[1:], scope)
        arg1 = node.items[1] if len(node.items) == 2 else None
        if isinstance(head, Atom) and head.kind == SYMBOL and head.text in ("py-exec", "py-eval") \
                and isinstance(arg1, Atom) and arg1.kind == STRING:
            line, col = self.doc.position(arg1.start)
            self.genv.py_literals[site] = (self.filename, line, col)
        if isinstance(head, Atom) and head.kind == SYMBOL and not kws:
            name = head.text
            if (scope is None or scope.lookup(name) is None) and name not in self.assigned:
                builtin = self.genv.lookup(name)
                factory = self.inline.get((name, len(args)))
                if factory is not None and type(builtin) is Builtin:
                    operands = [self._operand(a, node.items[1 + i], scope) for i, a in enumerate(args)]
                    inlined: NodeFn = factory(operands, builtin, site, label)
                    return inlined
        if kws:
            return _make_kw_call(self.comp(head, scope, False), args, kws, site, label, tail)
        operands = [self._operand(a, node.items[1 + i], scope, binop=True) for i, a in enumerate(args)]
        if len(args) <= 3:
            if _is_sym(head) and (scope is None or scope.lookup(head.text) is None):  # type: ignore[union-attr,attr-defined]
                name = head.text  # type: ignore[union-attr,attr-defined]
                if name in SPECIAL_FORMS and name not in self.defined:
                    raise self.error(head, f"{name}: bad syntax (a special form cannot be used as a value)")
                cell = self.genv.cell(name)
                if cell.value is UNDEFINED and name not in self.assigned:
                    raise self.unbound(name, head, scope)
                return gen_call(("cell", cell), operands, site, label, tail)
            return gen_call(("node", self.comp(head, scope, False)), operands, site, label, tail)
        return _make_call(self.comp(head, scope, False), args, site, label, tail)

    def _operand(self, fn: NodeFn, node: Node, scope: Scope | None, binop: bool = False) -> tuple[str, Any]:
        """Classify an operand for generated code: ("const", v), ("local", slot), ("node", fn),
        or (with ``binop``) ("binop", (op, a, b, builtin, site, label)) for ``(- n 1)``-like
        arithmetic on locals and constants, which the generated code then computes inline."""
        if binop and isinstance(node, ListNode) and len(node.items) == 3:
            from .builtins import ALL_BINOPS

            name = node.head_name()
            if name in ALL_BINOPS and name not in self.assigned and (
                    scope is None or scope.lookup(name) is None):
                builtin = self.genv.lookup(name)
                ops = [self._operand(self.comp(x, scope, False), x, scope) for x in node.items[1:]]
                if type(builtin) is Builtin and all(k != "node" for k, _ in ops):
                    return ("binop", (ALL_BINOPS[name], ops[0], ops[1], builtin, self.site(node),
                                      self.label(node, scope)))
        if isinstance(node, Atom) and node.kind in (NUMBER, STRING, BOOLEAN):
            return ("const", fn(None))
        if isinstance(node, Atom) and node.kind == SYMBOL and scope is not None:
            found = scope.lookup(node.text)
            if found is not None and found[0] == 0 and not found[2]:
                return ("local", found[1])
        return ("node", fn)

    # ---------------------------------------------------------------- bodies

    def comp_body(self, forms: list[Node], scope: Scope, tail: bool, node: Node) -> NodeFn:
        """A body: internal definitions (letrec* in the same frame), then expressions."""
        if not forms:
            raise self.error(node, "empty body: expected at least one expression")
        flat = self._flatten_begin(forms)
        for f in flat:
            for name in self._defined_names(f):
                scope.add(name, maybe_undefined=True)
        fns = [self.comp(f, scope, tail and i == len(flat) - 1, toplevel=False)
               for i, f in enumerate(flat)]
        return _seq(fns)

    def _flatten_begin(self, forms: list[Node]) -> list[Node]:
        out: list[Node] = []
        for f in forms:
            if isinstance(f, ListNode) and f.head_name() == "begin" and any(
                    self._defined_names(x) for x in f.items[1:]):
                out.extend(self._flatten_begin(f.items[1:]))
            else:
                out.append(f)
        return out

    def _defined_names(self, f: Node) -> list[str]:
        if not isinstance(f, ListNode) or f.is_vector or len(f.items) < 2:
            return []
        head = f.head_name()
        target = f.items[1]
        if head == "define":
            while isinstance(target, ListNode) and target.items:
                target = target.items[0]
            return [target.text] if _is_sym(target) else []  # type: ignore[union-attr,attr-defined]
        if head == "define-values" and isinstance(target, ListNode):
            return [x.text for x in target.items if isinstance(x, Atom) and x.kind == SYMBOL]
        if head == "define-values" and _is_sym(target):
            return [target.text]  # type: ignore[union-attr,attr-defined]
        if head == "begin":
            return [n for x in f.items[1:] for n in self._defined_names(x)]
        return []

    def comp_seq(self, forms: list[Node], scope: Scope | None, tail: bool, node: Node) -> NodeFn:
        """A sequence in a non-body position (when, cond clause …); with definitions it
        becomes an internal-definition context of its own (like ``(let () ...)``)."""
        if not forms:
            raise self.error(node, "expected at least one expression")
        if any(self._defined_names(f) for f in forms):
            inner = Scope([], scope, scope.fname if scope else TOP_LEVEL)
            body = self.comp_body(forms, inner, False, node)
            size = inner

            def let_body(env: Env) -> Any:
                frame = [env]
                frame.extend([UNDEFINED] * (size.framesize - 1))
                return body(frame)

            return let_body
        fns = [self.comp(f, scope, tail and i == len(forms) - 1) for i, f in enumerate(forms)]
        return _seq(fns)

    # ---------------------------------------------------------------- lambda

    def parse_formals(self, formals: Node, scope: Scope | None, fname: str) -> tuple[LambdaSpec, Scope, list[tuple[Node, int, str]]]:
        """Returns the spec, the new scope, and pending defaults to compile (node, slot, kind)."""
        spec = LambdaSpec()
        inner = Scope([], scope, fname)
        spec.scope = inner
        pending: list[tuple[Node, int, str]] = []
        if _is_sym(formals):
            spec.rest = True
            spec.rest_slot = inner.add(formals.text)  # type: ignore[union-attr,attr-defined]
            return spec, inner, pending
        if not isinstance(formals, ListNode):
            raise self.error(formals, "lambda: bad parameter list")
        items = formals.items
        i = 0
        seen: set[str] = set()
        kw_later: list[tuple[str, Node, Node | None]] = []
        positional: list[tuple[Node, Node | None]] = []
        rest_node: Node | None = None
        while i < len(items):
            it = items[i]
            if isinstance(it, Atom) and it.kind == DOT:
                if i + 1 >= len(items) or not _is_sym(items[i + 1]):
                    raise self.error(it, "lambda: `.` must be followed by the rest parameter")
                rest_node = items[i + 1]
                i += 2
                continue
            if isinstance(it, Atom) and it.kind == KEYWORD:
                if i + 1 >= len(items):
                    raise self.error(it, f"lambda: missing parameter after {it.text}")
                target = items[i + 1]
                if _is_sym(target):
                    kw_later.append((it.text[2:], target, None))
                elif isinstance(target, ListNode) and len(target.items) == 2 and _is_sym(target.items[0]):
                    kw_later.append((it.text[2:], target.items[0], target.items[1]))
                else:
                    raise self.error(target, f"lambda: bad keyword parameter after {it.text}")
                i += 2
                continue
            if _is_sym(it):
                positional.append((it, None))
            elif isinstance(it, ListNode) and len(it.items) == 2 and _is_sym(it.items[0]):
                positional.append((it.items[0], it.items[1]))
            else:
                raise self.error(it, "lambda: bad parameter; expected an identifier or [id default]")
            i += 1
        seen_opt = False
        for pnode, default in positional:
            name = pnode.text  # type: ignore[union-attr,attr-defined]
            if name in seen:
                raise self.error(pnode, f"lambda: duplicate parameter `{name}`")
            seen.add(name)
            slot = inner.add(name)
            if default is None:
                if seen_opt:
                    raise self.error(pnode, "lambda: a required parameter cannot follow an optional one")
                spec.nreq += 1
            else:
                seen_opt = True
                spec.nopt += 1
                pending.append((default, slot, "opt"))
        if rest_node is not None:
            spec.rest = True
            spec.rest_slot = inner.add(rest_node.text)  # type: ignore[union-attr,attr-defined]
        for kwname, pnode, default in kw_later:
            name = pnode.text  # type: ignore[union-attr,attr-defined]
            if name in seen:
                raise self.error(pnode, f"lambda: duplicate parameter `{name}`")
            seen.add(name)
            slot = inner.add(name)
            spec.kw_slots[kwname] = (slot, None)
            if default is not None:
                pending.append((default, slot, kwname))
        return spec, inner, pending

    def make_lambda(self, formals: Node, body: list[Node], scope: Scope | None, name: str, node: Node) -> NodeFn:
        spec, inner, pending = self.parse_formals(formals, scope, name)
        for default, _slot, kind in pending:
            fn = self.comp(default, inner, False)
            if kind == "opt":
                spec.defaults.append(fn)
            else:
                spec.kw_slots[kind] = (spec.kw_slots[kind][0], fn)
        body_fn = self.comp_body(body, inner, True, node)
        spec.framesize = inner.framesize
        simple = spec.nopt == 0 and not spec.rest and not spec.kw_slots
        fast = spec.nreq if simple and spec.framesize == spec.nreq + 1 else -1

        def make_closure(env: Env) -> Closure:
            return Closure(name, spec, env, body_fn, fast)

        return make_closure

    def sf_lambda(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        if len(node.items) < 3:
            raise self.error(node, "lambda: bad syntax; expected (lambda (param ...) body ...+)")
        return self.make_lambda(node.items[1], node.items[2:], scope, "lambda", node)

    # ---------------------------------------------------------------- define / set!

    def sf_define(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) < 2:
            raise self.error(node, "define: bad syntax; expected (define id expr) or (define (f arg ...) body ...+)")
        target = items[1]
        if isinstance(target, ListNode) and not target.is_vector:
            if not target.items:
                raise self.error(target, "define: missing function name")
            fhead = target.items[0]
            if isinstance(fhead, ListNode):  # curried define: (define ((f a) b) ...)
                inner_lambda = ListNode("(", [Atom(SYMBOL, "lambda", target.start, target.start),
                                              ListNode("(", target.items[1:], target.start, target.end, True),
                                              *items[2:]], node.start, node.end, True)
                fake = ListNode("(", [items[0], fhead, inner_lambda], node.start, node.end, True)
                return self.sf_define(fake, scope, tail, toplevel)
            if not _is_sym(fhead):
                raise self.error(fhead, "define: function name must be an identifier")
            name = fhead.text  # type: ignore[union-attr,attr-defined]
            if len(items) < 3:
                raise self.error(node, f"define: missing body for `{name}`")
            formals = ListNode(target.opener, target.items[1:], target.start, target.end, True)
            value_fn = self.make_lambda(formals, items[2:], scope, name, node)
        elif _is_sym(target):
            name = target.text  # type: ignore[union-attr,attr-defined]
            if len(items) > 3:
                raise self.error(node, f"define: bad syntax; more than one expression for `{name}`")
            if len(items) == 2:
                raise self.error(node, f"define: missing expression for `{name}`")
            value_node = items[2]
            if isinstance(value_node, ListNode) and value_node.head_name() in ("lambda", "λ") \
                    and len(value_node.items) >= 3 and (scope is None or scope.lookup(value_node.head_name() or "") is None):
                value_fn = self.make_lambda(value_node.items[1], value_node.items[2:], scope, name, value_node)
            else:
                value_fn = self.comp(value_node, scope, False)
        else:
            raise self.error(target, "define: expected an identifier or (name param ...)")
        return self._assign_def(name, value_fn, node, scope)

    def _assign_def(self, name: str, value_fn: NodeFn, node: Node, scope: Scope | None) -> NodeFn:
        if scope is None:
            if name in self.protected:
                raise self.error(node, f"define: cannot redefine `{name}`: it is a protected name", "protected")
            cell = self.genv.cell(name)

            def define_global(env: Env) -> Any:
                cell.value = value_fn(env)
                return VOID

            return define_global
        found = scope.lookup(name)
        assert found is not None and found[0] == 0
        slot = found[1]

        def define_local(env: Env) -> Any:
            env[slot] = value_fn(env)
            return VOID

        return define_local

    def sf_define_values(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) != 3 or not (isinstance(items[1], ListNode) or _is_sym(items[1])):
            raise self.error(node, "define-values: bad syntax; expected (define-values (id ...) expr)")
        names, rest = self._values_formals(items[1], "define-values")
        expr = self.comp(items[2], scope, False)
        site = self.site(node)
        setters: list[Callable[[Env, Any], None]] = []
        for name in names:
            if scope is None:
                if name in self.protected:
                    raise self.error(node, f"define-values: cannot redefine `{name}`: it is a protected name",
                                     "protected")
                cell = self.genv.cell(name)
                def set_global(env: Env, v: Any, c: Cell = cell) -> None:
                    c.value = v

                setters.append(set_global)
            else:
                found = scope.lookup(name)
                assert found is not None
                slot = found[1]

                def set_local(env: Env, v: Any, s: int = slot) -> None:
                    env[s] = v

                setters.append(set_local)
        n = len(names) - rest

        def define_values(env: Env) -> Any:
            vals = _values_list(expr(env), n, "define-values", site, rest)
            for setter, v in zip(setters, vals, strict=True):
                setter(env, v)
            return VOID

        return define_values

    def sf_set(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) != 3 or not _is_sym(items[1]):
            raise self.error(node, "set!: bad syntax; expected (set! id expr)")
        name = items[1].text  # type: ignore[union-attr,attr-defined]
        value_fn = self.comp(items[2], scope, False)
        site = self.site(node)
        found = scope.lookup(name) if scope is not None else None
        if found is not None:
            depth, slot, _ = found

            def set_local(env: Env) -> Any:
                v = value_fn(env)
                e = env
                for _ in range(depth):
                    e = e[0]
                e[slot] = v
                return VOID

            return set_local
        if name in self.protected:
            raise self.error(node, f"set!: cannot modify `{name}`: it is a protected name", "protected")
        cell = self.genv.cell(name)
        if cell.value is UNDEFINED and name not in self.defined:
            if name in self.assigned and name not in self.defined:
                raise self.error(node, f"set!: assignment disallowed; `{name}` is not defined", "unbound")

        def set_global(env: Env) -> Any:
            v = value_fn(env)
            if cell.value is UNDEFINED:
                raise RecipeError(f"set!: assignment disallowed; cannot set `{name}` before its definition",
                                  "unbound", site)
            cell.value = v
            return VOID

        return set_global

    # ---------------------------------------------------------------- simple forms

    def sf_quote(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        if len(node.items) != 2:
            raise self.error(node, "quote: bad syntax; expected (quote datum)")
        value = self.datum(node.items[1])
        return lambda env: value

    def comp_quote(self, node: Quote, scope: Scope | None) -> NodeFn:
        if node.datum is None:
            raise self.error(node, f"{node.prefix}: expected a datum after the quote")
        name = node.name
        if name == "quote":
            value = self.datum(node.datum)
            return lambda env: value
        if name == "quasiquote":
            return self.quasi(node.datum, scope, 1)
        if name in ("unquote", "unquote-splicing"):
            raise self.error(node, f"{name}: not in quasiquote")
        raise self.error(node, f"{name}: syntax objects are not supported; use datum->syntax")

    def sf_quasiquote(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        if len(node.items) != 2:
            raise self.error(node, "quasiquote: bad syntax")
        return self.quasi(node.items[1], scope, 1)

    def _unquote_parts(self, node: Node) -> tuple[str, Node] | None:
        if isinstance(node, Quote) and node.name in ("unquote", "unquote-splicing", "quasiquote") \
                and node.datum is not None:
            return node.name, node.datum
        if isinstance(node, ListNode) and not node.is_vector and len(node.items) == 2:
            head = node.head_name()
            if head in ("unquote", "unquote-splicing", "quasiquote"):
                return head, node.items[1]
        return None

    def quasi(self, node: Node, scope: Scope | None, level: int) -> NodeFn:
        parts = self._unquote_parts(node)
        if parts is not None:
            kind, inner = parts
            if kind == "unquote":
                if level == 1:
                    return self.comp(inner, scope, False)
                sub = self.quasi(inner, scope, level - 1)
                return lambda env: Pair(sym("unquote"), Pair(sub(env), NIL))
            if kind == "quasiquote":
                sub = self.quasi(inner, scope, level + 1)
                return lambda env: Pair(sym("quasiquote"), Pair(sub(env), NIL))
            if level == 1:
                raise self.error(node, "unquote-splicing: not in a list context")
        if isinstance(node, ListNode) and not node.is_vector:
            items = node.items
            tail_fn: NodeFn | None = None
            if len(items) >= 3 and isinstance(items[-2], Atom) and items[-2].kind == DOT:
                tail_fn = self.quasi(items[-1], scope, level)
                items = items[:-2]
            pieces: list[tuple[bool, NodeFn]] = []
            for it in items:
                p = self._unquote_parts(it)
                if p is not None and p[0] == "unquote-splicing" and level == 1:
                    pieces.append((True, self.comp(p[1], scope, False)))
                else:
                    pieces.append((False, self.quasi(it, scope, level)))
            site = self.site(node)

            def build(env: Env) -> Any:
                result: Any = tail_fn(env) if tail_fn is not None else NIL
                for splice, fn in reversed(pieces):
                    v = fn(env)
                    if splice:
                        from .values import list_to_py

                        elems = list_to_py(v)
                        if elems is None:
                            raise RecipeError(f"unquote-splicing: expected a list, given {write_string(v)}",
                                              "contract", site)
                        for x in reversed(elems):
                            result = Pair(x, result)
                    else:
                        result = Pair(v, result)
                return result

            return build
        if isinstance(node, ListNode) and node.is_vector:
            inner_list = ListNode("(", node.items, node.start, node.end, True)
            lst = self.quasi(inner_list, scope, level)
            return lambda env: list(lst(env))
        value = self.datum(node)
        return lambda env: value

    def sf_if(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) not in (3, 4):
            raise self.error(node, "if: bad syntax; expected (if test then else)" + (
                " — Racket's if needs an else branch; use when for a one-armed if" if len(items) == 3 else ""))
        fused = self._fused_if(node, scope, tail)
        if fused is not None:
            return fused
        test = self.comp(items[1], scope, False)
        then = self.comp(items[2], scope, tail)
        if len(items) == 3:
            def if1(env: Env) -> Any:
                if test(env) is not False:
                    return then(env)
                return VOID
            return if1
        other = self.comp(items[3], scope, tail)

        def if_(env: Env) -> Any:
            if test(env) is not False:
                return then(env)
            return other(env)

        return if_

    def _fused_if(self, node: ListNode, scope: Scope | None, tail: bool) -> NodeFn | None:
        """``(if (< a b) x y)`` with an inlinable comparison: one closure instead of three."""
        from .builtins import BINARY_OPS

        items = node.items
        test = items[1]
        if len(items) != 4 or not isinstance(test, ListNode) or len(test.items) != 3:
            return None
        name = test.head_name()
        if name not in BINARY_OPS or name in self.assigned or (scope is not None and scope.lookup(name) is not None):
            return None
        builtin = self.genv.lookup(name)
        if type(builtin) is not Builtin:
            return None
        ops = [self._operand(self.comp(x, scope, False), x, scope) for x in test.items[1:]]
        branches = [self._operand(self.comp(x, scope, tail), x, scope) for x in items[2:]]
        return gen_if(BINARY_OPS[name], ops, branches, builtin, self.site(test), self.label(test, scope))

    def sf_begin(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        forms = node.items[1:]
        if not forms:
            return lambda env: VOID
        if toplevel:
            fns = [self.comp(f, scope, False, toplevel=True) for f in forms]
            return _seq(fns)
        return self.comp_seq(forms, scope, tail, node)

    def sf_when(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        if len(node.items) < 3:
            raise self.error(node, f"{node.head_name()}: bad syntax; expected a test and a body")
        test = self.comp(node.items[1], scope, False)
        body = self.comp_seq(node.items[2:], scope, tail, node)
        if node.head_name() == "when":
            return lambda env: body(env) if test(env) is not False else VOID
        return lambda env: body(env) if test(env) is False else VOID

    def sf_and(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        forms = node.items[1:]
        is_and = node.head_name() == "and"
        if not forms:
            value = is_and
            return lambda env: value
        fns = [self.comp(f, scope, tail and i == len(forms) - 1) for i, f in enumerate(forms)]
        head, last = fns[:-1], fns[-1]
        if is_and:
            def and_(env: Env) -> Any:
                for f in head:
                    if f(env) is False:
                        return False
                return last(env)
            return and_

        def or_(env: Env) -> Any:
            for f in head:
                v = f(env)
                if v is not False:
                    return v
            return last(env)

        return or_

    def sf_cond(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        clauses: list[tuple[NodeFn | None, NodeFn | None, bool]] = []  # test, body, arrow
        for i, clause in enumerate(node.items[1:]):
            if not isinstance(clause, ListNode) or not clause.items:
                raise self.error(clause, "cond: bad clause; expected [test body ...]")
            first = clause.items[0]
            if _is_sym(first, "else") and (scope is None or scope.lookup("else") is None):
                if i != len(node.items) - 2:
                    raise self.error(clause, "cond: `else` clause must be last")
                clauses.append((None, self.comp_seq(clause.items[1:], scope, tail, clause), False))
                continue
            test = self.comp(first, scope, False)
            if len(clause.items) == 3 and _is_sym(clause.items[1], "=>"):
                clauses.append((test, self.comp(clause.items[2], scope, False), True))
            elif len(clause.items) == 1:
                clauses.append((test, None, False))
            else:
                clauses.append((test, self.comp_seq(clause.items[1:], scope, tail, clause), False))
        site = self.site(node)
        label = self.label(node, scope)

        def cond(env: Env) -> Any:
            for test, body, arrow in clauses:
                if test is None:
                    return body(env)  # type: ignore[misc]
                v = test(env)
                if v is not False:
                    if body is None:
                        return v
                    if arrow:
                        return call_slow(body(env), [v], None, site, label)
                    return body(env)
            return VOID

        return cond

    def sf_case(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        from .values import equal

        if len(node.items) < 2:
            raise self.error(node, "case: bad syntax")
        key = self.comp(node.items[1], scope, False)
        clauses: list[tuple[list[Any] | None, NodeFn]] = []
        for clause in node.items[2:]:
            if not isinstance(clause, ListNode) or len(clause.items) < 2:
                raise self.error(clause, "case: bad clause; expected [(datum ...) body ...+]")
            first = clause.items[0]
            body = self.comp_seq(clause.items[1:], scope, tail, clause)
            if _is_sym(first, "else"):
                clauses.append((None, body))
            elif isinstance(first, ListNode):
                clauses.append(([self.datum(d) for d in first.items], body))
            else:
                raise self.error(first, "case: expected a list of data or else")

        def case(env: Env) -> Any:
            k = key(env)
            for data, body in clauses:
                if data is None or any(equal(k, d) for d in data):
                    return body(env)
            return VOID

        return case

    # ---------------------------------------------------------------- let family

    def _bindings(self, node: Node, form: str) -> list[tuple[Node, Node]]:
        if not isinstance(node, ListNode):
            raise self.error(node, f"{form}: expected a list of bindings [id expr]")
        out = []
        for b in node.items:
            if not isinstance(b, ListNode) or len(b.items) != 2:
                raise self.error(b, f"{form}: bad binding; expected [id expr]")
            out.append((b.items[0], b.items[1]))
        return out

    def sf_let(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) >= 3 and _is_sym(items[1]):
            return self.named_let(node, scope, tail)
        if len(items) < 3:
            raise self.error(node, "let: bad syntax; expected (let ([id expr] ...) body ...+)")
        binds = self._bindings(items[1], "let")
        inits = [self.comp(e, scope, False) for _, e in binds]
        inner = Scope([], scope, scope.fname if scope else TOP_LEVEL)
        seen: set[str] = set()
        for n, _ in binds:
            if not _is_sym(n):
                raise self.error(n, "let: expected an identifier")
            if n.text in seen:  # type: ignore[union-attr,attr-defined]
                raise self.error(n, f"let: duplicate identifier `{n.text}`")  # type: ignore[union-attr,attr-defined]
            seen.add(n.text)  # type: ignore[union-attr,attr-defined]
            inner.add(n.text)  # type: ignore[union-attr,attr-defined]
        body = self.comp_body(items[2:], inner, tail, node)
        return _make_let(inits, body, inner)

    def named_let(self, node: ListNode, scope: Scope | None, tail: bool) -> NodeFn:
        items = node.items
        name = items[1].text  # type: ignore[union-attr,attr-defined]
        if len(items) < 4:
            raise self.error(node, "let: bad syntax; expected (let name ([id expr] ...) body ...+)")
        binds = self._bindings(items[2], "let")
        inits = [self.comp(e, scope, False) for _, e in binds]
        loop_scope = Scope([name], scope, scope.fname if scope else TOP_LEVEL)
        formals = ListNode("(", [b for b, _ in binds], items[2].start, items[2].end, True)
        make = self.make_lambda(formals, items[3:], loop_scope, name, node)
        site = self.site(node)
        label = self.label(node, scope)

        def named_let(env: Env) -> Any:
            frame = [env, None]
            clo = make(frame)
            frame[1] = clo
            args = [f(env) for f in inits]
            if tail:
                return TailCall(clo, args, None, site)
            return call_slow(clo, args, None, site, label)

        return named_let

    def sf_do(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        """Racket's ``(do ([id init step] ...) (stop? result ...) body ...)``, as a named-let
        loop: each round tests ``stop?``; when true the results are the value (void when
        there are none), otherwise the body runs and the loop goes on with the steps (an id
        without a step keeps its value)."""
        items = node.items
        if len(items) < 3 or not isinstance(items[1], ListNode) or not isinstance(items[2], ListNode) \
                or not items[2].items:
            raise self.error(node, "do: bad syntax; expected (do ([id init step] ...) (stop? result ...) body ...)")
        st, en = node.start, node.end

        def sym_(text: str) -> Atom:
            return Atom(SYMBOL, text, st, en)

        def list_(*xs: Node) -> ListNode:
            return ListNode("(", list(xs), st, en, True)

        binds: list[Node] = []
        steps: list[Node] = []
        for b in items[1].items:
            if not isinstance(b, ListNode) or len(b.items) not in (2, 3) or not _is_sym(b.items[0]):
                raise self.error(b, "do: bad binding; expected [id init] or [id init step]")
            binds.append(list_(b.items[0], b.items[1]))
            steps.append(b.items[2] if len(b.items) == 3 else b.items[0])
        loop = sym_(" do-loop")
        test, results = items[2].items[0], items[2].items[1:]
        done = list_(sym_("begin"), list_(sym_("void")), *results)
        again = list_(sym_("begin"), *items[3:], list_(loop, *steps))
        desugared = list_(sym_("let"), loop, list_(*binds), list_(sym_("if"), test, done, again))
        return self.named_let(desugared, scope, tail)

    def sf_let_star(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) < 3:
            raise self.error(node, "let*: bad syntax")
        binds = self._bindings(items[1], "let*")
        inner = Scope([], scope, scope.fname if scope else TOP_LEVEL)
        steps: list[tuple[int, NodeFn]] = []
        for n, e in binds:
            if not _is_sym(n):
                raise self.error(n, "let*: expected an identifier")
            fn = self.comp(e, inner, False)
            steps.append((inner.add(n.text), fn))  # type: ignore[union-attr,attr-defined]
        body = self.comp_body(items[2:], inner, tail, node)

        return _sequential_frame(inner, steps, body)

    def sf_letrec(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) < 3:
            raise self.error(node, "letrec: bad syntax")
        binds = self._bindings(items[1], "letrec")
        inner = Scope([], scope, scope.fname if scope else TOP_LEVEL)
        slots = []
        for n, _ in binds:
            if not _is_sym(n):
                raise self.error(n, "letrec: expected an identifier")
            slots.append(inner.add(n.text, maybe_undefined=True))  # type: ignore[union-attr,attr-defined]
        steps: list[tuple[int, NodeFn]] = []
        for (n, e), slot in zip(binds, slots, strict=True):
            if isinstance(e, ListNode) and e.head_name() in ("lambda", "λ") and len(e.items) >= 3:
                fn = self.make_lambda(e.items[1], e.items[2:], inner, n.text, e)  # type: ignore[union-attr,attr-defined]
            else:
                fn = self.comp(e, inner, False)
            steps.append((slot, fn))
        body = self.comp_body(items[2:], inner, tail, node)

        return _sequential_frame(inner, steps, body)

    def _values_formals(self, formals: Node, form: str) -> tuple[list[str], bool]:
        """The names bound by a ``let-values`` / ``define-values`` formals: ``(id ...)``,
        ``(id ... . rest)`` or a lone ``rest`` (all the values as a list); the flag says
        whether the last name takes the remaining values."""
        if _is_sym(formals):
            return [formals.text], True  # type: ignore[union-attr,attr-defined]
        assert isinstance(formals, ListNode)
        items = formals.items
        rest = False
        if len(items) >= 2 and isinstance(items[-2], Atom) and items[-2].kind == DOT:
            items = items[:-2] + items[-1:]
            rest = True
        names = [x.text for x in items if _is_sym(x)]  # type: ignore[union-attr,attr-defined]
        if len(names) != len(items):
            raise self.error(formals, f"{form}: expected identifiers")
        if len(set(names)) != len(names):
            raise self.error(formals, f"{form}: duplicate identifier")
        return names, rest

    def sf_let_values(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        star = node.head_name() == "let*-values"
        form = node.head_name() or "let-values"
        if len(items) < 3 or not isinstance(items[1], ListNode):
            raise self.error(node, f"{form}: bad syntax; expected ({form} ([(id ...) expr] ...) body ...+)")
        inner = Scope([], scope, scope.fname if scope else TOP_LEVEL)
        steps: list[tuple[list[int], NodeFn, str, bool]] = []
        pending: list[list[str]] = []
        rests: list[bool] = []
        for b in items[1].items:
            if not isinstance(b, ListNode) or len(b.items) != 2 or not (
                    isinstance(b.items[0], ListNode) or _is_sym(b.items[0])):
                raise self.error(b, f"{form}: bad binding; expected [(id ...) expr]")
            names, rest = self._values_formals(b.items[0], form)
            rests.append(rest)
            fn = self.comp(b.items[1], inner if star else scope, False)
            if star:
                slots = [inner.add(n) for n in names]
            else:
                slots = []
                pending.append(names)
            steps.append((slots, fn, self.site(b), rest))
        if not star:
            for (slots, _, _, _), names in zip(steps, pending, strict=True):
                slots.extend(inner.add(n) for n in names)
        body = self.comp_body(items[2:], inner, tail, node)

        def let_values(env: Env) -> Any:
            frame = [env]
            frame.extend([UNDEFINED] * (inner.framesize - 1))
            for slots, fn, site, rest in steps:
                vals = _values_list(fn(frame if star else env), len(slots) - rest, form, site, rest)
                for s, v in zip(slots, vals, strict=True):
                    frame[s] = v
            return body(frame)

        return let_values

    # ---------------------------------------------------------------- dynamic forms

    def sf_parameterize(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) < 3:
            raise self.error(node, "parameterize: bad syntax; expected (parameterize ([token-budget n]) body ...+)")
        binds = self._bindings(items[1], "parameterize")
        values: list[NodeFn] = []
        for p, e in binds:
            if not _is_sym(p, "token-budget"):
                raise self.error(p, "parameterize: only token-budget can be parameterized")
            values.append(self.comp(e, scope, False))
        body = self.comp_seq(items[2:], scope, False, node)
        site = self.site(node)

        def parameterize(env: Env) -> Any:
            state = current()
            old = state.budgets
            new = old
            for fn in values:
                n = fn(env)
                if n is False or (type(n) is float and n == float("inf")):
                    continue
                if type(n) is not int or n <= 0:
                    raise RecipeError(f"parameterize: token-budget must be a positive integer, given {write_string(n)}",
                                      "contract", site)
                try:
                    scope_ = state.rt.services.new_budget(n)
                except ValueError as e:
                    raise RecipeError(f"parameterize: {e}", "contract", site) from None
                new = (*new, scope_)
            state.budgets = new
            try:
                return body(env)
            finally:
                state.budgets = old

        return parameterize

    def sf_with_handlers(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) < 3 or not isinstance(items[1], ListNode):
            raise self.error(node, "with-handlers: bad syntax; expected (with-handlers ([pred handler] ...) body ...+)")
        pairs = [(self.comp(p, scope, False), self.comp(h, scope, False))
                 for p, h in self._bindings(items[1], "with-handlers")]
        body = self.comp_seq(items[2:], scope, False, node)
        site = self.site(node)
        label = self.label(node, scope)

        def with_handlers(env: Env) -> Any:
            handlers = [(p(env), h(env)) for p, h in pairs]
            try:
                return body(env)
            except RecipeError as e:
                value = e.value
            except RecursionError:
                value = recursion_error(site).value
            for pred, handler in handlers:
                if call_slow(pred, [value], None, site, label) is not False:
                    return call_slow(handler, [value], None, site, label)
            raise_value(value, site)

        def raise_value(value: Any, site: str) -> None:
            if isinstance(value, ExnValue):
                raise RecipeError(value.message, "error", site, value=value)
            raise RecipeError(f"uncaught exception: {write_string(value)}", "raise", site, value=value)

        return with_handlers

    def sf_try(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        items = node.items
        if len(items) != 4 or not (_is_sym(items[2], "on-error") or (
                isinstance(items[2], Atom) and items[2].kind == KEYWORD and items[2].text == "#:on-error")):
            raise self.error(node, "try: bad syntax; expected (try expr on-error handler)")
        expr = self.comp(items[1], scope, False)
        handler = self.comp(items[3], scope, False)
        site = self.site(node)
        label = self.label(node, scope)

        def try_(env: Env) -> Any:
            try:
                return expr(env)
            except RecipeError as e:
                msg = e.value.message if isinstance(e.value, ExnValue) else e.message
            except RecursionError:
                msg = recursion_error().message
            return call_slow(handler(env), [msg], None, site, label)

        return try_

    # ---------------------------------------------------------------- for loops

    def sf_for(self, node: ListNode, scope: Scope | None, tail: bool, toplevel: bool) -> NodeFn:
        return compile_for(self, node, scope, node.head_name() or "for")


def _seq(fns: list[NodeFn]) -> NodeFn:
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        a, b = fns

        def seq2(env: Env) -> Any:
            a(env)
            return b(env)

        return seq2
    head, last = fns[:-1], fns[-1]

    def seq(env: Env) -> Any:
        for f in head:
            f(env)
        return last(env)

    return seq


def _values_list(v: Any, n: int, form: str, site: str, rest: bool = False) -> list[Any]:
    """The ``n`` values of ``v`` (then, with ``rest``, a list of the values left over)."""
    vals = list(v) if type(v) is MultipleValues else [v]
    if len(vals) != n and not (rest and len(vals) > n):
        expected = f"at least {n}" if rest else f"{n}"
        raise RecipeError(f"{form}: result arity mismatch; expected {expected} values, "
                          f"received {len(vals)}", "arity", site)
    if rest:
        return [*vals[:n], from_iter(vals[n:])]
    return vals


def _local_ref(name: str, depth: int, slot: int, maybe: bool, site: str) -> NodeFn:
    if maybe:
        def ref_checked(env: Env) -> Any:
            e = env
            for _ in range(depth):
                e = e[0]
            v = e[slot]
            if v is UNDEFINED:
                raise RecipeError(f"{name}: undefined; cannot use before its definition", "unbound", site)
            return v
        return ref_checked
    if depth == 0:
        return lambda env: env[slot]
    if depth == 1:
        return lambda env: env[0][slot]
    if depth == 2:
        return lambda env: env[0][0][slot]

    def ref(env: Env) -> Any:
        for _ in range(depth):
            env = env[0]
        return env[slot]

    return ref


def _make_let(inits: list[NodeFn], body: NodeFn, inner: Scope) -> NodeFn:
    n = len(inits)
    if n == 1 and inner.framesize == 2:
        a = inits[0]
        return lambda env: body([env, a(env)])
    if n == 2 and inner.framesize == 3:
        a, b = inits
        return lambda env: body([env, a(env), b(env)])

    def let(env: Env) -> Any:
        frame = [env]
        for f in inits:
            frame.append(f(env))
        pad = inner.framesize - len(frame)
        if pad:
            frame.extend([UNDEFINED] * pad)
        return body(frame)

    return let


def _make_call(f: NodeFn, args: list[NodeFn], site: str, label: str, tail: bool) -> NodeFn:
    n = len(args)
    if tail:
        if n == 0:
            def tcall0(env: Env) -> Any:
                p = f(env)
                if type(p) is Closure:
                    return TailCall(p, [], None, site)
                return tail_slow(p, [], None, site, label)
            return tcall0
        if n == 1:
            a0 = args[0]

            def tcall1(env: Env) -> Any:
                p = f(env)
                x = a0(env)
                if type(p) is Closure:
                    return TailCall(p, [x], None, site)
                return tail_slow(p, [x], None, site, label)
            return tcall1
        if n == 2:
            a0, a1 = args

            def tcall2(env: Env) -> Any:
                p = f(env)
                x = a0(env)
                y = a1(env)
                if type(p) is Closure:
                    return TailCall(p, [x, y], None, site)
                return tail_slow(p, [x, y], None, site, label)
            return tcall2

        def tcalln(env: Env) -> Any:
            p = f(env)
            vals = [a(env) for a in args]
            if type(p) is Closure:
                return TailCall(p, vals, None, site)
            return tail_slow(p, vals, None, site, label)
        return tcalln

    if n == 0:
        def call0(env: Env) -> Any:
            p = f(env)
            if type(p) is Closure and p.fast == 0:
                try:
                    r = p.body([p.env])
                    if type(r) is TailCall:
                        r = trampoline(r)
                    return r
                except RecipeError as e:
                    e.add_frame(label)
                    raise
            return call_slow(p, [], None, site, label)
        return call0
    if n == 1:
        a0 = args[0]

        def call1(env: Env) -> Any:
            p = f(env)
            x = a0(env)
            if type(p) is Closure and p.fast == 1:
                try:
                    r = p.body([p.env, x])
                    if type(r) is TailCall:
                        r = trampoline(r)
                    return r
                except RecipeError as e:
                    e.add_frame(label)
                    raise
            return call_slow(p, [x], None, site, label)
        return call1
    if n == 2:
        a0, a1 = args

        def call2(env: Env) -> Any:
            p = f(env)
            x = a0(env)
            y = a1(env)
            if type(p) is Closure and p.fast == 2:
                try:
                    r = p.body([p.env, x, y])
                    if type(r) is TailCall:
                        r = trampoline(r)
                    return r
                except RecipeError as e:
                    e.add_frame(label)
                    raise
            return call_slow(p, [x, y], None, site, label)
        return call2

    def calln(env: Env) -> Any:
        p = f(env)
        vals = [a(env) for a in args]
        return call_slow(p, vals, None, site, label)
    return calln


_OPERAND_SRC = {"const": "{v}", "local": "env[{v}]", "node": "{v}(env)", "cell": "{v}.value"}
_RETURN_SRC = {"const": "return {v}", "local": "return env[{v}]", "node": "return {v}(env)"}


@functools.cache
def _codegen(src: str) -> Callable[..., NodeFn]:
    namespace: dict[str, Any] = {}
    exec(compile(src, "<recipe codegen>", "exec"), namespace)
    maker: Callable[..., NodeFn] = namespace["maker"]
    return maker


def gen_call(op: tuple[str, Any], operands: list[tuple[str, Any]], site: str, label: str,
             tail: bool) -> NodeFn:
    """A call node specialised (generated once per shape) for its operator and operand kinds."""
    n = len(operands)
    names = [f"a{i}" for i in range(n)]
    xs = ", ".join(f"x{i}" for i in range(n))
    lines = ["def maker(f, " + "".join(f"{a}, " for a in names) + "site, label, G):",
             "    Closure = G['Closure']; TailCall = G['TailCall']; trampoline = G['trampoline']",
             "    RecipeError = G['RecipeError']; call_slow = G['call_slow']; UNDEFINED = G['UNDEFINED']",
             "    undefined = G['undefined']; tail_slow = G['tail_slow']",
             "    def node(env):",
             "        p = " + _OPERAND_SRC[op[0]].format(v="f")]
    values: list[Any] = []
    for i, (kind, v) in enumerate(operands):
        if kind == "binop":
            opsrc, (ka, _), (kb, _), _, _, _ = v
            a = names[i]
            lines += [f"        x{i} = " + _OPERAND_SRC[ka].format(v=a + "x"),
                      f"        y{i} = " + _OPERAND_SRC[kb].format(v=a + "y"),
                      f"        if type(x{i}) is int and type(y{i}) is int:",
                      f"            x{i} = x{i} {opsrc} y{i}",
                      "        else:",
                      f"            x{i} = call_slow({a}p, [x{i}, y{i}], None, {a}s, {a}l)"]
            values.append(v[1:])
        else:
            lines.append(f"        x{i} = " + _OPERAND_SRC[kind].format(v=names[i]))
            values.append(v)
    params = "".join(f"{a}x, {a}y, {a}p, {a}s, {a}l, " if k == "binop" else f"{a}, "
                     for a, (k, _) in zip(names, operands, strict=True))
    lines[0] = "def maker(f, " + params + "site, label, G):"
    if tail:
        lines += ["        if type(p) is Closure:",
                  f"            return TailCall(p, [{xs}], None, site)"]
    else:
        lines += [f"        if type(p) is Closure and p.fast == {n}:",
                  "            try:",
                  f"                r = p.body([p.env{', ' if n else ''}{xs}])",
                  "                if type(r) is TailCall:",
                  "                    r = trampoline(r)",
                  "                return r",
                  "            except RecipeError as e:",
                  "                e.add_frame(label)",
                  "                raise"]
    if op[0] == "cell":
        lines += ["        if p is UNDEFINED:", "            raise undefined(f.name, site)"]
    slow = "tail_slow" if tail else "call_slow"
    lines += [f"        return {slow}(p, [{xs}], None, site, label)", "    return node"]
    maker = _codegen("\n".join(lines) + "\n")
    flat: list[Any] = []
    for (kind, _), v in zip(operands, values, strict=True):
        if kind == "binop":
            (_, x), (_, y), proc, osite, olabel = v
            flat += [x, y, proc, osite, olabel]
        else:
            flat.append(v)
    return maker(op[1], *flat, site, label, _GEN_GLOBALS)


def gen_if(opsrc: str, ops: list[tuple[str, Any]], branches: list[tuple[str, Any]], builtin: Builtin,
           site: str, label: str) -> NodeFn:
    """``(if (op a b) then else)`` fused into one generated closure."""
    (ka, _), (kb, _) = ops
    (kt, _), (ke, _) = branches
    src = "\n".join([
        "def maker(a, b, t, e, proc, site, label, call_slow):",
        "    def node(env):",
        "        x = " + _OPERAND_SRC[ka].format(v="a"),
        "        y = " + _OPERAND_SRC[kb].format(v="b"),
        "        if type(x) is int and type(y) is int:",
        f"            if x {opsrc} y:",
        "                " + _RETURN_SRC[kt].format(v="t"),
        "            " + _RETURN_SRC[ke].format(v="e"),
        "        if call_slow(proc, [x, y], None, site, label) is not False:",
        "            " + _RETURN_SRC[kt].format(v="t"),
        "        " + _RETURN_SRC[ke].format(v="e"),
        "    return node",
    ]) + "\n"
    return _codegen(src)(ops[0][1], ops[1][1], branches[0][1], branches[1][1], builtin, site, label, call_slow)


def undefined(name: str, site: str) -> RecipeError:
    return RecipeError(f"{name}: undefined; cannot reference an identifier before its definition",
                       "unbound", site)


def _make_kw_call(f: NodeFn, args: list[NodeFn], kws: list[tuple[str, NodeFn]], site: str,
                  label: str, tail: bool) -> NodeFn:
    def kwcall(env: Env) -> Any:
        p = f(env)
        vals = [a(env) for a in args]
        kw = {k: fn(env) for k, fn in kws}
        if tail:
            if type(p) is Closure:
                return TailCall(p, vals, kw, site)
            return tail_slow(p, vals, kw, site, label)
        return call_slow(p, vals, kw, site, label)

    return kwcall


_GEN_GLOBALS: dict[str, Any] = {
    "Closure": Closure, "TailCall": TailCall, "trampoline": trampoline, "RecipeError": RecipeError,
    "call_slow": call_slow, "UNDEFINED": UNDEFINED, "undefined": undefined, "tail_slow": tail_slow,
}

_SPECIAL: dict[str, Callable[..., NodeFn]] = {
    "define": Compiler.sf_define,
    "lambda": Compiler.sf_lambda,
    "λ": Compiler.sf_lambda,
    "define-values": Compiler.sf_define_values,
    "let": Compiler.sf_let,
    "let*": Compiler.sf_let_star,
    "letrec": Compiler.sf_letrec,
    "letrec*": Compiler.sf_letrec,
    "let-values": Compiler.sf_let_values,
    "let*-values": Compiler.sf_let_values,
    "if": Compiler.sf_if,
    "cond": Compiler.sf_cond,
    "case": Compiler.sf_case,
    "when": Compiler.sf_when,
    "unless": Compiler.sf_when,
    "and": Compiler.sf_and,
    "or": Compiler.sf_and,
    "begin": Compiler.sf_begin,
    "quote": Compiler.sf_quote,
    "quasiquote": Compiler.sf_quasiquote,
    "set!": Compiler.sf_set,
    "parameterize": Compiler.sf_parameterize,
    "with-handlers": Compiler.sf_with_handlers,
    "try": Compiler.sf_try,
    "do": Compiler.sf_do,
}
for _name in _catalog.FOR_FORMS:
    _SPECIAL[_name] = Compiler.sf_for


# ============================================================================ running


@dataclass
class RunOutcome:
    """The result of a run: the value, its ``display`` text, and whether finish was called."""

    value: Any
    display_text: str
    finished: bool


def new_global_env(rt: Runtime) -> GlobalEnv:
    """A fresh sandbox: every built-in, primitive and combinator, plus ``context``."""
    from .builtins import all_builtins
    from .primitives import to_scheme

    genv = GlobalEnv()
    for name, proc in all_builtins().items():
        genv.define(name, proc)
    genv.define("context", to_scheme(rt.context) if not isinstance(rt.context, str) else rt.context)
    genv.define("empty", NIL)
    genv.define("null", NIL)
    genv.define("pi", 3.141592653589793)
    return genv


def syntax_error(doc: Document, filename: str) -> RecipeError:
    issue = doc.errors[0]
    line, col = doc.position(issue.start)
    return RecipeError(f"{issue.code} {issue.message}", "syntax", f"{filename}:{line + 1}:{col + 1}")


def compile_document(doc: Document, filename: str, genv: GlobalEnv) -> list[NodeFn]:
    """Compile every top-level form (raises RecipeError for syntax and compile errors)."""
    if doc.errors:
        raise syntax_error(doc, filename)
    return Compiler(doc, filename, genv).compile_program(doc.forms)


def execute(program: list[NodeFn]) -> tuple[Any, bool]:
    """Run compiled forms in the current strand: (value, finished)."""
    value: Any = VOID
    try:
        for form in program:
            value = form(None)
    except FinishSignal as f:
        return f.value, True
    except RecursionError:
        raise recursion_error() from None
    return value, False


def run_source(text: str, filename: str, genv: GlobalEnv) -> tuple[Any, bool]:
    """Read, compile and run recipe text in the current strand (nested recipes)."""
    doc = read(text)
    return execute(compile_document(doc, filename, genv))


def outcome(value: Any, finished: bool) -> RunOutcome:
    """The outcome of a run. (finish checks its value; a last value that is still LLM text
    is displayed as ``#<syntax "...">`` rather than failing a run that already paid.)

    The result displays as Racket's ``display`` (LANGUAGE.md §1), so ``(finish (void))``
    shows ``#<void>``; a recipe without ``finish`` whose last form has no value (a
    ``define``, a ``displayln``) shows nothing, as Racket's module body prints no void."""
    text = "" if value is VOID and not finished else display_string(value)
    return RunOutcome(value, text, finished)


async def run_recipe(
    document: Document,
    filename: str,
    services: Services,
    context: object = "",
    named_contexts: Mapping[str, object] | None = None,
) -> RunOutcome:
    """Run a read recipe to its end; raises RecipeError (FinishError for finish-error)."""
    if document.errors:
        raise syntax_error(document, filename)
    async with BlockingPortal() as portal:
        rt = Runtime(services, portal, filename, context, named_contexts)

        def main() -> RunOutcome:
            state = current()
            program = compile_document(document, filename, state.globals)
            value, finished = execute(program)
            try:
                return outcome(value, finished)
            except RecipeError as e:
                if e.location is None and document.forms:
                    line, col = document.position(document.forms[-1].start)
                    e.location = f"{filename}:{line + 1}:{col + 1}"
                raise

        def start() -> Future[RunOutcome]:
            genv = new_global_env(rt)
            return spawn_strand(main, StrandState(rt, genv))

        fut = start()
        error: Exception | None = None
        result: RunOutcome | None = None
        try:
            result = await anyio.to_thread.run_sync(fut.result, abandon_on_cancel=True)
        except Exception as e:  # a recipe error: re-raised outside the portal's task group
            error = e
        finally:
            rt.cancelled.set()
            await portal.stop(cancel_remaining=True)
    if error is not None:
        raise error
    assert result is not None
    return result


def iter_frames(e: RecipeError) -> Iterator[str]:
    """Backtrace entries of an error, most recent last."""
    yield from e.backtrace


# ============================================================================ for loops


def seq_iter(v: Any, form: str, site: str) -> Iterator[Any]:
    """Iterate a value used as a ``for`` sequence."""
    from .values import Sequence

    t = type(v)
    if t is Pair:
        return iter(v)
    if t is Nil:
        return iter(())
    if t is list or t is range or t is Sequence:
        return iter(v)
    if t is str:
        return (Char(c) for c in v)
    if t is Hash:
        return (MultipleValues(kv) for kv in v.items())
    if t is int and v >= 0:
        return iter(range(v))
    if t is SyntaxObj:
        raise RecipeError(f"{form}: expected a sequence but got a syntax object (LLM text); "
                          "unwrap it with syntax-e first", "contract", site)
    raise RecipeError(f"{form}: expected a sequence (list, vector, string, hash, range), given "
                      f"{write_string(v)}", "contract", site)


class _Group:
    __slots__ = ("bindings", "guards")

    def __init__(self) -> None:
        self.bindings: list[tuple[list[int], NodeFn, str]] = []
        self.guards: list[tuple[str, NodeFn]] = []


def compile_for(c: Compiler, node: ListNode, scope: Scope | None, form: str) -> NodeFn:
    """``for`` and its variants; clauses with ``#:when``/``#:unless``/``#:break`` nest."""
    items = node.items
    star = form.startswith("for*")
    kind = form.split("/", 1)[1] if "/" in form else "void"
    inner = Scope([], scope, scope.fname if scope else TOP_LEVEL)
    acc_inits: list[NodeFn] = []
    acc_slots: list[int] = []
    result_node: Node | None = None
    pos = 1
    if kind == "fold":
        if len(items) < 4 or not isinstance(items[1], ListNode):
            raise c.error(node, f"{form}: bad syntax; expected ({form} ([acc init] ...) (clause ...) body ...+)")
        acc_items = items[1].items
        j = 0
        while j < len(acc_items):
            a = acc_items[j]
            if isinstance(a, Atom) and a.kind == KEYWORD and a.text == "#:result" and j + 1 < len(acc_items):
                result_node = acc_items[j + 1]
                j += 2
                continue
            if not isinstance(a, ListNode) or len(a.items) != 2 or not _is_sym(a.items[0]):
                raise c.error(a, f"{form}: bad accumulator; expected [id init]")
            acc_inits.append(c.comp(a.items[1], scope, False))
            acc_slots.append(inner.add(a.items[0].text))  # type: ignore[union-attr,attr-defined]
            j += 1
        pos = 2
    if len(items) < pos + 2 or not isinstance(items[pos], ListNode):
        raise c.error(node, f"{form}: bad syntax; expected ({form} (clause ...) body ...+)")
    groups: list[_Group] = []
    clause_list = items[pos]
    assert isinstance(clause_list, ListNode)
    clause_items = clause_list.items
    j = 0
    while j < len(clause_items):
        cl = clause_items[j]
        if isinstance(cl, Atom) and cl.kind == KEYWORD:
            if cl.text not in ("#:when", "#:unless", "#:break", "#:final") or j + 1 >= len(clause_items):
                raise c.error(cl, f"{form}: unknown or incomplete clause keyword {cl.text}")
            if not groups:
                groups.append(_Group())
            groups[-1].guards.append((cl.text[2:], c.comp(clause_items[j + 1], inner, False)))
            j += 2
            continue
        if not isinstance(cl, ListNode) or len(cl.items) != 2:
            raise c.error(cl, f"{form}: bad clause; expected [id sequence]")
        target, seq_node = cl.items
        first_group = not groups or (len(groups) == 1 and not groups[0].guards and not star)
        seq_fn = c.comp(seq_node, scope if first_group else inner, False)
        if _is_sym(target):
            names = [target.text]  # type: ignore[union-attr,attr-defined]
        elif isinstance(target, ListNode) and all(_is_sym(x) for x in target.items):
            names = [x.text for x in target.items]  # type: ignore[union-attr,attr-defined]
        else:
            raise c.error(target, f"{form}: expected an identifier or (id ...)")
        if star or not groups or groups[-1].guards:
            groups.append(_Group())
        groups[-1].bindings.append(([], seq_fn, c.site(cl)))
        j += 1
        # names become visible after the group's bindings (parallel clauses in `for`)
        groups[-1].bindings[-1][0].extend(inner.add(n) for n in names)
    if not groups:
        groups.append(_Group())
    body = c.comp_body(items[pos + 1:], inner, False, node)
    result_fn = c.comp(result_node, inner, False) if result_node is not None else None
    site = c.site(node)
    ngroups = len(groups)
    first_env_groups = 1

    def frames(env: Env, base: list[Any]) -> Iterator[list[Any]]:
        stop = [False]

        def rec(gi: int, frame: list[Any]) -> Iterator[list[Any]]:
            if gi == ngroups:
                yield frame
                return
            g = groups[gi]
            src = env if gi < first_env_groups else frame
            iters = [seq_iter(fn(src), form, bsite) for _, fn, bsite in g.bindings]
            source: Iterator[Any]
            if not iters:
                source = iter([()])
            elif len(iters) == 1:
                source = ((v,) for v in iters[0])
            else:
                source = zip(*iters)  # noqa: B905 - stops at the shortest, as Racket does
            for vals in source:
                f = frame.copy()
                for (slots, _, bsite), v in zip(g.bindings, vals, strict=True):
                    if len(slots) == 1:
                        f[slots[0]] = v
                    else:
                        for s, x in zip(slots, _values_list(v, len(slots), form, bsite), strict=True):
                            f[s] = x
                ok = True
                for gkind, gfn in g.guards:
                    r = gfn(f)
                    if gkind == "when":
                        ok = r is not False
                    elif gkind == "unless":
                        ok = r is False
                    elif gkind == "break":
                        if r is not False:
                            stop[0] = True
                            return
                        continue
                    elif gkind == "final" and r is not False:
                        stop[0] = True
                        ok = True
                    if not ok:
                        break
                if ok:
                    yield from rec(gi + 1, f)
                if stop[0]:
                    return

        yield from rec(0, base)

    simple = (ngroups == 1 and not groups[0].guards and len(groups[0].bindings) == 1
              and len(groups[0].bindings[0][0]) == 1)
    simple_seq = groups[0].bindings[0][1] if simple else None
    simple_slot = groups[0].bindings[0][0][0] if simple else 0

    def run_frames(env: Env) -> Iterator[list[Any]]:
        base = [env]
        base.extend([UNDEFINED] * (inner.framesize - 1))
        if simple:
            for v in seq_iter(simple_seq(env), form, site):  # type: ignore[misc]
                f = base.copy()
                f[simple_slot] = v
                yield f
        else:
            yield from frames(env, base)

    from .builtins import num_add, num_mul

    if kind == "fold":
        nacc = len(acc_slots)

        def for_fold(env: Env) -> Any:
            accs = [f(env) for f in acc_inits]
            for frame in run_frames(env):
                for s, v in zip(acc_slots, accs, strict=True):
                    frame[s] = v
                r = body(frame)
                accs = _values_list(r, nacc, form, site)
            if result_fn is not None:
                frame = [env]
                frame.extend([UNDEFINED] * (inner.framesize - 1))
                for s, v in zip(acc_slots, accs, strict=True):
                    frame[s] = v
                return result_fn(frame)
            return accs[0] if nacc == 1 else MultipleValues(accs)

        return for_fold
    if kind == "list" or kind == "vector":
        as_vector = kind == "vector"

        def for_list(env: Env) -> Any:
            out = [body(f) for f in run_frames(env)]
            return out if as_vector else from_iter(out)

        return for_list
    if kind in ("sum", "product", "count"):
        def for_sum(env: Env) -> Any:
            total: Any = 1 if kind == "product" else 0
            for f in run_frames(env):
                v = body(f)
                try:
                    if kind == "sum":
                        total = num_add(total, v)
                    elif kind == "product":
                        total = num_mul(total, v)
                    elif v is not False:
                        total += 1
                except RecipeError as e:  # `+`/`*` of a non-number, as Racket names it
                    raise located(e, site) from None
            return total

        return for_sum
    if kind == "first":
        def for_first(env: Env) -> Any:
            for f in run_frames(env):
                return body(f)
            return False

        return for_first
    if kind == "last":
        def for_last(env: Env) -> Any:
            v: Any = False
            for f in run_frames(env):
                v = body(f)
            return v

        return for_last
    if kind == "and":
        def for_and(env: Env) -> Any:
            v: Any = True
            for f in run_frames(env):
                v = body(f)
                if v is False:
                    return False
            return v

        return for_and
    if kind == "or":
        def for_or(env: Env) -> Any:
            for f in run_frames(env):
                v = body(f)
                if v is not False:
                    return v
            return False

        return for_or
    if kind == "hash":
        def for_hash(env: Env) -> Any:
            h = Hash(mutable=False)
            for f in run_frames(env):
                k, v = _values_list(body(f), 2, form, site)
                h.set(k, v)
            return h

        return for_hash

    def for_void(env: Env) -> Any:
        for f in run_frames(env):
            body(f)
        return VOID

    return for_void


def _sequential_frame(inner: Scope, steps: list[tuple[int, NodeFn]], body: NodeFn) -> NodeFn:
    """A new frame for ``inner`` whose slots are filled in order (let*, letrec), then the body."""

    def run(env: Env) -> Any:
        frame = [env]
        frame.extend([UNDEFINED] * (inner.framesize - 1))
        for slot, fn in steps:
            frame[slot] = fn(frame)
        return body(frame)

    return run
