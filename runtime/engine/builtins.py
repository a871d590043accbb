"""Built-in procedures: the registry, numbers, equality, hashes, vectors, control, output.

Lists are in :mod:`.builtins_list`, strings and formatting in :mod:`.builtins_string`, LLM
and bridge primitives in :mod:`.primitives`, combinators in :mod:`.combinators`.
:func:`all_builtins` collects them all; :func:`inline_ops` gives the evaluator fast paths
for the hottest built-ins.
"""

from __future__ import annotations

import inspect
import math
import operator
import random as _random
import sys
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import Any

from .errors import ExnValue, RecipeError, contract_error
from .evaluator import TAIL_APPLY, call_proc, call_slow, current
from .values import (
    NIL,
    VOID,
    ArityAtLeast,
    Builtin,
    Char,
    Closure,
    Hash,
    KeywordValue,
    MultipleValues,
    Nil,
    Pair,
    Procedure,
    Sequence,
    Symbol,
    SyntaxObj,
    Void,
    display_string,
    eq,
    equal,
    eqv,
    from_iter,
    is_list,
    list_to_py,
    print_string,
    write_string,
)

REGISTRY: dict[str, Builtin] = {}
F = Callable[..., Any]


def builtin(name: str, *, keywords: tuple[str, ...] = (), site: bool = False,
            aliases: tuple[str, ...] = (), any_keywords: bool = False) -> Callable[[F], F]:
    """Register a Python function as the built-in ``name``. With ``any_keywords`` it takes
    every keyword, passed to its ``**kw`` as spelled in the recipe (``apply``)."""

    def deco(fn: F) -> F:
        sig = inspect.signature(fn)
        mn = 0
        mx: int | None = 0
        for p in sig.parameters.values():
            if p.name == "_site":
                continue  # the call site, passed by keyword by the evaluator: not an argument
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                if p.default is p.empty:
                    mn += 1
                if mx is not None:
                    mx += 1
            elif p.kind == p.VAR_POSITIONAL:
                mx = None
        b = Builtin(name, fn, mn, mx, frozenset(keywords), site, any_keywords)
        REGISTRY[name] = b
        for alias in aliases:
            REGISTRY[alias] = Builtin(alias, fn, mn, mx, frozenset(keywords), site, any_keywords)
        return fn

    return deco


@cache
def all_builtins() -> dict[str, Builtin]:
    """Every built-in, primitive and combinator by name."""
    from . import builtins_list, builtins_string, combinators, primitives  # noqa: F401

    return dict(REGISTRY)


def out() -> Any:
    """The run's stdout (services.stdout), or sys.stdout outside a run."""
    try:
        return current().rt.services.stdout
    except RecipeError:
        return sys.stdout


# ============================================================================ checks


def check_num(name: str, x: Any, pos: int | None = None) -> None:
    t = type(x)
    if t is not int and t is not float and t is not Fraction:
        raise contract_error(name, "number?", x, pos)


def check_int(name: str, x: Any, pos: int | None = None) -> int:
    if type(x) is int:
        return x
    if type(x) is float and x.is_integer():
        return int(x)
    raise contract_error(name, "integer?", x, pos)


def check_nat(name: str, x: Any, pos: int | None = None) -> int:
    if type(x) is int and x >= 0:
        return x
    raise contract_error(name, "exact-nonnegative-integer?", x, pos)


def check_proc(name: str, x: Any, pos: int | None = None) -> Any:
    if not isinstance(x, Procedure):
        raise contract_error(name, "procedure?", x, pos)
    return x


def check_str(name: str, x: Any, pos: int | None = None) -> str:
    if type(x) is str:
        return x
    raise contract_error(name, "string?", x, pos)


def check_list(name: str, x: Any, pos: int | None = None) -> list[Any]:
    items = list_to_py(x)
    if items is None:
        raise contract_error(name, "list?", x, pos)
    return items


def check_hash(name: str, x: Any, pos: int | None = None) -> Hash:
    if type(x) is not Hash:
        raise contract_error(name, "hash?", x, pos)
    return x


def norm(v: Any) -> Any:
    """Normalise an exact rational: a whole Fraction becomes an int."""
    if type(v) is Fraction and v.denominator == 1:
        return int(v)
    return v


# ============================================================================ numbers


def flo(x: Any) -> float:
    """A real as a flonum; an exact number beyond the flonum range is an infinity (Racket)."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _mixed(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """``op`` on two numbers; when an exact operand is too large for the float it meets,
    the sum is computed in flonums as Racket does (``(+ (expt 10 400) 1.0)`` is ``+inf.0``)."""
    try:
        return norm(op(a, b))
    except OverflowError:
        return op(flo(a), flo(b))


def num_add(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return a + b
    check_num("+", a, 1)
    check_num("+", b, 2)
    return _mixed(operator.add, a, b)


def num_mul(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return a * b
    check_num("*", a, 1)
    check_num("*", b, 2)
    if (type(a) is int and a == 0) or (type(b) is int and b == 0):
        return 0  # Racket: an exact 0 times anything, a float included, is exact 0
    return _mixed(operator.mul, a, b)


@builtin("+")
def plus(*args: Any) -> Any:
    total: Any = 0
    for i, x in enumerate(args):
        if type(x) is int and type(total) is int:
            total += x
        else:
            check_num("+", x, i + 1)
            total = _mixed(operator.add, total, x)
    return total


@builtin("*")
def times(*args: Any) -> Any:
    total: Any = 1
    exact_zero = False
    for i, x in enumerate(args):
        check_num("*", x, i + 1)
        if type(x) is int and x == 0:
            exact_zero = True  # Racket: an exact 0 times anything, a float included, is exact 0
        total = _mixed(operator.mul, total, x)
    return 0 if exact_zero else total


@builtin("-")
def minus(first: Any, *rest: Any) -> Any:
    check_num("-", first, 1)
    if not rest:
        return -first
    total = first
    for i, x in enumerate(rest):
        check_num("-", x, i + 2)
        total = _mixed(operator.sub, total, x)
    return total


def _div2(a: Any, b: Any) -> Any:
    if (type(b) is int and b == 0) or (type(b) is Fraction and b == 0):
        raise RecipeError("/: division by zero", "divide-by-zero")
    if type(a) is float or type(b) is float:
        if type(a) is int and a == 0:
            return 0  # Racket: an exact 0 divided by a float is exact 0
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return _mixed(operator.truediv, a, b)
    return norm(Fraction(a) / Fraction(b))


@builtin("/")
def divide(first: Any, *rest: Any) -> Any:
    check_num("/", first, 1)
    if not rest:
        return _div2(1, first)
    total = first
    for i, x in enumerate(rest):
        check_num("/", x, i + 2)
        total = _div2(total, x)
    return total


def _int_args(name: str, a: Any, b: Any) -> tuple[Any, Any, bool]:
    for i, x in ((1, a), (2, b)):
        if not (type(x) is int or (type(x) is float and x.is_integer())):
            raise contract_error(name, "integer?", x, i)
    if b == 0:
        raise RecipeError(f"{name}: undefined for 0", "divide-by-zero")
    return int(a), int(b), type(a) is float or type(b) is float


def _quotient(x: int, y: int) -> int:
    return abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)


def _remainder(x: int, y: int) -> int:
    return abs(x) % abs(y) * (1 if x >= 0 else -1)


@builtin("quotient")
def quotient(a: Any, b: Any) -> Any:
    x, y, fl = _int_args("quotient", a, b)
    q = _quotient(x, y)
    return float(q) if fl else q


@builtin("remainder")
def remainder(a: Any, b: Any) -> Any:
    x, y, fl = _int_args("remainder", a, b)
    r = _remainder(x, y)
    return float(r) if fl else r


@builtin("quotient/remainder")
def quotient_remainder(a: Any, b: Any) -> MultipleValues:
    x, y, fl = _int_args("quotient/remainder", a, b)
    q, r = _quotient(x, y), _remainder(x, y)
    return MultipleValues((float(q), float(r)) if fl else (q, r))


@builtin("modulo")
def modulo(a: Any, b: Any) -> Any:
    x, y, fl = _int_args("modulo", a, b)
    return float(x % y) if fl else x % y


def _compare(name: str, op: Callable[[Any, Any], bool], args: tuple[Any, ...]) -> bool:
    for i, x in enumerate(args):
        check_num(name, x, i + 1)
    return all(op(args[i], args[i + 1]) for i in range(len(args) - 1))


@builtin("=")
def num_eq(a: Any, b: Any, *rest: Any) -> bool:
    return _compare("=", lambda x, y: x == y, (a, b, *rest))


@builtin("<")
def num_lt(a: Any, b: Any, *rest: Any) -> bool:
    return _compare("<", lambda x, y: x < y, (a, b, *rest))


@builtin(">")
def num_gt(a: Any, b: Any, *rest: Any) -> bool:
    return _compare(">", lambda x, y: x > y, (a, b, *rest))


@builtin("<=")
def num_le(a: Any, b: Any, *rest: Any) -> bool:
    return _compare("<=", lambda x, y: x <= y, (a, b, *rest))


@builtin(">=")
def num_ge(a: Any, b: Any, *rest: Any) -> bool:
    return _compare(">=", lambda x, y: x >= y, (a, b, *rest))


@builtin("add1")
def add1(x: Any) -> Any:
    check_num("add1", x, 1)
    return norm(x + 1)


@builtin("sub1")
def sub1(x: Any) -> Any:
    check_num("sub1", x, 1)
    return norm(x - 1)


@builtin("abs")
def num_abs(x: Any) -> Any:
    check_num("abs", x, 1)
    return abs(x)


def _minmax(name: str, pick: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    for i, x in enumerate(args):
        check_num(name, x, i + 1)
    r = pick(args)
    if any(type(x) is float for x in args):
        return flo(r)
    return r


@builtin("max")
def num_max(a: Any, *rest: Any) -> Any:
    return _minmax("max", max, (a, *rest))


@builtin("min")
def num_min(a: Any, *rest: Any) -> Any:
    return _minmax("min", min, (a, *rest))


def _rounder(name: str, fn: Callable[[Any], int]) -> Callable[[Any], Any]:
    def r(x: Any) -> Any:
        check_num(name, x, 1)
        if type(x) is int:
            return x
        if type(x) is float:
            if math.isnan(x) or math.isinf(x):
                return x
            return float(fn(x))
        return fn(x)

    return r


builtin("floor")(_rounder("floor", math.floor))
builtin("ceiling")(_rounder("ceiling", math.ceil))
builtin("truncate")(_rounder("truncate", math.trunc))
builtin("round")(_rounder("round", round))


def check_rational(name: str, x: Any, pos: int | None = None) -> None:
    """``rational?``: an exact number or a finite float."""
    t = type(x)
    if t is int or t is Fraction or (t is float and math.isfinite(x)):
        return
    raise contract_error(name, "rational?", x, pos)


def _exact_rounder(name: str, fn: Callable[[Any], int]) -> Callable[[Any], int]:
    def r(x: Any) -> int:
        check_rational(name, x, 1)
        return fn(x)

    return r


builtin("exact-round")(_exact_rounder("exact-round", round))
builtin("exact-floor")(_exact_rounder("exact-floor", math.floor))
builtin("exact-ceiling")(_exact_rounder("exact-ceiling", math.ceil))
builtin("exact-truncate")(_exact_rounder("exact-truncate", math.trunc))


def _to_inexact(name: str) -> Callable[[Any], float]:
    def f(x: Any) -> float:
        check_num(name, x, 1)
        return flo(x)

    return f


def _to_exact(name: str) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        check_num(name, x, 1)
        if type(x) is float:
            if math.isnan(x) or math.isinf(x):
                raise RecipeError(f"{name}: no exact representation for {display_string(x)}", "contract")
            return norm(Fraction(x))
        return x

    return f


# One function per name, so that an error names the procedure the recipe called.
for _n in ("exact->inexact", "inexact", "real->double-flonum"):
    builtin(_n)(_to_inexact(_n))
for _n in ("inexact->exact", "exact"):
    builtin(_n)(_to_exact(_n))


def _is_exact(x: Any) -> bool:
    return type(x) is int or type(x) is Fraction


def _no_complex(name: str, x: Any) -> RecipeError:
    return RecipeError(f"{name}: complex results are not supported, given {display_string(x)}", "contract")


@builtin("sqrt")
def num_sqrt(x: Any) -> Any:
    check_num("sqrt", x, 1)
    if x < 0:
        raise _no_complex("sqrt", x)
    if type(x) is int:
        r = math.isqrt(x)
        return r if r * r == x else _float_of("sqrt", math.sqrt, x)
    if type(x) is Fraction:
        n, d = math.isqrt(x.numerator), math.isqrt(x.denominator)
        if n * n == x.numerator and d * d == x.denominator:
            return norm(Fraction(n, d))
    return _float_of("sqrt", math.sqrt, x)


def _flo(x: Any) -> float:
    """``x`` as a float; an exact number too big for a float is ±inf.0, as in Racket."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _float_of(name: str, fn: Callable[[float], float], x: Any) -> float:
    return fn(_flo(x))


@builtin("expt")
def expt(base: Any, power: Any) -> Any:
    check_num("expt", base, 1)
    check_num("expt", power, 2)
    # Racket's exact special cases: an exact 0 power or an exact 1 base give exact 1
    if (type(power) is int and power == 0) or (type(base) is int and base == 1):
        return 1
    if type(power) is int and type(base) in (int, Fraction):
        if power < 0:
            if base == 0:
                raise RecipeError("expt: division by zero", "divide-by-zero")
            return norm(Fraction(base) ** power)
        return norm(base ** power)
    if type(base) is int and base == 0 and type(power) is not float:
        if power < 0:
            raise RecipeError("expt: division by zero", "divide-by-zero")
        return 0
    b, w = _flo(base), _flo(power)
    try:
        r = b ** w
    except ZeroDivisionError:  # (expt 0.0 w) or (expt -0.0 w) for a negative w
        odd = w.is_integer() and int(w) % 2 == 1
        return -math.inf if odd and math.copysign(1.0, b) < 0 else math.inf
    except OverflowError:
        r = math.inf if b > 0 or (w.is_integer() and int(w) % 2 == 0) else -math.inf
    if isinstance(r, complex):
        raise RecipeError("expt: complex results are not supported", "contract")
    if type(base) is int and type(power) is Fraction and float(r).is_integer():
        exact = int(r)
        if Fraction(exact) ** power.denominator == Fraction(base) ** power.numerator:
            return exact
    return r


@builtin("exp")
def num_exp(x: Any) -> Any:
    check_num("exp", x, 1)
    if type(x) is int and x == 0:
        return 1
    try:
        return math.exp(_flo(x))
    except OverflowError:
        return math.inf


def _ln(x: Any) -> Any:
    """Natural log, Racket style: exact 0 for an exact 1, -inf.0 for 0.0."""
    if x == 0:
        if _is_exact(x):
            raise RecipeError("log: undefined for 0", "divide-by-zero")
        return -math.inf
    if x < 0:
        raise _no_complex("log", x)
    if type(x) is int and x == 1:
        return 0
    return math.log(x)  # math.log takes big integers and fractions exactly


@builtin("log")
def num_log(x: Any, base: Any = None) -> Any:
    check_num("log", x, 1)
    if base is not None:
        check_num("log", base, 2)
        if type(base) is int and base == 1:
            raise RecipeError("log: undefined for base 1", "divide-by-zero")
    num = _ln(x)
    if base is None:
        return num
    return _div2(num, _ln(base))  # Racket's (/ (log z) (log b)): exact 0 for an exact 1


def _trig(name: str, fn: Callable[[float], float], exact_at: int | None, exact_value: int) -> None:
    """A one-argument float function; exact ``exact_value`` for an exact ``exact_at`` argument."""

    def f(x: Any) -> Any:
        check_num(name, x, 1)
        if exact_at is not None and type(x) is int and x == exact_at:
            return exact_value
        xf = _flo(x)
        try:
            return fn(xf)
        except ValueError:
            if math.isinf(xf) and name in ("sin", "cos", "tan"):
                return math.nan
            raise _no_complex(name, x) from None

    builtin(name)(f)


_trig("sin", math.sin, 0, 0)
_trig("cos", math.cos, 0, 1)
_trig("tan", math.tan, 0, 0)
_trig("asin", math.asin, 0, 0)
_trig("acos", math.acos, 1, 0)


@builtin("atan")
def num_atan(y: Any, x: Any = None) -> Any:
    check_num("atan", y, 1)
    if x is None:
        if type(y) is int and y == 0:
            return 0
        return math.atan(_flo(y))
    check_num("atan", x, 2)
    if _is_exact(y) and y == 0:
        if _is_exact(x) and x == 0:
            raise RecipeError("atan: undefined for 0 and 0", "divide-by-zero")
        if _is_exact(x) and x > 0:
            return 0
    return math.atan2(_flo(y), _flo(x))


@builtin("random")
def num_random(a: Any = None, b: Any = None) -> Any:
    if a is None:
        return _random.random()
    if b is None:
        if type(a) is not int or a <= 0:
            raise contract_error("random", "exact-positive-integer?", a, 1)
        return _random.randrange(a)
    if type(a) is not int or type(b) is not int or b <= a:
        raise RecipeError("random: expected two exact integers with min < max", "contract")
    return _random.randrange(a, b)


def _pred(name: str, fn: Callable[[Any], bool]) -> None:
    builtin(name)(lambda x: fn(x))


def _isnum(x: Any) -> bool:
    t = type(x)
    return t is int or t is float or t is Fraction


_pred("number?", _isnum)
_pred("real?", _isnum)
_pred("rational?", lambda x: type(x) in (int, Fraction) or (type(x) is float and math.isfinite(x)))
_pred("integer?", lambda x: type(x) is int or (type(x) is float and x.is_integer()))
_pred("exact-integer?", lambda x: type(x) is int)
_pred("exact-nonnegative-integer?", lambda x: type(x) is int and x >= 0)
_pred("natural?", lambda x: type(x) is int and x >= 0)
_pred("exact-positive-integer?", lambda x: type(x) is int and x > 0)


def _real_pred(name: str, fn: Callable[[float], bool]) -> None:
    def f(x: Any) -> bool:
        if not _isnum(x):
            raise contract_error(name, "real?", x, 1)
        return type(x) is float and fn(x)

    builtin(name)(f)


_real_pred("nan?", math.isnan)
_real_pred("infinite?", math.isinf)
_pred("flonum?", lambda x: type(x) is float)


def _numpred(name: str, fn: Callable[[Any], bool], integer: bool = False) -> None:
    def f(x: Any) -> bool:
        if integer:
            check_int(name, x, 1)
        else:
            check_num(name, x, 1)
        return fn(x)
    builtin(name)(f)


_numpred("zero?", lambda x: x == 0)
_numpred("positive?", lambda x: x > 0)
_numpred("negative?", lambda x: x < 0)
_numpred("even?", lambda x: int(x) % 2 == 0, integer=True)
_numpred("odd?", lambda x: int(x) % 2 == 1, integer=True)


@builtin("exact?")
def is_exact(x: Any) -> bool:
    check_num("exact?", x, 1)
    return type(x) is not float


@builtin("inexact?")
def is_inexact(x: Any) -> bool:
    check_num("inexact?", x, 1)
    return type(x) is float


@builtin("gcd")
def num_gcd(*args: Any) -> int:
    return math.gcd(*(check_int("gcd", a, i + 1) for i, a in enumerate(args)))


@builtin("lcm")
def num_lcm(*args: Any) -> int:
    return math.lcm(*(check_int("lcm", a, i + 1) for i, a in enumerate(args)))


@builtin("numerator")
def numerator(x: Any) -> Any:
    check_num("numerator", x, 1)
    return Fraction(x).numerator if type(x) is not float else float(Fraction(x).numerator)


@builtin("denominator")
def denominator(x: Any) -> Any:
    check_num("denominator", x, 1)
    return Fraction(x).denominator if type(x) is not float else float(Fraction(x).denominator)


# ============================================================================ equality, predicates


builtin("eq?")(eq)
builtin("eqv?")(eqv)
builtin("equal?")(equal)


@builtin("not")
def not_(x: Any) -> bool:
    return x is False


_pred("boolean?", lambda x: type(x) is bool)
_pred("symbol?", lambda x: type(x) is Symbol)
_pred("keyword?", lambda x: type(x) is KeywordValue)
_pred("procedure?", lambda x: isinstance(x, Procedure))
_pred("hash?", lambda x: type(x) is Hash)
_pred("vector?", lambda x: type(x) is list)
_pred("char?", lambda x: type(x) is Char)
_pred("void?", lambda x: x is VOID)
_pred("syntax?", lambda x: type(x) is SyntaxObj)
_pred("sequence?", lambda x: type(x) in (Pair, Nil, list, str, Hash, range, Sequence) or
      (type(x) is int and x >= 0))


@builtin("void")
def void(*args: Any) -> Void:
    return VOID


@builtin("identity")
def identity(x: Any) -> Any:
    return x


@builtin("values")
def values(*args: Any) -> Any:
    if len(args) == 1:
        return args[0]
    return MultipleValues(args)


@builtin("call-with-values")
def call_with_values(producer: Any, consumer: Any) -> Any:
    v = call_proc(check_proc("call-with-values", producer, 1), [])
    args = list(v) if type(v) is MultipleValues else [v]
    return call_proc(check_proc("call-with-values", consumer, 2), args)


@builtin("apply", any_keywords=True)
def apply(f: Any, *args: Any, **kw: Any) -> Any:
    """Racket's ``apply``: keyword arguments given to it go on to ``f``."""
    check_proc("apply", f, 1)
    if not args:
        raise RecipeError("apply: expected a list as the last argument", "arity")
    last = list_to_py(args[-1])
    if last is None:
        raise contract_error("apply", "list?", args[-1], len(args) + 1)
    return call_proc(f, [*args[:-1], *last], kw or None)


TAIL_APPLY.append(apply)


@builtin("keyword-apply", any_keywords=True)
def keyword_apply(f: Any, kws: Any, kw_vals: Any, first: Any, *more: Any, **kw: Any) -> Any:
    """``(keyword-apply proc kw-lst kw-val-lst v ... lst #:<kw> v ...)``."""
    check_proc("keyword-apply", f, 1)
    names = list_to_py(kws)
    if names is None or any(type(k) is not KeywordValue for k in names):
        raise contract_error("keyword-apply", "(listof keyword?)", kws, 2)
    vals = list_to_py(kw_vals)
    if vals is None or len(vals) != len(names):
        raise contract_error("keyword-apply", f"(list of {len(names)} values)", kw_vals, 3)
    args = (first, *more)
    last = list_to_py(args[-1])
    if last is None:
        raise contract_error("keyword-apply", "list?", args[-1], len(args) + 4)
    merged = dict(kw)
    for k, v in zip(names, vals, strict=True):
        if k.name in merged:
            raise RecipeError(f"keyword-apply: keyword #:{k.name} given twice", "contract")
        merged[k.name] = v
    return call_proc(f, [*args[:-1], *last], merged or None)


def _normal_arity(lo: int, hi: int | None) -> Any:
    """Racket's normalised arity: ``n``, ``(arity-at-least n)`` or a list of counts."""
    if hi is None:
        return ArityAtLeast(lo)
    if hi == lo:
        return lo
    return from_iter(list(range(lo, hi + 1)))


@builtin("procedure-arity")
def procedure_arity(f: Any) -> Any:
    check_proc("procedure-arity", f, 1)
    if type(f) is Closure:
        if f.fast >= 0:
            return f.fast
        spec = f.spec
        return _normal_arity(spec.nreq, None if spec.rest else spec.nreq + spec.nopt)
    name: str = f.name
    lo, hi = f.min_args, f.max_args
    if REGISTRY.get(name) is f:
        # a built-in: the catalogue states the arity the procedure accepts (some built-ins
        # register a looser one and check the count themselves, e.g. apply)
        from ..lang import catalog

        entry = catalog.lookup(name)
        if entry is not None and entry.is_procedure:
            lo, hi = entry.min_args, entry.max_args
    return _normal_arity(lo, hi)


@builtin("arity-at-least?")
def arity_at_least_p(v: Any) -> bool:
    return type(v) is ArityAtLeast


@builtin("arity-at-least-value")
def arity_at_least_value(v: Any) -> int:
    if type(v) is not ArityAtLeast:
        raise contract_error("arity-at-least-value", "arity-at-least?", v, 1)
    return v.value


@builtin("sleep", site=True)
def sleep(secs: Any = 0, _site: str = "") -> Void:
    import anyio

    check_num("sleep", secs, 1)
    if secs < 0:
        raise contract_error("sleep", "(>=/c 0)", secs, 1)
    current().rt.call(anyio.sleep, float(secs))
    return VOID


@builtin("current-inexact-milliseconds")
def current_ms() -> float:
    import time

    return time.time() * 1000.0


@builtin("current-seconds")
def current_seconds() -> int:
    import time

    return int(time.time())


# ============================================================================ errors


@builtin("error")
def error(first: Any, *rest: Any) -> Any:
    from .builtins_string import racket_format

    if type(first) is Symbol:
        if not rest:
            msg = f"error: {first.name}"
        elif type(rest[0]) is str:
            msg = f"{first.name}: " + racket_format("error", rest[0], list(rest[1:]))
        else:
            msg = f"{first.name}: " + " ".join(write_string(x) for x in rest)
    elif type(first) is str:
        msg = " ".join([first, *(write_string(x) for x in rest)])
    elif type(first) is SyntaxObj:
        raise contract_error("error", "string?", first, 1)
    else:
        msg = " ".join(write_string(x) for x in (first, *rest))
    raise RecipeError(msg, "error")


@builtin("raise")
def raise_(v: Any, barrier: Any = True) -> Any:
    if isinstance(v, ExnValue):
        raise RecipeError(v.message, "error", value=v)
    raise RecipeError(f"uncaught exception: {write_string(v)}", "raise", value=v)


@builtin("raise-argument-error")
def raise_argument_error(name: Any, expected: Any, v: Any, *rest: Any) -> Any:
    n = name.name if type(name) is Symbol else display_string(name)
    raise RecipeError(f"{n}: contract violation: expected {display_string(expected)}, given {write_string(v)}",
                      "contract")


_pred("exn?", lambda x: isinstance(x, ExnValue))
_pred("exn:fail?", lambda x: isinstance(x, ExnValue))
_pred("exn:fail:contract?", lambda x: isinstance(x, ExnValue) and x.kind.startswith("exn:fail:contract"))
_pred("exn:fail:contract:divide-by-zero?", lambda x: isinstance(x, ExnValue) and x.kind.endswith("divide-by-zero"))
_pred("exn:fail:contract:variable?", lambda x: isinstance(x, ExnValue) and x.kind.endswith("variable"))


@builtin("exn-message")
def exn_message(e: Any) -> str:
    if not isinstance(e, ExnValue):
        raise contract_error("exn-message", "exn?", e, 1)
    return e.message


@builtin("make-exn:fail")
def make_exn_fail(msg: Any, marks: Any = None) -> ExnValue:
    return ExnValue(check_str("make-exn:fail", msg, 1))


# ============================================================================ output


@builtin("display")
def display(v: Any, port: Any = None) -> Void:
    _write(port, display_string(v), "display")
    return VOID


@builtin("displayln")
def displayln(v: Any, port: Any = None) -> Void:
    _write(port, display_string(v) + "\n", "displayln")
    return VOID


@builtin("write")
def write(v: Any, port: Any = None) -> Void:
    _write(port, write_string(v), "write")
    return VOID


@builtin("writeln")
def writeln(v: Any, port: Any = None) -> Void:
    _write(port, write_string(v) + "\n", "writeln")
    return VOID


@builtin("print")
def print_(v: Any, port: Any = None) -> Void:
    _write(port, print_string(v), "print")
    return VOID


@builtin("newline")
def newline(port: Any = None) -> Void:
    _write(port, "\n", "newline", 1)
    return VOID


class _Port:
    """An output port: the run's stdout or stderr, or a string port (``buf``)."""

    __slots__ = ("buf", "err")

    def __init__(self, err: bool, buf: list[str] | None = None) -> None:
        self.err = err
        self.buf = buf


@builtin("current-output-port")
def current_output_port() -> _Port:
    return _Port(False)


@builtin("current-error-port")
def current_error_port() -> _Port:
    return _Port(True)


@builtin("open-output-string")
def open_output_string(name: Any = None) -> _Port:
    return _Port(False, [])


@builtin("get-output-string")
def get_output_string(port: Any) -> str:
    if not isinstance(port, _Port) or port.buf is None:
        raise contract_error("get-output-string", "string-port?", port, 1)
    return "".join(port.buf)


@builtin("write-string")
def write_string_(s: Any, port: Any = None) -> int:
    text = check_str("write-string", s, 1)
    _write(port, text, "write-string")
    return len(text)


def _write(port: Any, text: str, name: str = "display", pos: int = 2) -> None:
    if port is None:
        stream = out()
    elif isinstance(port, _Port):
        if port.buf is not None:
            port.buf.append(text)
            return
        stream = _err() if port.err else out()
    else:
        raise contract_error(name, "output-port?", port, pos)
    stream.write(text)
    flush = getattr(stream, "flush", None)
    if flush is not None:
        flush()


def _err() -> Any:
    try:
        return current().rt.stderr
    except RecipeError:
        return sys.stderr


@builtin("flush-output")
def flush_output(port: Any = None) -> Void:
    return VOID


# ============================================================================ hashes


def _hash_from_args(name: str, args: tuple[Any, ...], mutable: bool, kind: str = "equal") -> Hash:
    if len(args) % 2:
        raise RecipeError(f"{name}: expected an even number of arguments (key value ...), given {len(args)}",
                          "arity")
    return Hash(((args[i], args[i + 1]) for i in range(0, len(args), 2)), mutable=mutable, kind=kind)


def _hash_from_assoc(name: str, assoc: Any, mutable: bool, kind: str = "equal") -> Hash:
    if assoc is None:
        return Hash(mutable=mutable, kind=kind)
    items = check_list(name, assoc, 1)
    pairs = []
    for p in items:
        if type(p) is not Pair:
            raise contract_error(name, "(listof pair?)", assoc, 1)
        pairs.append((p.car, p.cdr))
    return Hash(pairs, mutable=mutable, kind=kind)


def _assoc_maker(name: str, mutable: bool, kind: str) -> Callable[..., Hash]:
    def make(assoc: Any = None) -> Hash:
        return _hash_from_assoc(name, assoc, mutable, kind)

    return make


def _args_maker(name: str, kind: str) -> Callable[..., Hash]:
    def make(*args: Any) -> Hash:
        return _hash_from_args(name, args, False, kind)

    return make


# hash/make-hash compare keys with equal?, the -eqv variants with eqv?, the -eq ones with eq?
for _n, _kind in (("make-hash", "equal"), ("make-hasheqv", "eqv"), ("make-hasheq", "eq")):
    builtin(_n)(_assoc_maker(_n, True, _kind))
for _n, _kind in (("make-immutable-hash", "equal"), ("make-immutable-hasheq", "eq")):
    builtin(_n)(_assoc_maker(_n, False, _kind))
for _n, _kind in (("hash", "equal"), ("hasheqv", "eqv"), ("hasheq", "eq")):
    builtin(_n)(_args_maker(_n, _kind))


@builtin("hash-ref")
def hash_ref(h: Any, key: Any, failure: Any = None) -> Any:
    check_hash("hash-ref", h, 1)
    return _lookup("hash-ref", h, key, failure)


def _lookup(who: str, h: Hash, key: Any, failure: Any) -> Any:
    """``hash-ref`` on behalf of ``who``: the value of ``key``, else ``failure`` (called when
    it is a procedure), else an error naming ``who``."""
    entry = h.data.get(h.key(key))
    if entry is not None:
        return entry[1]
    if failure is None:
        raise RecipeError(f"{who}: no value found for key {write_string(key)}", "contract")
    if isinstance(failure, Procedure):
        return call_proc(failure, [])
    return failure


@builtin("hash-ref!")
def hash_ref_bang(h: Any, key: Any, to_set: Any) -> Any:
    check_hash("hash-ref!", h, 1)
    if h.has(key):
        return h.get(key)
    v = call_proc(to_set, []) if isinstance(to_set, Procedure) else to_set
    _mutable("hash-ref!", h)
    h.set(key, v)
    return v


def _mutable(name: str, h: Hash) -> None:
    if not h.mutable:
        raise RecipeError(f"{name}: contract violation: expected a mutable hash, given an immutable one "
                          "(made by hash; use make-hash, or the functional hash-set)", "contract")


@builtin("hash-set!")
def hash_set_bang(h: Any, key: Any, v: Any) -> Void:
    check_hash("hash-set!", h, 1)
    _mutable("hash-set!", h)
    h.set(key, v)
    return VOID


@builtin("hash-set")
def hash_set(h: Any, key: Any, v: Any) -> Hash:
    check_hash("hash-set", h, 1)
    if h.mutable:
        raise RecipeError("hash-set: contract violation: expected an immutable hash (use hash-set! on a "
                          "mutable one)", "contract")
    h2: Hash = h.copy()
    h2.set(key, v)
    return h2


@builtin("hash-update!")
def hash_update_bang(h: Any, key: Any, updater: Any, failure: Any = None) -> Void:
    check_hash("hash-update!", h, 1)
    _mutable("hash-update!", h)
    check_proc("hash-update!", updater, 3)
    h.set(key, call_proc(updater, [_lookup("hash-update!", h, key, failure)]))
    return VOID


@builtin("hash-update")
def hash_update(h: Any, key: Any, updater: Any, failure: Any = None) -> Hash:
    check_hash("hash-update", h, 1)
    h2: Hash = h.copy()
    check_proc("hash-update", updater, 3)
    h2.set(key, call_proc(updater, [_lookup("hash-update", h, key, failure)]))
    return h2


@builtin("hash-remove!")
def hash_remove_bang(h: Any, key: Any) -> Void:
    check_hash("hash-remove!", h, 1)
    _mutable("hash-remove!", h)
    h.remove(key)
    return VOID


@builtin("hash-remove")
def hash_remove(h: Any, key: Any) -> Hash:
    check_hash("hash-remove", h, 1)
    h2: Hash = h.copy()
    h2.remove(key)
    return h2


@builtin("hash-clear!")
def hash_clear(h: Any) -> Void:
    check_hash("hash-clear!", h, 1)
    _mutable("hash-clear!", h)
    h.data.clear()
    return VOID


@builtin("hash-has-key?")
def hash_has_key(h: Any, key: Any) -> bool:
    return check_hash("hash-has-key?", h, 1).has(key)


@builtin("hash-keys")
def hash_keys(h: Any) -> Any:
    return from_iter(check_hash("hash-keys", h, 1).keys())


@builtin("hash-values")
def hash_values(h: Any) -> Any:
    return from_iter(check_hash("hash-values", h, 1).values())


@builtin("hash->list")
def hash_to_list(h: Any) -> Any:
    return from_iter([Pair(k, v) for k, v in check_hash("hash->list", h, 1).items()])


@builtin("hash-count")
def hash_count(h: Any) -> int:
    return len(check_hash("hash-count", h, 1))


@builtin("hash-empty?")
def hash_empty(h: Any) -> bool:
    return len(check_hash("hash-empty?", h, 1)) == 0


@builtin("hash-copy")
def hash_copy(h: Any) -> Hash:
    return check_hash("hash-copy", h, 1).copy(mutable=True)


@builtin("hash-map")
def hash_map(h: Any, f: Any) -> Any:
    check_hash("hash-map", h, 1)
    check_proc("hash-map", f, 2)
    return from_iter([call_proc(f, [k, v]) for k, v in h.items()])


@builtin("hash-for-each")
def hash_for_each(h: Any, f: Any) -> Void:
    check_hash("hash-for-each", h, 1)
    check_proc("hash-for-each", f, 2)
    for k, v in h.items():
        call_proc(f, [k, v])
    return VOID


# ============================================================================ vectors


def check_vec(name: str, v: Any, pos: int | None = None) -> list[Any]:
    if type(v) is not list:
        raise contract_error(name, "vector?", v, pos)
    return v


def _index(name: str, v: list[Any], i: Any, pos: int) -> int:
    if type(i) is not int or i < 0:
        raise contract_error(name, "exact-nonnegative-integer?", i, pos)
    if i >= len(v):
        raise RecipeError(f"{name}: index is out of range; index {i}, valid range [0, {len(v) - 1}]",
                          "contract")
    return i


@builtin("vector")
def vector(*args: Any) -> list[Any]:
    return list(args)


@builtin("make-vector")
def make_vector(n: Any, fill: Any = 0) -> list[Any]:
    return [fill] * check_nat("make-vector", n, 1)


@builtin("vector-ref")
def vector_ref(v: Any, i: Any) -> Any:
    check_vec("vector-ref", v, 1)
    return v[_index("vector-ref", v, i, 2)]


@builtin("vector-set!")
def vector_set(v: Any, i: Any, x: Any) -> Void:
    check_vec("vector-set!", v, 1)
    v[_index("vector-set!", v, i, 2)] = x
    return VOID


@builtin("vector-length")
def vector_length(v: Any) -> int:
    return len(check_vec("vector-length", v, 1))


@builtin("vector->list")
def vector_to_list(v: Any) -> Any:
    return from_iter(check_vec("vector->list", v, 1))


@builtin("list->vector")
def list_to_vector(lst: Any) -> list[Any]:
    return check_list("list->vector", lst, 1)


@builtin("vector-map")
def vector_map(f: Any, v: Any, *more: Any) -> list[Any]:
    check_proc("vector-map", f, 1)
    vecs = [check_vec("vector-map", x, i + 2) for i, x in enumerate((v, *more))]
    if len({len(x) for x in vecs}) > 1:
        raise RecipeError("vector-map: all vectors must have the same size", "contract")
    return [call_proc(f, list(xs)) for xs in zip(*vecs, strict=True)]


@builtin("vector-fill!")
def vector_fill(v: Any, x: Any) -> Void:
    check_vec("vector-fill!", v, 1)
    v[:] = [x] * len(v)
    return VOID


@builtin("vector-copy")
def vector_copy(v: Any) -> list[Any]:
    return list(check_vec("vector-copy", v, 1))


# ============================================================================ sequences


@builtin("in-list")
def in_list(lst: Any) -> Any:
    check_list("in-list", lst, 1)
    return lst


@builtin("in-vector")
def in_vector(v: Any) -> Any:
    return check_vec("in-vector", v, 1)


@builtin("in-range")
def in_range(a: Any, b: Any = None, step: Any = 1) -> Any:
    return range_sequence("in-range", a, b, step)


def range_sequence(who: str, a: Any, b: Any = None, step: Any = 1) -> Any:
    """``(in-range end)`` / ``(in-range start end [step])`` on behalf of ``who``."""
    if b is None:
        check_num(who, a, 1)
        start, end = 0, a
    else:
        start, end = a, b
        for i, x in enumerate((start, end, step)):
            check_num(who, x, i + 1)
    if step == 0:
        raise RecipeError(f"{who}: step must not be zero", "contract")
    if type(start) is int and type(end) is int and type(step) is int:
        return range(start, end, step)

    def gen() -> Any:
        x = start
        while (x < end) if step > 0 else (x > end):
            yield x
            x = norm(x + step)

    return Sequence(who, gen)


@builtin("in-naturals")
def in_naturals(start: Any = 0) -> Sequence:
    import itertools

    check_nat("in-naturals", start, 1)
    return Sequence("in-naturals", lambda: itertools.count(start))


@builtin("in-string")
def in_string(s: Any) -> Sequence:
    check_str("in-string", s, 1)
    return Sequence("in-string", lambda: (Char(c) for c in s))


@builtin("in-hash")
def in_hash(h: Any) -> Sequence:
    check_hash("in-hash", h, 1)
    return Sequence("in-hash", lambda: (MultipleValues(kv) for kv in h.items()))


@builtin("in-hash-keys")
def in_hash_keys(h: Any) -> Sequence:
    check_hash("in-hash-keys", h, 1)
    return Sequence("in-hash-keys", lambda: iter(h.keys()))


@builtin("in-hash-values")
def in_hash_values(h: Any) -> Sequence:
    check_hash("in-hash-values", h, 1)
    return Sequence("in-hash-values", lambda: iter(h.values()))


@builtin("in-indexed")
def in_indexed(seq: Any) -> Sequence:
    from .evaluator import seq_iter

    return Sequence("in-indexed", lambda: (MultipleValues((x, i)) for i, x in
                                           enumerate(seq_iter(seq, "in-indexed", ""))))


@builtin("sequence->list")
def sequence_to_list(seq: Any) -> Any:
    from .evaluator import seq_iter

    return from_iter(list(seq_iter(seq, "sequence->list", "")))


# ============================================================================ inlined fast paths


_BINARY_TEMPLATE = """
def maker(a, b, slow, proc, site, label):
    def node(env):
        x = {X}
        y = {Y}
        if type(x) is int and type(y) is int:
            return x {OP} y
        return slow(proc, [x, y], None, site, label)
    return node
"""
_OPERAND = {"const": "a", "local": "env[a]", "node": "a(env)"}
BINARY_OPS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "=": "=="}
ALL_BINOPS = {"+": "+", "-": "-", "*": "*", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "=": "=="}
_BINOPS = {"+": "+", "-": "-", "*": "*", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "=": "=="}


@cache
def _binary_maker(op: str, ka: str, kb: str) -> Callable[..., Any]:
    src = _BINARY_TEMPLATE.format(X=_OPERAND[ka], Y=_OPERAND[kb].replace("a", "b"), OP=op)
    ns: dict[str, Any] = {}
    exec(compile(src, f"<inline {op}>", "exec"), ns)
    maker: Callable[..., Any] = ns["maker"]
    return maker


def _binary_factory(op: str) -> Callable[..., Any]:
    def factory(operands: list[tuple[str, Any]], proc: Builtin, site: str, label: str) -> Any:
        (ka, a), (kb, b) = operands
        return _binary_maker(op, ka, kb)(a, b, call_slow, proc, site, label)
    return factory


def _val(kind: str, a: Any) -> Callable[[Any], Any]:
    if kind == "const":
        return lambda env: a
    if kind == "local":
        return lambda env: env[a]
    f: Callable[[Any], Any] = a
    return f


def _unary(fast: Callable[[Callable[[Any], Any], Builtin, str, str], Callable[[Any], Any]]) -> Callable[..., Any]:
    def factory(operands: list[tuple[str, Any]], proc: Builtin, site: str, label: str) -> Any:
        (ka, a), = operands
        return fast(_val(ka, a), proc, site, label)
    return factory


def _car(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    def car(env: Any) -> Any:
        x = a(env)
        if type(x) is Pair:
            return x.car
        return call_slow(proc, [x], None, site, label)
    return car


def _cdr(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    def cdr(env: Any) -> Any:
        x = a(env)
        if type(x) is Pair:
            return x.cdr
        return call_slow(proc, [x], None, site, label)
    return cdr


def _null(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    return lambda env: a(env) is NIL


def _not(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    return lambda env: a(env) is False


def _pairp(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    return lambda env: type(a(env)) is Pair


def _add1(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    def add1_(env: Any) -> Any:
        x = a(env)
        if type(x) is int:
            return x + 1
        return call_slow(proc, [x], None, site, label)
    return add1_


def _sub1(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    def sub1_(env: Any) -> Any:
        x = a(env)
        if type(x) is int:
            return x - 1
        return call_slow(proc, [x], None, site, label)
    return sub1_


def _zero(a: Callable[[Any], Any], proc: Builtin, site: str, label: str) -> Callable[[Any], Any]:
    def zero_(env: Any) -> Any:
        x = a(env)
        if type(x) is int:
            return x == 0
        return call_slow(proc, [x], None, site, label)
    return zero_


def _cons_factory(operands: list[tuple[str, Any]], proc: Builtin, site: str, label: str) -> Any:
    (ka, a), (kb, b) = operands
    fa, fb = _val(ka, a), _val(kb, b)
    return lambda env: Pair(fa(env), fb(env))


def _eq_factory(operands: list[tuple[str, Any]], proc: Builtin, site: str, label: str) -> Any:
    (ka, a), (kb, b) = operands
    fa, fb = _val(ka, a), _val(kb, b)

    def eq_(env: Any) -> bool:
        x = fa(env)
        y = fb(env)
        return x is y or eq(x, y)
    return eq_


@cache
def inline_ops() -> dict[tuple[str, int], Callable[..., Any]]:
    """(name, argument count) → factory(operands, builtin, site, label) → node."""
    table: dict[tuple[str, int], Callable[..., Any]] = {}
    for name, op in _BINOPS.items():
        table[(name, 2)] = _binary_factory(op)
    for name, fast in (("car", _car), ("first", None), ("cdr", _cdr), ("null?", _null),
                       ("empty?", _null), ("not", _not), ("pair?", _pairp), ("add1", _add1),
                       ("sub1", _sub1), ("zero?", _zero)):
        if fast is not None:
            table[(name, 1)] = _unary(fast)
    table[("cons", 2)] = _cons_factory
    table[("eq?", 2)] = _eq_factory
    return table


__all__ = ["REGISTRY", "all_builtins", "builtin", "inline_ops", "is_list"]
