"""String, character, symbol and formatting built-ins (``racket/base`` + ``racket/string``).

A syntax object (LLM text) is never accepted where a string is needed: the error says to
unwrap it with ``syntax-e``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from .builtins import _write, builtin, check_list, check_nat, check_num, check_str
from .errors import RecipeError, contract_error
from .values import (
    NIL,
    VOID,
    Char,
    Symbol,
    SyntaxObj,
    Void,
    display_string,
    format_number,
    from_iter,
    list_to_py,
    print_string,
    sym,
    write_string,
)


def _strs(name: str, args: tuple[Any, ...], first: int = 1) -> list[str]:
    return [check_str(name, a, i + first) for i, a in enumerate(args)]


@builtin("string-append")
def string_append(*args: Any) -> str:
    return "".join(_strs("string-append", args))


@builtin("string-append*")
def string_append_star(first: Any, *more: Any) -> str:
    """`(string-append* str ... strs)`: `(apply string-append str ... strs)`."""
    args = (first, *more)
    strs = list_to_py(args[-1])
    if strs is None:
        raise contract_error("string-append*", "(listof string?)", args[-1], len(args))
    for x in strs:
        if type(x) is not str:
            if type(x) is SyntaxObj:
                raise contract_error("string-append*", "string?", x, len(args))
            raise contract_error("string-append*", "(listof string?)", args[-1], len(args))
    return "".join(_strs("string-append*", args[:-1])) + "".join(strs)


@builtin("string-length")
def string_length(s: Any) -> int:
    return len(check_str("string-length", s, 1))


@builtin("substring")
def substring(s: Any, start: Any, end: Any = None) -> str:
    check_str("substring", s, 1)
    check_nat("substring", start, 2)
    stop = len(s) if end is None else check_nat("substring", end, 3)
    if start > len(s) or stop > len(s) or start > stop:
        raise RecipeError(
            f"substring: index is out of range; start {start}, end {stop}, valid range [0, {len(s)}] "
            f"for a string of length {len(s)}", "contract")
    return str(s[start:stop])


@builtin("string-ref")
def string_ref(s: Any, k: Any) -> Char:
    check_str("string-ref", s, 1)
    check_nat("string-ref", k, 2)
    if k >= len(s):
        raise RecipeError(f"string-ref: index {k} out of range for a string of length {len(s)}", "contract")
    return Char(s[k])


@builtin("string-join", keywords=("before-first", "before-last", "after-last"))
def string_join(lst: Any, sep: Any = " ", *, before_first: Any = "", before_last: Any = None,
                after_last: Any = "") -> str:
    items = check_list("string-join", lst, 1)
    for x in items:
        if type(x) is not str:
            # (the list itself, as Racket shows it; LLM text gets the unwrap hint)
            raise contract_error("string-join", "(listof string?)",
                                 x if type(x) is SyntaxObj else lst, 1)
    check_str("string-join", sep, 2)
    last_sep = sep if before_last is None else check_str("string-join", before_last)
    if len(items) > 1:
        body = sep.join(items[:-1]) + last_sep + items[-1]
    else:
        body = "".join(items)
    return str(check_str("string-join", before_first) + body + check_str("string-join", after_last))


@builtin("string-split", keywords=("trim?", "repeat?"))
def string_split(s: Any, sep: Any = None, *, trim_p: Any = True, repeat_p: Any = False) -> Any:
    check_str("string-split", s, 1)
    if sep is None:
        return from_iter(s.split())
    check_str("string-split", sep, 2)
    if sep == "":
        return from_iter([c for c in s])
    text = s
    if trim_p is not False:
        text = _trim(text, sep, True, True, repeat=True)
    if text == "":
        return NIL
    parts = text.split(sep)
    if repeat_p is not False:
        parts = [p for p in parts if p]
    return from_iter(parts)


def _trim(s: str, sep: str | None, left: bool, right: bool, repeat: bool) -> str:
    if sep is None:
        if left and right:
            return s.strip()
        return s.lstrip() if left else s.rstrip() if right else s
    if left:
        while s.startswith(sep) and sep:
            s = s[len(sep):]
            if not repeat:
                break
    if right:
        while s.endswith(sep) and sep:
            s = s[: len(s) - len(sep)]
            if not repeat:
                break
    return s


@builtin("string-trim", keywords=("left?", "right?", "repeat?"))
def string_trim(s: Any, sep: Any = None, *, left_p: Any = True, right_p: Any = True,
                repeat_p: Any = False) -> str:
    check_str("string-trim", s, 1)
    if sep is not None:
        check_str("string-trim", sep, 2)
    return _trim(s, sep, left_p is not False, right_p is not False, repeat_p is not False)


@builtin("string-contains?")
def string_contains(s: Any, sub: Any) -> bool:
    return check_str("string-contains?", sub, 2) in check_str("string-contains?", s, 1)


@builtin("string-prefix?")
def string_prefix(s: Any, prefix: Any) -> bool:
    return bool(check_str("string-prefix?", s, 1).startswith(check_str("string-prefix?", prefix, 2)))


@builtin("string-suffix?")
def string_suffix(s: Any, suffix: Any) -> bool:
    return bool(check_str("string-suffix?", s, 1).endswith(check_str("string-suffix?", suffix, 2)))


@builtin("string-replace", keywords=("all?",))
def string_replace(s: Any, old: Any, new: Any, *, all_p: Any = True) -> str:
    check_str("string-replace", s, 1)
    check_str("string-replace", old, 2)
    check_str("string-replace", new, 3)
    return str(s.replace(old, new) if all_p is not False else s.replace(old, new, 1))


@builtin("string-upcase")
def string_upcase(s: Any) -> str:
    return str(check_str("string-upcase", s, 1).upper())


@builtin("string-downcase")
def string_downcase(s: Any) -> str:
    return str(check_str("string-downcase", s, 1).lower())


@builtin("string-titlecase")
def string_titlecase(s: Any) -> str:
    return str(check_str("string-titlecase", s, 1).title())


def _strcmp(name: str, op: Any, fold: bool = False) -> None:
    def f(a: Any, b: Any, *rest: Any) -> bool:
        xs = _strs(name, (a, b, *rest))
        if fold:
            xs = [x.casefold() for x in xs]
        return all(op(xs[i], xs[i + 1]) for i in range(len(xs) - 1))
    builtin(name)(f)


_strcmp("string=?", lambda a, b: a == b)
_strcmp("string<?", lambda a, b: a < b)
_strcmp("string>?", lambda a, b: a > b)
_strcmp("string<=?", lambda a, b: a <= b)
_strcmp("string>=?", lambda a, b: a >= b)
_strcmp("string-ci=?", lambda a, b: a == b, fold=True)
_strcmp("string-ci<?", lambda a, b: a < b, fold=True)


@builtin("string?")
def string_p(x: Any) -> bool:
    return type(x) is str


@builtin("non-empty-string?")
def non_empty_string_p(x: Any) -> bool:
    return type(x) is str and x != ""


@builtin("string-empty?")
def string_empty_p(x: Any) -> bool:
    return check_str("string-empty?", x, 1) == ""


@builtin("string")
def string(*chars: Any) -> str:
    for i, c in enumerate(chars):
        if type(c) is not Char:
            raise contract_error("string", "char?", c, i + 1)
    return "".join(c.ch for c in chars)


@builtin("make-string")
def make_string(n: Any, c: Any = None) -> str:
    count = check_nat("make-string", n, 1)
    if c is None:
        return "\0" * count  # Racket's default fill is #\nul
    if type(c) is not Char:
        raise contract_error("make-string", "char?", c, 2)
    return str(c.ch * count)


@builtin("string->list")
def string_to_list(s: Any) -> Any:
    return from_iter([Char(c) for c in check_str("string->list", s, 1)])


@builtin("list->string")
def list_to_string(lst: Any) -> str:
    items = check_list("list->string", lst, 1)
    for c in items:
        if type(c) is not Char:
            raise contract_error("list->string", "(listof char?)", lst, 1)
    return "".join(c.ch for c in items)


@builtin("string-copy")
def string_copy(s: Any) -> str:
    return str(check_str("string-copy", s, 1))


@builtin("number->string")
def number_to_string(n: Any, radix: Any = 10) -> str:
    check_num("number->string", n, 1)
    if radix != 10:
        if type(n) is not int:
            raise RecipeError("number->string: radix other than 10 needs an exact integer", "contract")
        digits = {2: "b", 8: "o", 16: "x"}.get(radix)
        if digits is None:
            raise contract_error("number->string", "(or/c 2 8 10 16)", radix, 2)
        return format(n, digits)
    return format_number(n)


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?\d+/\d+$|^[+-](inf|nan)\.[0f]$",
                        re.ASCII)
_RADIX_RE = re.compile(r"^[+-]?[0-9a-zA-Z]+(/[0-9a-zA-Z]+)?$", re.ASCII)
_RADIX_PREFIX = {"x": 16, "b": 2, "o": 8, "d": 10}


@builtin("string->number")
def string_to_number(s: Any, radix: Any = 10) -> Any:
    """Racket's reader syntax for numbers only: ASCII digits, no surrounding space, no
    underscores; ``#x #o #b #d`` radix and ``#e #i`` exactness prefixes."""
    from ..lang.syntax import parse_number

    check_str("string->number", s, 1)
    if type(radix) is not int or not 2 <= radix <= 16:
        raise contract_error("string->number", "(integer-in 2 16)", radix, 2)
    exactness = ""
    seen_radix = False
    while len(s) >= 2 and s[0] == "#":
        c = s[1].lower()
        if c in _RADIX_PREFIX and not seen_radix:
            radix, seen_radix = _RADIX_PREFIX[c], True
        elif c in "ei" and not exactness:
            exactness = c
        else:
            return False
        s = s[2:]
    v: Any
    if radix != 10:
        digits = "0123456789abcdef"[:radix]
        if not _RADIX_RE.match(s) or any(c not in digits for c in s.lower() if c not in "+-/"):
            return False
        try:
            num, _, den = s.partition("/")
            v = int(num, radix)
            if den:
                d = int(den, radix)
                if d == 0:
                    return False
                q = Fraction(v, d)
                v = q.numerator if q.denominator == 1 else q
        except ValueError:
            return False
    else:
        if not _NUMBER_RE.match(s):
            return False
        v = parse_number(s)
        if v is None:
            return False
        if exactness == "e" and type(v) is float:
            if math.isinf(v) or math.isnan(v):
                return False
            q = Fraction(s)
            v = q.numerator if q.denominator == 1 else q
    if exactness == "i":
        try:
            return float(v)
        except OverflowError:
            return math.inf if v > 0 else -math.inf
    return v


@builtin("symbol->string")
def symbol_to_string(s: Any) -> str:
    if type(s) is not Symbol:
        raise contract_error("symbol->string", "symbol?", s, 1)
    return s.name


@builtin("string->symbol")
def string_to_symbol(s: Any) -> Symbol:
    return sym(check_str("string->symbol", s, 1))


@builtin("symbol<?")
def symbol_lt(a: Any, *more: Any) -> bool:
    """Racket's order: the names' UTF-8 bytes compared with `bytes<?`."""
    args = (a, *more)
    keys = []
    for i, x in enumerate(args):
        if type(x) is not Symbol:
            raise contract_error("symbol<?", "symbol?", x, i + 1)
        keys.append(x.name.encode("utf-8", "surrogatepass"))
    return all(keys[i] < keys[i + 1] for i in range(len(keys) - 1))


@builtin("symbol=?")
def symbol_eq(a: Any, b: Any) -> bool:
    return a is b


@builtin("char->integer")
def char_to_integer(c: Any) -> int:
    if type(c) is not Char:
        raise contract_error("char->integer", "char?", c, 1)
    return ord(c.ch)


@builtin("integer->char")
def integer_to_char(n: Any) -> Char:
    return Char(chr(check_nat("integer->char", n, 1)))


def _charfn(name: str, fn: Any) -> None:
    def f(c: Any) -> Any:
        if type(c) is not Char:
            raise contract_error(name, "char?", c, 1)
        return fn(c.ch)
    builtin(name)(f)


# a one-to-one case mapping only, as Racket's (#\ß stays #\ß: its upper case is two letters)
_charfn("char-upcase", lambda c: Char(u) if len(u := c.upper()) == 1 else Char(c))
_charfn("char-downcase", lambda c: Char(d) if len(d := c.lower()) == 1 else Char(c))
_charfn("char-alphabetic?", lambda c: c.isalpha())
# Racket: a Unicode Numeric_Type other than None (#\½ too), which is Python's isnumeric
_charfn("char-numeric?", lambda c: c.isnumeric())
_charfn("char-whitespace?", lambda c: c.isspace())
_charfn("char-upper-case?", lambda c: c.isupper())
_charfn("char-lower-case?", lambda c: c.islower())


@builtin("char=?")
def char_eq(a: Any, b: Any, *rest: Any) -> bool:
    xs = (a, b, *rest)
    for i, c in enumerate(xs):
        if type(c) is not Char:
            raise contract_error("char=?", "char?", c, i + 1)
    return all(x.ch == xs[0].ch for x in xs)


def _char_compare(name: str, op: Callable[[str, str], bool], fold: bool) -> None:
    def f(a: Any, b: Any, *rest: Any) -> bool:
        xs = (a, b, *rest)
        for i, c in enumerate(xs):
            if type(c) is not Char:
                raise contract_error(name, "char?", c, i + 1)
        keys = [x.ch.casefold() if fold and len(x.ch.casefold()) == 1 else x.ch for x in xs]
        return all(op(keys[i], keys[i + 1]) for i in range(len(keys) - 1))
    builtin(name)(f)


for _n, _op in (("<?", lambda a, b: a < b), (">?", lambda a, b: a > b),
                ("<=?", lambda a, b: a <= b), (">=?", lambda a, b: a >= b)):
    _char_compare("char" + _n, _op, False)
    _char_compare("char-ci" + _n, _op, True)
_char_compare("char-ci=?", lambda a, b: a == b, True)


# ============================================================================ format


def _format_arg(name: str, v: Any, index: int) -> Any:
    if type(v) is SyntaxObj:
        raise RecipeError(
            f"{name}: argument {index} is a syntax object (LLM text); unwrap it with syntax-e first",
            "contract")
    return v


def racket_format(name: str, fmt: Any, args: list[Any]) -> str:
    """Racket's ``format``: ``~a ~s ~v ~e ~c ~n ~% ~~`` (and ``~b ~o ~x`` for integers)."""
    check_str(name, fmt, 1)
    out: list[str] = []
    i = 0
    n = len(fmt)
    ai = 0
    while i < n:
        ch = fmt[i]
        if ch != "~":
            j = fmt.find("~", i)
            if j < 0:
                out.append(fmt[i:])
                break
            out.append(fmt[i:j])
            i = j
            continue
        if i + 1 >= n:
            raise RecipeError(f"{name}: ill-formed pattern string: ends with ~", "contract")
        d = fmt[i + 1]
        i += 2
        if d in "nN%":
            out.append("\n")
            continue
        if d == "~":
            out.append("~")
            continue
        if d in " \t\n":
            while i < n and fmt[i] in " \t\n":
                i += 1
            continue
        if d.lower() not in "asveboxc":
            raise RecipeError(f"{name}: ill-formed pattern string: unknown directive ~{d}", "contract")
        if ai >= len(args):
            raise RecipeError(
                f"{name}: format string requires more arguments than given ({len(args)}): {write_string(fmt)}",
                "contract")
        v = _format_arg(name, args[ai], ai + 2)
        ai += 1
        dl = d.lower()
        if dl == "a":
            out.append(display_string(v))
        elif dl == "s":
            out.append(write_string(v))
        elif dl == "c":
            if type(v) is not Char:
                raise contract_error(name, "char?", v, ai + 1)
            out.append(v.ch)
        elif dl in "ve":
            out.append(print_string(v))  # ~v prints as print does; so does ~e (Racket's default
            # error value->string handler prints)
        else:
            if type(v) is not int:
                raise contract_error(name, "exact-integer?", v, ai + 1)
            out.append(format(v, {"b": "b", "o": "o", "x": "x"}[dl]))
    if ai != len(args):
        raise RecipeError(
            f"{name}: format string requires {ai} arguments, given {len(args)}: {write_string(fmt)}",
            "contract")
    return "".join(out)


@builtin("format")
def format_(fmt: Any, *args: Any) -> str:
    return racket_format("format", fmt, list(args))


@builtin("printf")
def printf(fmt: Any, *args: Any) -> Void:
    _write(None, racket_format("printf", fmt, list(args)))
    return VOID


@builtin("eprintf")
def eprintf(fmt: Any, *args: Any) -> Void:
    from .builtins import _Port

    _write(_Port(True), racket_format("eprintf", fmt, list(args)))
    return VOID


@builtin("fprintf")
def fprintf(port: Any, fmt: Any, *args: Any) -> Void:
    _write(port, racket_format("fprintf", fmt, list(args)), "fprintf", 1)
    return VOID


def _padding(pad: str, n: int, left: bool) -> str:
    """``n`` characters of the repeated ``pad``: on the left the pattern starts at its
    beginning, on the right it ends at its end (as racket/format pads)."""
    if n <= 0:
        return ""
    whole, part = divmod(n, len(pad))
    if left:
        return pad * whole + pad[:part]
    return pad[len(pad) - part:] + pad * whole


def _tilde(name: str, convert: Callable[[Any], str], default_separator: str,
           default_marker: str) -> None:
    def f(*args: Any, separator: Any = None, width: Any = None, max_width: Any = None,
          min_width: Any = None, align: Any = None, pad_string: Any = " ",
          limit_marker: Any = None) -> str:
        for i, a in enumerate(args):
            _format_arg(name, a, i + 1)
        sep = default_separator if separator is None else check_str(name, separator)
        text = str(sep).join(convert(a) for a in args)
        fixed = width if type(width) is int else None
        maxw = max_width if max_width is not None else fixed
        minw = min_width if min_width is not None else fixed
        marker = default_marker if limit_marker is None else check_str(name, limit_marker)
        if type(maxw) is int and len(text) > maxw:
            text = text[: max(0, maxw - len(marker))] + marker if maxw >= len(marker) else text[:maxw]
        if type(minw) is int and len(text) < minw:
            pad = pad_string if type(pad_string) is str and pad_string else " "
            missing = minw - len(text)
            how = align.name if isinstance(align, Symbol) else "left"
            if how == "right":
                text = _padding(pad, missing, True) + text
            elif how == "center":
                text = _padding(pad, missing // 2, True) + text + _padding(pad, missing - missing // 2, False)
            else:
                text = text + _padding(pad, missing, False)
        return text
    builtin(name, keywords=("separator", "width", "max-width", "min-width", "align", "pad-string",
                            "limit-marker"))(f)


# racket/format: ~a joins with "" and truncates without a marker; ~s and ~v join with " "
# and mark a truncation with "..."
_tilde("~a", display_string, "", "")
_tilde("~s", write_string, " ", "...")
_tilde("~v", print_string, " ", "...")


def _digits(n: int, base: int, upper: bool) -> str:
    """The digits of the natural number ``n`` in ``base`` (2 to 36)."""
    if n == 0:
        return "0"
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(alphabet[r])
    return "".join(reversed(out))


def _round_half_up(x: Any) -> int:
    """racket/format's round*: half away from zero on a non-negative number."""
    if type(x) is float:
        return int(x) if x.is_integer() else math.trunc(x + 0.5)
    result: int = math.trunc(x + Fraction(1, 2))
    return result


def _positional(n_abs: Any, base: int, upper: bool, precision: int, exactly: bool) -> str:
    """racket/format's %positional: ``n_abs`` in positional notation."""
    whole = math.floor(n_abs)
    scale = base ** precision
    try:
        # the fraction's digits, rounded half up: float arithmetic for a float (as Racket)
        frac_digits = _round_half_up((n_abs - whole) * scale)
    except OverflowError:
        raise RecipeError(f"~r: #:precision {precision} is too large for a float", "contract") from None
    if frac_digits >= scale:
        whole, frac_digits = whole + 1, 0
    whole_part = _digits(int(whole), base, upper)
    if exactly:
        if precision == 0:
            return whole_part + "."
        return whole_part + "." + _digits(frac_digits, base, upper).rjust(precision, "0")
    if frac_digits == 0:
        return whole_part
    needed = precision
    while frac_digits % base == 0:  # drop trailing zeros
        frac_digits //= base
        needed -= 1
    return whole_part + "." + _digits(frac_digits, base, upper).rjust(needed, "0")


_SIGNS = {"+": ("+", "", "-"), "++": ("+", "+", "-"), "parens": ("", "", ("(", ")"))}


def _sign_parts(name: str, n: Any, sign: Any) -> tuple[str, str]:
    if sign is None or sign is False:
        table: Any = ("", "", "-")
    elif type(sign) is Symbol and sign.name in _SIGNS:
        table = _SIGNS[sign.name]
    else:
        table = list_to_py(sign)
        if table is None or len(table) != 3:
            raise contract_error(name, "(or/c #f '+ '++ 'parens (list/c ind ind ind))", sign)
    negative = n < 0 or (type(n) is float and n == 0 and math.copysign(1.0, n) < 0)
    indicator = table[2] if negative else table[1] if n == 0 else table[0]
    if type(indicator) is str:
        return indicator, ""
    parts = list_to_py(indicator) if type(indicator) is not tuple else list(indicator)
    if parts is None or len(parts) != 2 or not all(type(x) is str for x in parts):
        raise contract_error(name, "(or/c string? (list/c string? string?))", indicator)
    return parts[0], parts[1]


@builtin("~r", keywords=("precision", "min-width", "pad-string", "base", "sign"))
def tilde_r(n: Any, *, precision: Any = 6, min_width: Any = 1, pad_string: Any = " ",
            base: Any = 10, sign: Any = None) -> str:
    """racket/format's ``~r`` in positional notation."""
    t = type(n)
    if not (t is int or t is Fraction or (t is float and math.isfinite(n))):
        raise contract_error("~r", "rational?", n, 1)
    exactly = False
    if type(precision) is not int:
        items = list_to_py(precision)
        if items is None or len(items) != 2 or items[0] is not sym("=") or type(items[1]) is not int:
            raise contract_error("~r", "(or/c exact-nonnegative-integer? (list/c '= exact-nonnegative-integer?))",
                                 precision)
        exactly, precision = True, items[1]
    if precision < 0:
        raise contract_error("~r", "exact-nonnegative-integer?", precision)
    upper = False
    if type(base) is not int:
        items = list_to_py(base)
        if items is None or len(items) != 2 or items[0] is not sym("up") or type(items[1]) is not int:
            raise contract_error("~r", "(or/c (integer-in 2 36) (list/c 'up (integer-in 2 36)))", base)
        upper, base = True, items[1]
    if not 2 <= base <= 36:
        raise contract_error("~r", "(integer-in 2 36)", base)
    if type(min_width) is not int or min_width < 1:
        raise contract_error("~r", "exact-positive-integer?", min_width)
    if type(pad_string) is not str or not pad_string:
        raise contract_error("~r", "non-empty-string?", pad_string)
    digits = _positional(abs(n), base, upper, precision, exactly)
    digits = _padding(pad_string, min_width - len(digits), True) + digits
    pre, post = _sign_parts("~r", n, sign)
    return pre + digits + post
