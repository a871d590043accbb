"""Run-time values of the recipe language and their printed forms.

Representation (chosen for speed of the common cases):

* strings → ``str``; exact integers → ``int``; exact rationals → ``Fraction`` (normalised:
  a whole rational is an ``int``); floats → ``float``; booleans → ``bool`` (only ``False``
  is false); characters → :class:`Char`; symbols → interned :class:`Symbol` (``eq?`` is
  ``is``); keywords → :class:`KeywordValue`.
* lists are classic linked pairs: :class:`Pair` cells ending in the :data:`NIL` singleton.
  ``cons``, ``car`` and ``cdr`` are O(1), so accumulate-and-reverse loops and ``cdr``
  recursion stay linear; ``length`` and ``list-ref`` are O(n) as in Racket. Built-ins that
  work on whole lists convert to a Python list once (O(n)) and back. Improper lists are
  the same cells with a non-list final ``cdr``.
* vectors → Python ``list``; hash tables → :class:`Hash` (keys compared by ``equal?``,
  ``eqv?`` or ``eq?``, as the constructor says).
* ``void`` → :data:`VOID`; multiple values → :class:`MultipleValues`.
* LLM text → :class:`SyntaxObj`; async calls → :class:`AsyncHandle`; Python objects →
  ``services.PyRef``.
"""

from __future__ import annotations

import concurrent.futures
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import Any, ClassVar

from .services import PyRef


class Symbol:
    """An interned symbol: two symbols with the same name are the same object."""

    __slots__ = ("name",)
    _table: ClassVar[dict[str, Symbol]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple[Any, ...]:
        return (sym, (self.name,))


def sym(name: str) -> Symbol:
    """The interned symbol called ``name``."""
    s = Symbol._table.get(name)
    if s is None:
        with Symbol._lock:
            s = Symbol._table.get(name)
            if s is None:
                s = Symbol(name)
                Symbol._table[name] = s
    return s


class Char:
    """A character value (``#\\a``)."""

    __slots__ = ("ch",)

    def __init__(self, ch: str) -> None:
        self.ch = ch

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Char) and other.ch == self.ch

    def __hash__(self) -> int:
        return hash(("char", self.ch))

    def __repr__(self) -> str:
        return write_string(self)


class KeywordValue:
    """A keyword datum (``#:model``) used as a value (rare: quoted data)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeywordValue) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("kw", self.name))


class Nil:
    """The empty list ``'()``; use the singleton :data:`NIL`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "()"

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __bool__(self) -> bool:  # pragma: no cover - never use Python truthiness
        return True


NIL = Nil()


class Pair:
    """A cons cell."""

    __slots__ = ("car", "cdr")

    def __init__(self, car: Any, cdr: Any) -> None:
        self.car = car
        self.cdr = cdr

    def __iter__(self) -> Iterator[Any]:
        """Iterate the elements of a proper list (stops at a non-pair tail)."""
        p: Any = self
        while type(p) is Pair:
            yield p.car
            p = p.cdr

    def __repr__(self) -> str:
        return write_string(self)


class Void:
    """The ``void`` value; use :data:`VOID`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "#<void>"


VOID = Void()


class ArityAtLeast:
    """Racket's ``arity-at-least`` structure: what ``procedure-arity`` returns for a
    procedure taking ``value`` or more arguments. A transparent structure: it displays and
    writes as ``#(struct:arity-at-least n)`` and prints as ``(arity-at-least n)``."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"#(struct:arity-at-least {self.value})"


class Unspecified:
    """Placeholder of a variable that is declared but not yet defined."""

    __slots__ = ()


UNDEFINED = Unspecified()


class MultipleValues(tuple):  # type: ignore[type-arg]
    """The result of ``(values a b ...)`` with a count other than one."""

    __slots__ = ()


class SyntaxObj:
    """LLM text, wrapped so it cannot be used as a string by accident (unwrap with syntax-e)."""

    __slots__ = ("text",)

    def __init__(self, text: Any) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"#<syntax {write_string(self.text)}>"


class AsyncHandle:
    """A started LLM call (``llm-query-async``): a future resolving to its text."""

    __slots__ = ("future", "site")

    def __init__(self, future: concurrent.futures.Future[Any], site: str) -> None:
        self.future = future
        self.site = site

    def __repr__(self) -> str:
        state = "done" if self.future.done() else "pending"
        return f"#<async-handle {state}>"


class Hash:
    """A hash table. ``kind`` is how keys compare: ``"equal"`` (``hash``, ``make-hash``),
    ``"eqv"`` (``hasheqv``…) or ``"eq"`` (``hasheq``…). ``mutable`` is False for
    ``(hash ...)`` tables."""

    __slots__ = ("data", "key", "kind", "mutable")

    def __init__(self, items: Iterable[tuple[Any, Any]] = (), mutable: bool = True,
                 kind: str = "equal") -> None:
        self.kind = kind
        self.key: Callable[[Any], Any] = HASH_KEYS[kind]
        key = self.key
        self.data: dict[Any, tuple[Any, Any]] = {}
        for k, v in items:
            self.data[key(k)] = (k, v)
        self.mutable = mutable

    def get(self, key: Any, default: Any = None) -> Any:
        entry = self.data.get(self.key(key))
        return default if entry is None else entry[1]

    def has(self, key: Any) -> bool:
        return self.key(key) in self.data

    def set(self, key: Any, value: Any) -> None:
        self.data[self.key(key)] = (key, value)

    def remove(self, key: Any) -> None:
        self.data.pop(self.key(key), None)

    def keys(self) -> list[Any]:
        return [k for k, _ in self.data.values()]

    def values(self) -> list[Any]:
        return [v for _, v in self.data.values()]

    def items(self) -> list[tuple[Any, Any]]:
        return list(self.data.values())

    def copy(self, mutable: bool | None = None) -> Hash:
        h = Hash(mutable=self.mutable if mutable is None else mutable, kind=self.kind)
        h.data = dict(self.data)
        return h

    def __len__(self) -> int:
        return len(self.data)


def _float_key(v: float) -> Any:
    """Floats as ``eqv?`` sees them: 0.0 and -0.0 differ, every NaN is the same."""
    if v == 0.0:
        return ("#fl0", math.copysign(1.0, v))
    if v != v:
        return ("#fl", "nan")
    return ("#fl", v)


def hash_key(v: Any) -> Any:
    """A Python dict key that is equal for ``equal?`` values and distinct otherwise."""
    t = type(v)
    if t is str or t is int or t is Symbol:
        return v
    if t is bool:
        return ("#bool", v)
    if t is float:
        return _float_key(v)
    if t is Pair or t is Nil:
        return ("#list", tuple(hash_key(x) for x in iter_improper(v)))
    if t is list:
        return ("#vec", tuple(hash_key(x) for x in v))
    if t is SyntaxObj:
        return ("#syn", hash_key(v.text))
    if t is ArityAtLeast:
        return ("#arity-at-least", hash_key(v.value))
    try:
        hash(v)
    except TypeError:
        return ("#id", id(v))
    return v


def eqv_key(v: Any) -> Any:
    """A Python dict key that is equal for ``eqv?`` values and distinct otherwise."""
    t = type(v)
    if t is int or t is Symbol or t is Fraction or t is Char or t is KeywordValue:
        return v
    if t is bool:
        return ("#bool", v)
    if t is float:
        return _float_key(v)
    if t is str and not v:
        return ""
    return ("#id", id(v))


def eq_key(v: Any) -> Any:
    """A Python dict key that is equal for ``eq?`` values and distinct otherwise."""
    t = type(v)
    if t is int or t is Symbol or t is Char or t is KeywordValue:
        return v
    if t is bool:
        return ("#bool", v)
    return ("#id", id(v))


HASH_KEYS: dict[str, Callable[[Any], Any]] = {"equal": hash_key, "eqv": eqv_key, "eq": eq_key}


def iter_improper(v: Any) -> Iterator[Any]:
    """Elements of a possibly improper list, the non-nil tail last (marked)."""
    while type(v) is Pair:
        yield v.car
        v = v.cdr
    if v is not NIL:
        yield ("#tail", hash_key(v))


class Sequence:
    """A lazy sequence from ``in-range``, ``in-naturals``, ``in-string``, ``in-hash`` …"""

    __slots__ = ("make", "name")

    def __init__(self, name: str, make: Callable[[], Iterable[Any]]) -> None:
        self.name = name
        self.make = make

    def __iter__(self) -> Iterator[Any]:
        return iter(self.make())

    def __repr__(self) -> str:
        return f"#<sequence:{self.name}>"


# ---------------------------------------------------------------------------- procedures


class Procedure:
    """Base of callable values."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"#<procedure:{self.name}>"


class Builtin(Procedure):
    """A procedure implemented in Python: ``fn(*args, **kw)``.

    ``keywords`` lists the accepted keyword names (Racket spelling); they arrive in Python
    with ``-`` replaced by ``_`` (with ``rest_keywords``, any keyword is accepted and
    arrives in ``**kw`` as spelled). ``wants_site`` passes the call site as ``_site``."""

    __slots__ = ("fn", "keywords", "max_args", "min_args", "rest_keywords", "wants_site")

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        min_args: int,
        max_args: int | None,
        keywords: frozenset[str] = frozenset(),
        wants_site: bool = False,
        rest_keywords: bool = False,
    ) -> None:
        super().__init__(name)
        self.fn = fn
        self.min_args = min_args
        self.max_args = max_args
        self.keywords = keywords
        self.wants_site = wants_site
        # takes any keyword (``apply``): they arrive in ``**kw`` under their Racket names
        self.rest_keywords = rest_keywords


class Closure(Procedure):
    """A compiled ``lambda``. ``fast`` is the argument count when the closure takes only
    required positional parameters and needs no frame slots beyond them, else -1."""

    __slots__ = ("body", "env", "fast", "spec")

    def __init__(self, name: str, spec: Any, env: Any, body: Callable[[Any], Any], fast: int) -> None:
        super().__init__(name)
        self.spec = spec
        self.env = env
        self.body = body
        self.fast = fast


# ---------------------------------------------------------------------------- printing


def format_number(v: Any) -> str:
    """Racket's printed form of a number."""
    if type(v) is float:
        if math.isnan(v):
            return "+nan.0"
        if math.isinf(v):
            return "+inf.0" if v > 0 else "-inf.0"
        return repr(v)
    if type(v) is Fraction:
        return f"{v.numerator}/{v.denominator}"
    return str(v)


_CHAR_NAMES = {" ": "space", "\n": "newline", "\t": "tab", "\r": "return", "\0": "nul",
               "\x7f": "delete", "\x1b": "escape", "\b": "backspace"}


def _write_str(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_SYMBOL_SPECIAL = frozenset(' ()[]{}",\'`;|\\')
_LOOKS_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?\d+/\d+$|^[+-](inf|nan)\.[0f]$",
                            re.ASCII)


def _write_symbol(name: str) -> str:
    """A symbol as ``write`` shows it: between bars when the reader would not read the
    plain name back as this symbol (``|a b|``, ``|1|``, ``||``, ``|#foo|``)."""
    if name and name != "." and not _LOOKS_NUMERIC.match(name) \
            and not (name[0] == "#" and not name.startswith("#%")) \
            and not any(c in _SYMBOL_SPECIAL or c.isspace() for c in name):
        return name
    if "|" not in name:
        return f"|{name}|"
    return "".join("\\" + c if c in _SYMBOL_SPECIAL or c.isspace() or c == "#" else c for c in name)


def to_string(v: Any, write: bool = False) -> str:
    """``display`` form (``write=False``) or ``write`` form of a value."""
    parts: list[str] = []
    _emit(v, write, parts, 0)
    return "".join(parts)


def display_string(v: Any) -> str:
    """Racket ``display`` / ``~a`` form."""
    if type(v) is str:
        return v
    return to_string(v, False)


def write_string(v: Any) -> str:
    """Racket ``write`` / ``~s`` form."""
    return to_string(v, True)


def print_string(v: Any) -> str:
    """Racket ``print`` / ``~v`` form (``print-as-expression`` on, quoting depth 0): like
    ``write``, but symbols, lists, vectors, hashes and keywords carry a ``'`` prefix, and a
    compound holding a value that cannot be quoted (an ``arity-at-least``) prints with its
    constructor: ``(list 1 (arity-at-least 2))``."""
    parts: list[str] = []
    _emit_print(v, parts, 0)
    return "".join(parts)


_HASH_PREFIX = {"equal": "#hash(", "eqv": "#hasheqv(", "eq": "#hasheq("}
_HASH_CONSTRUCTOR = {"equal": "(hash", "eqv": "(hasheqv", "eq": "(hasheq"}


def _quotable(v: Any, depth: int = 0) -> bool:
    """Racket's *quotable*: everything here but a transparent structure (and what holds one)."""
    t = type(v)
    if t is ArityAtLeast:
        return False
    if depth > 200:
        return True
    if t is Pair:
        return all(_quotable(x, depth + 1) for x in iter_values(v))
    if t is list:
        return all(_quotable(x, depth + 1) for x in v)
    if t is Hash:
        return all(_quotable(k, depth + 1) and _quotable(x, depth + 1) for k, x in v.items())
    return True


def iter_values(v: Any) -> Iterator[Any]:
    """The elements of a possibly improper list, then its non-empty tail."""
    while type(v) is Pair:
        yield v.car
        v = v.cdr
    if v is not NIL:
        yield v


def _emit_print(v: Any, out: list[str], depth: int) -> None:
    t = type(v)
    if t is Symbol or t is Nil or t is KeywordValue:
        out.append("'")
        _emit(v, True, out, depth)
    elif t is Pair or t is list or t is Hash:
        if _quotable(v):
            out.append("'")
            _emit(v, True, out, depth)
            return
        if t is Hash:
            out.append(_HASH_CONSTRUCTOR[v.kind])
            for k, x in v.items():
                out.append(" ")
                _emit_print(k, out, depth + 1)
                out.append(" ")
                _emit_print(x, out, depth + 1)
            out.append(")")
            return
        if t is list:
            items, tail = v, NIL
            out.append("(vector")
        else:
            items = []
            p: Any = v
            while type(p) is Pair:
                items.append(p.car)
                p = p.cdr
            tail = p
            out.append("(list" if tail is NIL else "(cons" if len(items) == 1 else "(list*")
        for x in items:
            out.append(" ")
            _emit_print(x, out, depth + 1)
        if tail is not NIL:
            out.append(" ")
            _emit_print(tail, out, depth + 1)
        out.append(")")
    elif t is ArityAtLeast:
        out.append("(arity-at-least ")
        _emit_print(v.value, out, depth + 1)
        out.append(")")
    elif t is MultipleValues:
        for i, x in enumerate(v):
            if i:
                out.append("\n")
            _emit_print(x, out, depth + 1)
    else:
        _emit(v, True, out, depth)


def _emit(v: Any, write: bool, out: list[str], depth: int) -> None:
    """Append the display (``write=False``) or write form of ``v`` to ``out``.

    Iterative (an explicit work stack), so that data nested arbitrarily deep prints in
    full, as Racket prints it, whatever the Python stack. ``depth`` is unused (kept for
    callers)."""
    # work items: (True, text) is literal output; (False, value) is a value to print
    stack: list[tuple[bool, Any]] = [(False, v)]
    push = stack.append
    while stack:
        lit, v = stack.pop()
        if lit:
            out.append(v)
            continue
        t = type(v)
        if t is str:
            out.append(_write_str(v) if write else v)
        elif t is bool:
            out.append("#t" if v else "#f")
        elif t is int or t is float or t is Fraction:
            out.append(format_number(v))
        elif t is Symbol:
            out.append(_write_symbol(v.name) if write else v.name)
        elif t is Nil:
            out.append("()")
        elif t is Pair:
            if type(v.cdr) is Pair and v.cdr.cdr is NIL and type(v.car) is Symbol:
                prefix = {"quote": "'", "quasiquote": "`", "unquote": ",",
                          "unquote-splicing": ",@"}.get(v.car.name)
                if prefix:
                    out.append(prefix)
                    push((False, v.cdr.car))
                    continue
            items: list[tuple[bool, Any]] = [(True, "(")]
            p: Any = v
            first = True
            while type(p) is Pair:
                if not first:
                    items.append((True, " "))
                items.append((False, p.car))
                first = False
                p = p.cdr
            if p is not NIL:
                items.append((True, " . "))
                items.append((False, p))
            items.append((True, ")"))
            stack.extend(reversed(items))
        elif t is Char:
            if write:
                out.append("#\\" + _CHAR_NAMES.get(v.ch, v.ch))
            else:
                out.append(v.ch)
        elif t is list:
            items = [(True, "#(")]
            for i, x in enumerate(v):
                if i:
                    items.append((True, " "))
                items.append((False, x))
            items.append((True, ")"))
            stack.extend(reversed(items))
        elif t is Hash:
            items = [(True, _HASH_PREFIX[v.kind])]
            for i, (k, x) in enumerate(v.items()):
                if i:
                    items.append((True, " "))
                items.extend(((True, "("), (False, k), (True, " . "), (False, x), (True, ")")))
            items.append((True, ")"))
            stack.extend(reversed(items))
        elif t is Void:
            out.append("#<void>")
        elif t is ArityAtLeast:
            stack.extend(((True, ")"), (False, v.value), (True, "#(struct:arity-at-least ")))
        elif t is SyntaxObj:
            out.append("#<syntax ")
            out.append(_write_str(v.text) if type(v.text) is str else to_string(v.text, True))
            out.append(">")
        elif t is MultipleValues:
            items = []
            for i, x in enumerate(v):
                if i:
                    items.append((True, "\n"))
                items.append((False, x))
            stack.extend(reversed(items))
        elif t is KeywordValue:
            out.append("#:" + v.name)
        elif isinstance(v, Procedure):
            out.append(f"#<procedure:{v.name}>")
        elif t is AsyncHandle:
            out.append(repr(v))
        elif t is PyRef:
            out.append(f"#<python:{v.type_name}{' ' + v.repr_text if v.repr_text else ''}>")
        elif t is range or t is Sequence:
            out.append("#<sequence>")
        elif isinstance(v, BaseException):
            out.append(f"#<exn:fail {_write_str(str(v))}>")
        else:
            out.append(f"#<{type(v).__name__}>")


# ---------------------------------------------------------------------------- lists


def from_iter(items: Iterable[Any]) -> Any:
    """A proper list of the items."""
    seq = items if isinstance(items, (list, tuple)) else list(items)
    result: Any = NIL
    for x in reversed(seq):
        result = Pair(x, result)
    return result


def make_list(*items: Any) -> Any:
    """``(list items ...)``."""
    return from_iter(items)


def is_list(v: Any) -> bool:
    """True for a proper list."""
    while type(v) is Pair:
        v = v.cdr
    return v is NIL


def list_to_py(v: Any) -> list[Any] | None:
    """The elements of a proper list, or None when ``v`` is not one."""
    out: list[Any] = []
    append = out.append
    while type(v) is Pair:
        append(v.car)
        v = v.cdr
    return out if v is NIL else None


# ---------------------------------------------------------------------------- equality


def is_number(v: Any) -> bool:
    """``number?``: int (not bool), Fraction or float."""
    t = type(v)
    return t is int or t is float or t is Fraction


def eqv(a: Any, b: Any) -> bool:
    """``eqv?``."""
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is float:
        # IEEE identity: 0.0 and -0.0 differ, +nan.0 is eqv? to itself
        if a != a:
            return bool(b != b)
        return bool(a == b) and (a != 0.0 or math.copysign(1.0, a) == math.copysign(1.0, b))
    if ta is int or ta is Fraction or ta is Char or ta is bool or ta is KeywordValue:
        return bool(a == b)
    if ta is str:
        return bool(a == b) and len(a) == 0
    return False


def eq(a: Any, b: Any) -> bool:
    """``eq?``: identity. Exact integers and characters compare by value (as fixnums and
    characters do in Racket), keywords by name (Racket interns them); literal strings are
    interned when the recipe is compiled, as Racket's reader interns them."""
    if a is b:
        return True
    ta = type(a)
    if ta is int or ta is Char or ta is KeywordValue:
        return type(b) is ta and bool(a == b)
    return False


def equal(a: Any, b: Any) -> bool:
    """``equal?``: structural on pairs, vectors, strings, hashes; ``eqv?`` otherwise."""
    while True:
        if a is b:
            return True
        ta = type(a)
        if ta is not type(b):
            return False
        if ta is Pair:
            if not equal(a.car, b.car):
                return False
            a, b = a.cdr, b.cdr
            continue
        if ta is str:
            return bool(a == b)
        if ta is list:
            return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
        if ta is Hash:
            if len(a) != len(b) or a.kind != b.kind or a.mutable != b.mutable:
                return False
            for k, (_, v) in a.data.items():
                other = b.data.get(k)
                if other is None or not equal(v, other[1]):
                    return False
            return True
        if ta is SyntaxObj:
            return equal(a.text, b.text)
        if ta is ArityAtLeast:
            return equal(a.value, b.value)
        if ta is PyRef:
            return bool(a.ref_id == b.ref_id)
        return eqv(a, b)


def truthy(v: Any) -> bool:
    """Scheme truth: everything but ``#f``."""
    return v is not False


def type_name(v: Any) -> str:
    """A short description of a value's kind, for error messages."""
    t = type(v)
    names = {str: "string", int: "integer", float: "float", Fraction: "rational",
             bool: "boolean", Symbol: "symbol", Char: "character", Pair: "pair",
             Nil: "empty list", list: "vector", Hash: "hash", Void: "void",
             SyntaxObj: "syntax object", AsyncHandle: "async handle", PyRef: "python reference",
             MultipleValues: "multiple values", ArityAtLeast: "arity-at-least"}
    if t in names:
        return names[t]
    if isinstance(v, Procedure):
        return "procedure"
    return t.__name__
