"""List built-ins (``racket/base`` + ``racket/list``) on linked pairs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .builtins import builtin, check_list, check_nat, check_proc
from .errors import RecipeError, contract_error
from .evaluator import call_proc
from .values import (
    NIL,
    Builtin,
    MultipleValues,
    Nil,
    Pair,
    eq,
    equal,
    eqv,
    from_iter,
    hash_key,
    is_list,
    list_to_py,
    write_string,
)


def _pair(name: str, x: Any) -> Pair:
    if type(x) is not Pair:
        raise contract_error(name, "pair?", x, 1)
    return x


@builtin("list")
def list_(*args: Any) -> Any:
    return from_iter(args)


@builtin("list*")
def list_star(*args: Any) -> Any:
    if not args:
        raise RecipeError("list*: expected at least 1 argument", "arity")
    result = args[-1]
    for x in reversed(args[:-1]):
        result = Pair(x, result)
    return result


@builtin("cons")
def cons(a: Any, b: Any) -> Pair:
    return Pair(a, b)


@builtin("car")
def car(x: Any) -> Any:
    return _pair("car", x).car


@builtin("cdr")
def cdr(x: Any) -> Any:
    return _pair("cdr", x).cdr


def _cxr(name: str, path: str) -> None:
    def f(x: Any) -> Any:
        v = x
        for step in reversed(path):
            if type(v) is not Pair:
                raise contract_error(name, f"(cons/c any/c ...) for {name}", x, 1)
            v = v.car if step == "a" else v.cdr
        return v
    builtin(name)(f)


for _p in ("aa", "ad", "da", "dd", "add", "ddd", "dda", "ada", "adda"):
    _cxr(f"c{_p}r", _p)


def _nth(name: str, n: int) -> None:
    def f(lst: Any) -> Any:
        v = lst
        for _ in range(n):
            if type(v) is not Pair:
                break
            v = v.cdr
        if type(v) is not Pair or not is_list(lst):
            raise contract_error(name, f"list with at least {n + 1} element{'s' if n else ''}", lst, 1)
        return v.car
    builtin(name)(f)


for _i, _name in enumerate(("first", "second", "third", "fourth", "fifth", "sixth")):
    _nth(_name, _i)


@builtin("rest")
def rest(lst: Any) -> Any:
    if type(lst) is not Pair or not is_list(lst):
        raise contract_error("rest", "(and/c list? (not/c empty?))", lst, 1)
    return lst.cdr


@builtin("last")
def last(lst: Any) -> Any:
    if type(lst) is not Pair or not is_list(lst):
        raise contract_error("last", "(and/c list? (not/c empty?))", lst, 1)
    v = lst
    while type(v.cdr) is Pair:
        v = v.cdr
    return v.car


@builtin("last-pair")
def last_pair(p: Any) -> Any:
    v = _pair("last-pair", p)
    while type(v.cdr) is Pair:
        v = v.cdr
    return v


@builtin("empty?")
def empty_p(x: Any) -> bool:
    return x is NIL


@builtin("null?")
def null_p(x: Any) -> bool:
    return x is NIL


@builtin("pair?")
def pair_p(x: Any) -> bool:
    return type(x) is Pair


@builtin("cons?")
def cons_p(x: Any) -> bool:
    return type(x) is Pair


@builtin("list?")
def list_p(x: Any) -> bool:
    return is_list(x)


@builtin("length")
def length(lst: Any) -> int:
    n = 0
    v = lst
    while type(v) is Pair:
        n += 1
        v = v.cdr
    if v is not NIL:
        raise contract_error("length", "list?", lst, 1)
    return n


def _append(name: str, lists: tuple[Any, ...] | list[Any], first_pos: int = 1) -> Any:
    """Racket's `append`: every argument but the last must be a list; the last is the
    tail of the result, whatever it is (`(append '(1) 2)` is `'(1 . 2)`)."""
    if not lists:
        return NIL
    result = lists[-1]
    for i in range(len(lists) - 2, -1, -1):
        items = check_list(name, lists[i], first_pos + i)
        for x in reversed(items):
            result = Pair(x, result)
    return result


@builtin("append")
def append(*lists: Any) -> Any:
    return _append("append", lists)


@builtin("append*")
def append_star(first: Any, *more: Any) -> Any:
    """`(append* lst ... lsts)` is `(apply append lst ... lsts)`: the last argument is a
    list of lists, whose own last element may be any value (the tail)."""
    args = (first, *more)
    for i, x in enumerate(args[:-1]):
        check_list("append*", x, i + 1)
    tail = check_list("append*", args[-1], len(args))
    if any(list_to_py(x) is None for x in tail[:-1]):
        raise contract_error("append*", "(listof list?)", args[-1], len(args))
    return _append("append*", [*args[:-1], *tail])


@builtin("reverse")
def reverse(lst: Any) -> Any:
    result: Any = NIL
    v = lst
    while type(v) is Pair:
        result = Pair(v.car, result)
        v = v.cdr
    if v is not NIL:
        raise contract_error("reverse", "list?", lst, 1)
    return result


def _index_arg(name: str, lst: Any, k: Any, need: int) -> list[Any]:
    items = check_list(name, lst, 1)
    check_nat(name, k, 2)
    if k + need > len(items):
        raise RecipeError(f"{name}: index {k} is too large for a list of length {len(items)}", "contract")
    return items


@builtin("list-ref")
def list_ref(lst: Any, k: Any) -> Any:
    v = lst
    check_nat("list-ref", k, 2)
    for _ in range(k):
        if type(v) is not Pair:
            break
        v = v.cdr
    if type(v) is not Pair:
        raise RecipeError(f"list-ref: index {k} is too large for list {_short(lst)}", "contract")
    return v.car


def _short(v: Any) -> str:
    s = write_string(v)
    return s if len(s) <= 60 else s[:57] + "..."


@builtin("list-tail")
def list_tail(lst: Any, k: Any) -> Any:
    v = lst
    check_nat("list-tail", k, 2)
    for _ in range(k):
        if type(v) is not Pair:
            raise RecipeError(f"list-tail: index {k} is too large for list {_short(lst)}", "contract")
        v = v.cdr
    return v


@builtin("take")
def take(lst: Any, k: Any) -> Any:
    items = _index_arg("take", lst, k, 0)
    return from_iter(items[:k])


@builtin("drop")
def drop(lst: Any, k: Any) -> Any:
    _index_arg("drop", lst, k, 0)
    return list_tail(lst, k)


@builtin("take-right")
def take_right(lst: Any, k: Any) -> Any:
    items = _index_arg("take-right", lst, k, 0)
    return from_iter(items[len(items) - k:])


@builtin("drop-right")
def drop_right(lst: Any, k: Any) -> Any:
    items = _index_arg("drop-right", lst, k, 0)
    return from_iter(items[: len(items) - k])


@builtin("split-at")
def split_at(lst: Any, k: Any) -> MultipleValues:
    items = _index_arg("split-at", lst, k, 0)
    return MultipleValues((from_iter(items[:k]), list_tail(lst, k)))


def _lists(name: str, lists: tuple[Any, ...], first_pos: int) -> list[list[Any]]:
    out = [check_list(name, lst, first_pos + i) for i, lst in enumerate(lists)]
    if len({len(x) for x in out}) > 1:
        raise RecipeError(f"{name}: all lists must have the same size", "contract")
    return out


@builtin("map")
def map_(f: Any, lst: Any, *more: Any) -> Any:
    check_proc("map", f, 1)
    if not more:
        return from_iter([call_proc(f, [x]) for x in check_list("map", lst, 2)])
    cols = _lists("map", (lst, *more), 2)
    return from_iter([call_proc(f, list(xs)) for xs in zip(*cols, strict=True)])


@builtin("for-each")
def for_each(f: Any, lst: Any, *more: Any) -> Any:
    from .values import VOID

    check_proc("for-each", f, 1)
    if not more:
        for x in check_list("for-each", lst, 2):
            call_proc(f, [x])
    else:
        for xs in zip(*_lists("for-each", (lst, *more), 2), strict=True):
            call_proc(f, list(xs))
    return VOID


@builtin("andmap")
def andmap(f: Any, lst: Any, *more: Any) -> Any:
    check_proc("andmap", f, 1)
    result: Any = True
    for xs in zip(*_lists("andmap", (lst, *more), 2), strict=True):
        result = call_proc(f, list(xs))
        if result is False:
            return False
    return result


@builtin("ormap")
def ormap(f: Any, lst: Any, *more: Any) -> Any:
    check_proc("ormap", f, 1)
    for xs in zip(*_lists("ormap", (lst, *more), 2), strict=True):
        result = call_proc(f, list(xs))
        if result is not False:
            return result
    return False


@builtin("filter")
def filter_(f: Any, lst: Any) -> Any:
    check_proc("filter", f, 1)
    return from_iter([x for x in check_list("filter", lst, 2) if call_proc(f, [x]) is not False])


@builtin("filter-not")
def filter_not(f: Any, lst: Any) -> Any:
    check_proc("filter-not", f, 1)
    return from_iter([x for x in check_list("filter-not", lst, 2) if call_proc(f, [x]) is False])


def _rows(name: str, lst: Any, more: tuple[Any, ...], first_pos: int) -> Any:
    """The argument lists of the calls of a `map`-like procedure over `lst` and `more`:
    one list per element (one argument per list, Racket's `lst ...+`)."""
    if not more:
        return ([x] for x in check_list(name, lst, first_pos))
    return (list(xs) for xs in zip(*_lists(name, (lst, *more), first_pos), strict=True))


@builtin("filter-map")
def filter_map(f: Any, lst: Any, *more: Any) -> Any:
    check_proc("filter-map", f, 1)
    out = []
    for args in _rows("filter-map", lst, more, 2):
        v = call_proc(f, args)
        if v is not False:
            out.append(v)
    return from_iter(out)


@builtin("remove")
def remove(v: Any, lst: Any, same: Any = None) -> Any:
    items = check_list("remove", lst, 2)
    for i, x in enumerate(items):
        if (equal(v, x) if same is None else call_proc(same, [v, x]) is not False):
            return from_iter(items[:i] + items[i + 1:])
    return lst


@builtin("remq")
def remq(v: Any, lst: Any) -> Any:
    items = check_list("remq", lst, 2)
    for i, x in enumerate(items):
        if eq(v, x):
            return from_iter(items[:i] + items[i + 1:])
    return lst


@builtin("remove*")
def remove_star(vs: Any, lst: Any) -> Any:
    bad = check_list("remove*", vs, 1)
    return from_iter([x for x in check_list("remove*", lst, 2) if not any(equal(b, x) for b in bad)])


@builtin("foldl")
def foldl(f: Any, init: Any, lst: Any, *more: Any) -> Any:
    check_proc("foldl", f, 1)
    acc = init
    if not more:
        for x in check_list("foldl", lst, 3):
            acc = call_proc(f, [x, acc])
        return acc
    for xs in zip(*_lists("foldl", (lst, *more), 3), strict=True):
        acc = call_proc(f, [*xs, acc])
    return acc


@builtin("foldr")
def foldr(f: Any, init: Any, lst: Any, *more: Any) -> Any:
    check_proc("foldr", f, 1)
    acc = init
    cols = _lists("foldr", (lst, *more), 3)
    for xs in reversed(list(zip(*cols, strict=True))):
        acc = call_proc(f, [*xs, acc])
    return acc


def _assoc_like(name: str, same: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    def f(key: Any, lst: Any, is_equal: Any = None) -> Any:
        for p in check_list(name, lst, 2):
            if type(p) is not Pair:
                raise contract_error(name, "(listof pair?)", lst, 2)
            if (same(key, p.car) if is_equal is None else call_proc(is_equal, [key, p.car]) is not False):
                return p
        return False
    return f


builtin("assoc")(_assoc_like("assoc", equal))
builtin("assv")(_assoc_like("assv", eqv))
builtin("assq")(_assoc_like("assq", eq))


@builtin("assf")
def assf(f: Any, lst: Any) -> Any:
    for p in check_list("assf", lst, 2):
        if type(p) is Pair and call_proc(f, [p.car]) is not False:
            return p
    return False


def _member_like(name: str, same: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    def f(v: Any, lst: Any, is_equal: Any = None) -> Any:
        p = lst
        while type(p) is Pair:
            if (same(v, p.car) if is_equal is None else call_proc(is_equal, [v, p.car]) is not False):
                return p
            p = p.cdr
        if p is not NIL:
            raise contract_error(name, "list?", lst, 2)
        return False
    return f


builtin("member")(_member_like("member", equal))
builtin("memv")(_member_like("memv", eqv))
builtin("memq")(_member_like("memq", eq))


@builtin("memf")
def memf(f: Any, lst: Any) -> Any:
    p = lst
    while type(p) is Pair:
        if call_proc(f, [p.car]) is not False:
            return p
        p = p.cdr
    return False


@builtin("findf")
def findf(f: Any, lst: Any) -> Any:
    check_proc("findf", f, 1)
    for x in check_list("findf", lst, 2):
        if call_proc(f, [x]) is not False:
            return x
    return False


@builtin("index-of")
def index_of(lst: Any, v: Any, is_equal: Any = None) -> Any:
    for i, x in enumerate(check_list("index-of", lst, 1)):
        if equal(x, v) if is_equal is None else call_proc(is_equal, [x, v]) is not False:
            return i
    return False


@builtin("index-where")
def index_where(lst: Any, f: Any) -> Any:
    for i, x in enumerate(check_list("index-where", lst, 1)):
        if call_proc(f, [x]) is not False:
            return i
    return False


@builtin("range")
def range_(a: Any, b: Any = None, step: Any = 1) -> Any:
    from .builtins import range_sequence

    return from_iter(list(range_sequence("range", a, b, step)))


@builtin("build-list")
def build_list(n: Any, f: Any) -> Any:
    check_nat("build-list", n, 1)
    check_proc("build-list", f, 2)
    return from_iter([call_proc(f, [i]) for i in range(n)])


@builtin("make-list")
def make_list_(n: Any, v: Any) -> Any:
    return from_iter([v] * check_nat("make-list", n, 1))


@builtin("list-set")
def list_set(lst: Any, k: Any, v: Any) -> Any:
    items = _index_arg("list-set", lst, k, 1)
    items[k] = v
    return from_iter(items)


class _SortKey:
    __slots__ = ("less", "v")

    def __init__(self, v: Any, less: Any) -> None:
        self.v = v
        self.less = less

    def __lt__(self, other: _SortKey) -> bool:
        return call_proc(self.less, [self.v, other.v]) is not False


@builtin("sort", keywords=("key", "cache-keys?"))
def sort(lst: Any, less: Any, *, key: Any = None, cache_keys_p: Any = False) -> Any:
    from .builtins import REGISTRY

    items = check_list("sort", lst, 1)
    check_proc("sort", less, 2)
    keys = items if key is None else [call_proc(key, [x]) for x in items]
    fast = None
    if type(less) is Builtin:
        if less is REGISTRY["<"] and all(type(k) in (int, float) for k in keys):
            fast = False
        elif less is REGISTRY[">"] and all(type(k) in (int, float) for k in keys):
            fast = True
        elif less.name == "string<?" and all(type(k) is str for k in keys):
            fast = False
        elif less.name == "string>?" and all(type(k) is str for k in keys):
            fast = True
    idx = list(range(len(items)))
    if fast is not None:
        idx.sort(key=lambda i: keys[i], reverse=fast)  # stable either way
    else:
        idx.sort(key=lambda i: _SortKey(keys[i], less))
    return from_iter([items[i] for i in idx])


@builtin("remove-duplicates", keywords=("key",))
def remove_duplicates(lst: Any, same: Any = None, *, key: Any = None) -> Any:
    items = check_list("remove-duplicates", lst, 1)
    out: list[Any] = []
    seen: set[Any] = set()
    keys: list[Any] = []
    for x in items:
        k = call_proc(key, [x]) if key is not None else x
        if same is None:
            hk = hash_key(k)
            if hk in seen:
                continue
            seen.add(hk)
        else:
            if any(call_proc(same, [k, y]) is not False for y in keys):
                continue
            keys.append(k)
        out.append(x)
    return from_iter(out)


@builtin("flatten")
def flatten(v: Any) -> Any:
    out: list[Any] = []
    stack = [v]
    while stack:
        x = stack.pop()
        if type(x) is Pair:
            stack.append(x.cdr)
            stack.append(x.car)
        elif type(x) is not Nil:
            out.append(x)
    return from_iter(out)


@builtin("append-map")
def append_map(f: Any, lst: Any, *more: Any) -> Any:
    check_proc("append-map", f, 1)
    out: list[Any] = []
    for args in _rows("append-map", lst, more, 2):
        r = call_proc(f, args)
        items = list_to_py(r)
        if items is None:
            raise contract_error("append-map", "list?", r)
        out.extend(items)
    return from_iter(out)


@builtin("count")
def count(f: Any, lst: Any, *more: Any) -> int:
    check_proc("count", f, 1)
    return sum(1 for args in _rows("count", lst, more, 2) if call_proc(f, args) is not False)


def _arg_extreme(name: str, f: Any, lst: Any, better: Callable[[Any, Any], bool]) -> Any:
    check_proc(name, f, 1)
    items = check_list(name, lst, 2)
    if not items:
        raise contract_error(name, "(and/c list? (not/c empty?))", lst, 2)
    best = items[0]
    best_v = call_proc(f, [best])
    for x in items[1:]:
        v = call_proc(f, [x])
        if type(v) not in (int, float) and not hasattr(v, "numerator"):
            raise contract_error(name, "real?", v)
        if better(v, best_v):
            best, best_v = x, v
    return best


@builtin("argmin")
def argmin(f: Any, lst: Any) -> Any:
    return _arg_extreme("argmin", f, lst, lambda a, b: a < b)


@builtin("argmax")
def argmax(f: Any, lst: Any) -> Any:
    return _arg_extreme("argmax", f, lst, lambda a, b: a > b)


@builtin("partition")
def partition(f: Any, lst: Any) -> MultipleValues:
    check_proc("partition", f, 1)
    yes: list[Any] = []
    no: list[Any] = []
    for x in check_list("partition", lst, 2):
        (yes if call_proc(f, [x]) is not False else no).append(x)
    return MultipleValues((from_iter(yes), from_iter(no)))


@builtin("add-between")
def add_between(lst: Any, sep: Any) -> Any:
    items = check_list("add-between", lst, 1)
    out: list[Any] = []
    for i, x in enumerate(items):
        if i:
            out.append(sep)
        out.append(x)
    return from_iter(out)


@builtin("takef")
def takef(lst: Any, f: Any) -> Any:
    out = []
    for x in check_list("takef", lst, 1):
        if call_proc(f, [x]) is False:
            break
        out.append(x)
    return from_iter(out)


@builtin("dropf")
def dropf(lst: Any, f: Any) -> Any:
    p = lst
    while type(p) is Pair and call_proc(f, [p.car]) is not False:
        p = p.cdr
    return p


@builtin("shuffle")
def shuffle(lst: Any) -> Any:
    import random

    items = check_list("shuffle", lst, 1)
    random.shuffle(items)
    return from_iter(items)
