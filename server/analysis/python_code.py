"""Embedded Python: the code of every `py-exec` / `py-eval` whose argument is literal, parsed
with :mod:`ast` (never executed), with positions mapped back into the recipe.

The runtime (``runtime/engine/pybridge.py``) compiles the code exactly as written — no
dedent — in ``exec`` mode for `py-exec` and ``eval`` mode for `py-eval`; so does this module.
A string literal's decoded text and its source differ wherever an escape stands (``\\n``,
``\\"``, ``\\u03bb``, a backslash-newline), so each literal gets a map from decoded index to
recipe offset, and a Python position (line, column) becomes an exact recipe range.
"""

from __future__ import annotations

import ast
import builtins
import warnings
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from recipe.runtime.lang.syntax import (
    STRING,
    SYMBOL,
    Atom,
    ListNode,
    Node,
    Quote,
    decode_pieces,
)

from .facts import MAX_LITERAL
from .scopes import Call

if TYPE_CHECKING:
    from .context import Analysis

EXEC = "exec"
EVAL = "eval"
PYTHON_CALLS = {"py-exec": EXEC, "py-eval": EVAL}
BUILTIN_NAMES = frozenset(dir(builtins))
RUNTIME_GLOBALS = frozenset({"context", "__name__", "__builtins__"})
_PRINTING_METHODS = {"print", "pprint", "print_tree", "show", "info", "summary", "display"}
_MAX_FOLLOW = 40


class CodeText(NamedTuple):
    """Decoded code with, for each decoded character, its recipe span ``[starts[i], ends[i])``.
    Index ``len(code)`` stands for the closing quote."""

    code: str
    starts: list[int]
    ends: list[int]
    atoms: list[Atom]  # the string literals it was read from

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Recipe range of decoded ``[start, end)`` (at least one character wide)."""
        n = len(self.code)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if end <= start:
            return self.starts[start], self.ends[start]
        return self.starts[start], self.ends[end - 1]


def decode_with_map(atom: Atom) -> CodeText:
    """Decode a string literal exactly as :func:`recipe.runtime.lang.syntax.decode_string` does,
    recording where each decoded character came from."""
    text = atom.text
    base = atom.start + 1
    body = text[1:-1] if len(text) >= 2 and text.endswith('"') else text[1:]
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for chars, a, b, _unknown in decode_pieces(body):
        out.append(chars)
        if len(chars) == b - a and body[a:b] == chars:  # plain text: character for character
            starts.extend(range(base + a, base + b))
            ends.extend(range(base + a + 1, base + b + 1))
        else:  # an escape: every decoded character comes from the whole escape
            starts.extend([base + a] * len(chars))
            ends.extend([base + b] * len(chars))
    close = atom.end - 1 if text.endswith('"') and len(text) >= 2 else atom.end
    starts.append(close)
    ends.append(max(close + 1, atom.end) if close < atom.end else close)
    return CodeText("".join(out), starts, ends, [atom])


def _concat(parts: list[CodeText]) -> CodeText:
    code = "".join(p.code for p in parts)
    starts: list[int] = []
    ends: list[int] = []
    atoms: list[Atom] = []
    for p in parts:
        starts.extend(p.starts[:-1])
        ends.extend(p.ends[:-1])
        atoms.extend(p.atoms)
    starts.append(parts[-1].starts[-1])
    ends.append(parts[-1].ends[-1])
    return CodeText(code, starts, ends, atoms)


class PySyntaxError(NamedTuple):
    """A Python syntax error mapped into the recipe."""

    message: str  # Python's message ("invalid syntax", "'(' was never closed" …)
    kind: str  # "SyntaxError", "IndentationError", "TabError"
    lineno: int  # 1-based line within the code
    column: int  # 1-based column within that line
    start: int  # recipe offsets
    end: int


class NameRead(NamedTuple):
    name: str
    start: int  # recipe offsets of the name inside the string
    end: int


class Snippet:
    """One `py-exec` / `py-eval` call."""

    __slots__ = ("_line_starts", "arg", "assigned", "call", "dynamic", "error", "op", "prints",
                 "reads", "single_expression", "statement_tree", "statements", "text", "tree")

    def __init__(self, call: Call, op: str, arg: Node | None, text: CodeText | None) -> None:
        self.call = call
        self.op = op  # EXEC or EVAL
        self.arg = arg  # the code argument as written
        self.text = text  # the literal code, when it is literal
        self.tree: ast.AST | None = None
        self.error: PySyntaxError | None = None
        self.statements = False  # a py-eval whose code parses only as statements
        self.statement_tree: ast.Module | None = None
        self.assigned: set[str] = set()
        self.reads: list[NameRead] = []
        self.prints = False
        self.single_expression = False
        self.dynamic = False  # star import, exec/eval/globals(): sets names we cannot see
        self._line_starts: list[int] | None = None

    @property
    def code(self) -> str | None:
        return self.text.code if self.text is not None else None

    @property
    def literal(self) -> bool:
        return self.text is not None

    def line_starts(self) -> list[int]:
        """Decoded index of each Python line's start (\\r\\n, \\r and \\n end a line)."""
        if self._line_starts is not None:
            return self._line_starts
        code = self.code or ""
        starts = [0]
        i = 0
        n = len(code)
        while i < n:
            ch = code[i]
            if ch == "\r" and i + 1 < n and code[i + 1] == "\n":
                starts.append(i + 2)
                i += 2
                continue
            if ch in "\r\n":
                starts.append(i + 1)
            i += 1
        self._line_starts = starts
        return starts

    def index(self, lineno: int, column: int) -> int:
        """Decoded index of a 1-based line and 0-based character column."""
        starts = self.line_starts()
        line = max(1, min(lineno, len(starts)))
        return min(starts[line - 1] + max(column, 0), len(self.code or ""))

    def char_column(self, lineno: int, byte_col: int) -> int:
        """Character column of an AST UTF-8 byte column on a line."""
        starts = self.line_starts()
        code = self.code or ""
        if not 1 <= lineno <= len(starts):
            return byte_col
        begin = starts[lineno - 1]
        line = code[begin:starts[lineno] if lineno < len(starts) else len(code)]
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def node_span(self, node: ast.AST) -> tuple[int, int] | None:
        """Recipe range of an AST node (a ``lineno``/``col_offset`` carrying node)."""
        if self.text is None or not hasattr(node, "lineno"):
            return None
        lineno = int(getattr(node, "lineno"))  # noqa: B009
        start = self.index(lineno, self.char_column(lineno, int(getattr(node, "col_offset", 0))))
        end_lineno = getattr(node, "end_lineno", None) or lineno
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end = start + 1
        else:
            end = self.index(int(end_lineno), self.char_column(int(end_lineno), int(end_col)))
        return self.text.span(start, end)


class _Names(ast.NodeVisitor):
    def __init__(self) -> None:
        self.assigned: set[str] = set()
        self.reads: list[ast.Name] = []
        self.prints = False
        self.dynamic = False

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.reads.append(node)
            if node.id in ("print", "pprint", "pp", "help", "breakpoint"):
                self.prints = True
            if node.id in ("exec", "eval", "globals", "vars", "__import__"):
                self.dynamic = True
                self.prints = True  # cannot tell
        else:
            self.assigned.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ("stdout", "__stdout__"):
            self.prints = True
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and (func.attr in _PRINTING_METHODS
                                                or func.attr.startswith("print")):
            self.prints = True
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.assigned.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.dynamic = True
            else:
                self.assigned.add(alias.asname or alias.name)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            self.assigned.add(arg.arg)
        if args.vararg is not None:
            self.assigned.add(args.vararg.arg)
        if args.kwarg is not None:
            self.assigned.add(args.kwarg.arg)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.assigned.add(node.name)
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.assigned.add(node.name)
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.assigned.add(node.name)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.assigned.add(node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.assigned.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.assigned.update(node.names)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.assigned.add(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.assigned.add(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self.assigned.add(node.rest)
        self.generic_visit(node)


@lru_cache(maxsize=1024)  # the server re-lints the same snippets on every keystroke
def _parse(source: str, mode: str) -> tuple[ast.AST | None, SyntaxError | None]:
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence": Python's business
            warnings.simplefilter("ignore")
            return ast.parse(source, "<py>", mode), None
    except SyntaxError as exc:
        return None, exc
    except (ValueError, MemoryError, RecursionError) as exc:  # null bytes, absurd nesting
        return None, SyntaxError(str(exc))


class EmbeddedPython:
    """Every Python snippet of a recipe, and what the recipe as a whole sets in Python."""

    def __init__(self, analysis: Analysis) -> None:
        # (its facts and scopes, not the analysis, which holds this: no reference cycle)
        self.facts = analysis.facts
        self.scopes = analysis.scopes

    # -- snippets -----------------------------------------------------------------------
    def code_text(self, node: Node | None) -> CodeText | None:
        """The literal text of an expression with its map: a string literal, a constant
        bound to one, or `string-append` of those (None past ``MAX_LITERAL`` characters)."""
        return self._code_text(node, 0, {})

    def _code_text(self, node: Node | None, depth: int,
                   seen: dict[int, CodeText | None]) -> CodeText | None:
        if node is None or depth > _MAX_FOLLOW:
            return None
        node = self.facts.binding_value(node)
        if isinstance(node, Atom) and node.kind == STRING:
            if len(node.text) < 2 or not node.text.endswith('"'):
                return None  # unterminated (S004): not the code the author meant
            return decode_with_map(node)
        if isinstance(node, ListNode) and node.head_name() == "string-append":
            if id(node) in seen:  # (a piece used twice: forms that each join the two before
                return seen[id(node)]  # would be read 2^n times)
            seen[id(node)] = None
            call = self.facts.call_at.get(id(node))
            if call is None or call.entry is None or len(node.items) < 2:
                return None
            parts: list[CodeText] = []
            size = 0
            for item in node.items[1:]:
                part = self._code_text(item, depth + 1, seen)
                if part is None:
                    return None  # (the first unknown piece settles it)
                size += len(part.code)
                if size > MAX_LITERAL:
                    return None
                parts.append(part)
            seen[id(node)] = text = _concat(parts)
            return text
        return None

    @cached_property
    def snippets(self) -> list[Snippet]:
        out: list[Snippet] = []
        for call in self.scopes.calls_to(*PYTHON_CALLS):
            if call.entry is None:
                continue
            args = call.positional()
            arg = args[0] if args else None
            snippet = Snippet(call, PYTHON_CALLS[call.name], arg, self.code_text(arg))
            if snippet.text is not None:
                self._analyse(snippet)
            out.append(snippet)
        return out

    def snippet_for(self, call: Call) -> Snippet | None:
        for snippet in self.snippets:
            if snippet.call is call:
                return snippet
        return None

    def _analyse(self, snippet: Snippet) -> None:
        code = snippet.code or ""
        tree, error = _parse(code, snippet.op)
        if error is not None and snippet.op == EVAL:
            statements, exec_error = _parse(code, EXEC)
            if isinstance(statements, ast.Module):
                snippet.statements = True
                snippet.statement_tree = statements
                tree, error = statements, None
            elif exec_error is not None and exec_error.lineno:
                error = exec_error  # eval mode often places the error at the very start
        if error is not None:
            snippet.error = self._map_error(snippet, error)
            return
        snippet.tree = tree
        if isinstance(tree, ast.Expression):
            snippet.single_expression = True
        elif isinstance(tree, ast.Module):
            snippet.single_expression = len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
        visitor = _Names()
        assert tree is not None
        visitor.visit(tree)
        snippet.assigned = visitor.assigned
        snippet.prints = visitor.prints
        snippet.dynamic = visitor.dynamic
        for name in visitor.reads:
            span = snippet.node_span(name)
            if span is not None:
                snippet.reads.append(NameRead(name.id, span[0], span[1]))

    def _map_error(self, snippet: Snippet, error: SyntaxError) -> PySyntaxError:
        assert snippet.text is not None
        lineno = error.lineno or 1
        offset = error.offset or 1
        start = snippet.index(lineno, offset - 1)
        end_lineno = getattr(error, "end_lineno", None)
        end_offset = getattr(error, "end_offset", None)
        end = start + 1
        if end_lineno and end_offset and end_offset > 0:
            candidate = snippet.index(end_lineno, end_offset - 1)
            if candidate > start:
                end = candidate
        code = snippet.text.code
        if isinstance(error, IndentationError) and "unexpected indent" in (error.msg or ""):
            # show the whole indentation of the line
            start = snippet.index(lineno, 0)
            end = start
            while end < len(code) and code[end] in " \t":
                end += 1
            end = max(end, start + 1)
        # an error at a line's end (e.g. "expected ':'") shows the last character before it
        if start >= len(code) and code:
            start = len(code) - 1
            end = len(code)
        r_start, r_end = snippet.text.span(start, end)
        message = error.msg or str(error)
        return PySyntaxError(message, type(error).__name__, lineno, offset, r_start, r_end)

    # -- recipe-wide --------------------------------------------------------------------
    @cached_property
    def py_set_names(self) -> dict[str, list[Node]]:
        """Names bound by `py-set!` with a literal name, and where."""
        out: dict[str, list[Node]] = {}
        for call in self.scopes.calls_to("py-set!"):
            if call.entry is None:
                continue
            args = call.positional()
            if not args:
                continue
            name = self.literal_name(args[0])
            if name is not None:
                out.setdefault(name, []).append(args[0])
        return out

    def literal_name(self, node: Node | None) -> str | None:
        """A `py-set!` name: a string literal or constant, or a quoted symbol."""
        if isinstance(node, Quote) and isinstance(node.datum, Atom) and node.datum.kind == SYMBOL:
            return node.datum.text
        return self.facts.literal_string(node)

    @cached_property
    def names_unknowable(self) -> bool:
        """Some Python global may be set in a way the analyser cannot see: a `py-set!` with a
        computed name, a `py-exec` of computed code, a star import, `exec` / `globals()`."""
        for call in self.scopes.calls_to("py-set!"):
            args = call.positional()
            if call.entry is not None and args and self.literal_name(args[0]) is None:
                return True
        for snippet in self.snippets:
            if snippet.op == EXEC and snippet.text is None:
                return True  # (code with a syntax error never runs: it sets nothing)
            if snippet.dynamic:
                return True
        return False

    @cached_property
    def assigned_names(self) -> set[str]:
        """Names any snippet assigns (module level or not)."""
        out: set[str] = set()
        for snippet in self.snippets:
            out |= snippet.assigned
        return out

    @cached_property
    def known_names(self) -> set[str]:
        """Every Python name that something sets: py-set!, snippets, the runtime, builtins."""
        return set(self.py_set_names) | self.assigned_names | RUNTIME_GLOBALS | BUILTIN_NAMES
