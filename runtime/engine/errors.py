"""Errors of a running recipe.

A :class:`RecipeError` carries the message, a kind, the ``file:line:col`` of the failing
form and a Scheme-level backtrace (``file:line:col in f``, one per active recipe frame,
most recent last, bounded) — never a Python traceback. Handlers in the recipe
(``with-handlers``, ``try``) see :attr:`RecipeError.value`: an :class:`ExnValue` for
errors, or whatever ``raise`` was given.
"""

from __future__ import annotations

from typing import Any

BACKTRACE_LIMIT = 24  # frames kept: the innermost half and the outermost half


class ExnValue:
    """The exception value a handler receives (``exn:fail?`` is true of it)."""

    __slots__ = ("kind", "message")

    def __init__(self, message: str, kind: str = "exn:fail") -> None:
        self.message = message
        self.kind = kind

    def __repr__(self) -> str:
        return f"#<{self.kind}: {self.message}>"


class RecipeError(Exception):
    """An error of the recipe, reported with its location and a recipe backtrace."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        kind: str = "error",
        location: str | None = None,
        value: Any = None,
        exit_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.location = location
        self.value: Any = value if value is not None else ExnValue(message, _exn_kind(kind))
        self.frames: list[str] = []  # innermost first
        self.omitted = 0
        self.python_traceback = ""
        if exit_code is not None:
            self.exit_code = exit_code

    def add_frame(self, entry: str) -> None:
        """Record one more (outer) recipe frame, keeping the backtrace bounded."""
        frames = self.frames
        if len(frames) < BACKTRACE_LIMIT:
            frames.append(entry)
        else:
            # keep the innermost half fixed and slide the outermost half
            half = BACKTRACE_LIMIT // 2
            del frames[half]
            frames.append(entry)
            self.omitted += 1

    @property
    def backtrace(self) -> list[str]:
        """Backtrace entries, most recent (innermost) last."""
        out = list(reversed(self.frames))
        if self.omitted:
            half = BACKTRACE_LIMIT // 2
            out.insert(len(out) - half, f"... {self.omitted} more frames ...")
        return out

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def format(self) -> str:
        """The full report: location, message, backtrace and any Python traceback."""
        lines = [str(self)]
        if self.python_traceback:
            lines.append("Python traceback:")
            lines.extend("  " + ln for ln in self.python_traceback.rstrip().splitlines())
        bt = self.backtrace
        if bt:
            lines.append("backtrace (most recent call last):")
            lines.extend("  " + e for e in bt)
        return "\n".join(lines)


class FinishError(RecipeError):
    """``(finish-error msg)``: the run ends as failed with ``msg`` (exit code 1)."""

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message, "finish-error", location)


class FinishSignal(BaseException):
    """``(finish v)``: unwinds the strand to the run's entry with the result."""

    def __init__(self, value: Any) -> None:
        super().__init__("finish")
        self.value = value


class RunCancelled(BaseException):
    """The run was cancelled (Ctrl-C, race loser strand): unwinds a strand quietly."""


def _exn_kind(kind: str) -> str:
    if kind in ("contract", "arity", "type"):
        return "exn:fail:contract"
    if kind == "unbound":
        return "exn:fail:contract:variable"
    if kind == "divide-by-zero":
        return "exn:fail:contract:divide-by-zero"
    return "exn:fail"


def contract_error(proc: str, expected: str, given: Any, position: int | None = None) -> RecipeError:
    """``proc: contract violation: expected X, given V`` (names the argument)."""
    from .values import SyntaxObj, write_string

    if type(given) is SyntaxObj and "string" in expected:
        where = f" (argument {position})" if position is not None else ""
        return RecipeError(
            f"{proc}: expected a string{where} but got a syntax object (LLM text); "
            f"unwrap it with syntax-e first", "contract")
    shown = write_string(given)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    where = f" as argument {position}" if position is not None else ""
    return RecipeError(f"{proc}: contract violation: expected {expected}, given {shown}{where}",
                       "contract")


def arity_error(proc: str, expected: str, given: int) -> RecipeError:
    """``proc: arity mismatch``."""
    return RecipeError(
        f"{proc}: arity mismatch; expected {expected} "
        f"argument{'s' if expected.split()[-1] != '1' else ''}, "
        f"given {given}", "arity")
