"""The catalogue covers every name of LANGUAGE.md, with sound metadata."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from recipe.runtime.lang import catalog
from recipe.runtime.lang.catalog import (
    ANY,
    BOOLEAN,
    BUILTIN,
    CHAR,
    COMBINATOR,
    FALSE_OR_NUMBER,
    FAN_OUT,
    HANDLE,
    HANDLES,
    HASH,
    INTEGER,
    INTEGER_OR_FALSE,
    LIST,
    LLM_KEYWORDS,
    NATURAL,
    NEVER,
    NUMBER,
    PAIR,
    PARAMETER,
    PRIMITIVE,
    PROCEDURE,
    PYREF,
    RECURSIVE_KEYWORD,
    SEQUENTIAL,
    SPECIAL_FORM,
    STRING,
    STRING_OR_LIST,
    STRINGS,
    SYMBOL,
    SYNTAX,
    SYNTAXES,
    TEXT,
    VALUES,
    VARIABLE,
    VECTOR,
    VOID,
    Entry,
    FanOut,
)
from recipe.runtime.lang.catalog_data import ENTRIES

REPO = Path(__file__).resolve().parents[1]
SHARED_SPEC = REPO.parent / "shared" / "LANGUAGE.md"
LOCAL_SPEC = REPO / "docs" / "LANGUAGE.md"

KINDS = {SPECIAL_FORM, BUILTIN, PRIMITIVE, COMBINATOR, PARAMETER, VARIABLE}
TYPES = {
    ANY, STRING, SYNTAX, TEXT, NUMBER, INTEGER, NATURAL, BOOLEAN, SYMBOL, CHAR, LIST, PAIR,
    VECTOR, HASH, PROCEDURE, HANDLE, HANDLES, STRINGS, SYNTAXES, VOID, VALUES, NEVER, PYREF,
    STRING_OR_LIST, INTEGER_OR_FALSE, FALSE_OR_NUMBER, catalog.ELEMENT, catalog.NAME,
}
COSTS = {
    catalog.FREE, catalog.LLM_SYNC, catalog.LLM_ASYNC, catalog.AWAIT, catalog.FAN_OUT,
    catalog.SEQUENTIAL, catalog.PYTHON, catalog.STORE, catalog.CONTROL, catalog.SLEEP,
}
# Names the catalogue has beyond the code spans of LANGUAGE.md §3–§8: `unquote` and
# `unquote-splicing`, named (unquoted) in the quote row of §2, and Racket's `empty` / `null`,
# the values next to `empty?` / `null?`.
EXTRA_NAMES = {"unquote", "unquote-splicing", "empty", "null"}
# Syntax inside other forms, not names of their own.
NOT_NAMES = {"else", "=>", "on-error"}
# Words of the §7/§8 signatures that stand for an argument, not a literal default.
METAVARIABLES = {"n", "f"}


# --------------------------------------------------------------------------------------
# Reading LANGUAGE.md
# --------------------------------------------------------------------------------------
@cache
def spec_text() -> str:
    path = SHARED_SPEC if SHARED_SPEC.exists() else LOCAL_SPEC
    return path.read_text(encoding="utf-8")


def section(number: int) -> str:
    match = re.search(rf"^## {number}\. [^\n]*\n(.*?)(?=^## |\Z)", spec_text(), re.M | re.S)
    assert match is not None, f"LANGUAGE.md has no section {number}"
    return match.group(1)


def spans(text: str) -> list[str]:
    """The contents of the backticked code spans of ``text`` (they may span lines)."""
    return re.findall(r"`([^`]+)`", text)


def head(span: str) -> str | None:
    """The name a code span shows: the first word, after an opening parenthesis."""
    words = span.strip().lstrip("(").split()
    return words[0].rstrip(")") if words else None


def table_first_cells(text: str) -> list[str]:
    """The first cell of every body row of the markdown tables in ``text``."""
    cells = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        first = line.strip("|").split("|")[0]
        if "`" in first:  # the header row has none
            cells.append(first)
    return cells


def names_of_section_3() -> set[str]:
    found = {head(s) for s in spans(section(3))}
    return {n for n in found if n and not n.startswith("#") and n not in NOT_NAMES}


def names_of_section_4() -> set[str]:
    text = section(4)
    # Skip the list of `format` directives ("supports `~a ~s ~v ~n ~%`").
    found = [m.group(1) for m in re.finditer(r"`([^`]+)`", text)
             if not text[:m.start()].endswith("supports ")]
    # The opening sentence names the Racket libraries (`racket/base` …), not procedures.
    return {word for span in found for word in span.split() if not word.startswith("racket/")}


def names_of_section_6() -> set[str]:
    found = {head(s) for s in spans(section(6))}
    return {n for n in found if n and not n.startswith("#")}


def table_signatures(number: int) -> list[str]:
    """The backticked signatures in the first column of the tables of section ``number``."""
    return [s for cell in table_first_cells(section(number)) for s in spans(cell)]


def names_of_table(number: int) -> set[str]:
    return {n for n in (head(s) for s in table_signatures(number)) if n}


@cache
def language_names() -> frozenset[str]:
    return frozenset(
        names_of_section_3() | names_of_section_4() | names_of_section_6()
        | names_of_table(7) | names_of_table(8))


# --------------------------------------------------------------------------------------
# (1) completeness
# --------------------------------------------------------------------------------------
def test_extraction_finds_every_section() -> None:
    # Guards the regexes: if the markdown changes shape, fail loudly rather than pass empty.
    assert {"define", "λ", "let*-values", "for*/list", "in-string", "try"} <= names_of_section_3()
    assert len(names_of_section_4()) > 140
    assert {"list", "partition", "~a", "string?", "hash-count", "vector-length", "sleep"} <= (
        names_of_section_4())
    assert "~s" not in names_of_section_4()
    assert {"context", "get-context"} <= names_of_section_6()
    assert {"llm-query", "token-budget", "unsafe-exec-sub-output", "chunk", "try",
            "datum->syntax"} <= names_of_table(7)
    assert len(names_of_table(8)) == 17


@pytest.mark.parametrize("name", sorted(language_names()))
def test_every_name_of_the_language_is_catalogued(name: str) -> None:
    assert catalog.lookup(name) is not None, f"{name!r} is in LANGUAGE.md but not catalogued"


def test_catalogue_has_no_unlisted_names() -> None:
    # beyond LANGUAGE.md: the Racket built-ins the runtime implements (held to the runtime by
    # tests/test_catalog_runtime.py) and the names listed in EXTRA_NAMES
    from recipe.runtime.engine.builtins import all_builtins

    extra = set(catalog.entries()) - language_names() - set(all_builtins())
    assert extra == EXTRA_NAMES, "names beyond LANGUAGE.md must be listed in EXTRA_NAMES"


def test_local_copy_of_the_spec_is_verbatim() -> None:
    assert LOCAL_SPEC.exists(), "docs/LANGUAGE.md is missing"
    if not SHARED_SPEC.exists():
        pytest.skip("no shared LANGUAGE.md next to the repository")
    assert LOCAL_SPEC.read_bytes() == SHARED_SPEC.read_bytes(), (
        "docs/LANGUAGE.md differs from the shared spec: copy it again")


def _signature_rows() -> list[str]:
    return table_signatures(7) + table_signatures(8)


@pytest.mark.parametrize("signature", _signature_rows())
def test_table_signatures_match_the_entries(signature: str) -> None:
    """Arity, keywords and literal defaults of every `(name ...)` of the §7/§8 tables."""
    name = head(signature)
    assert name is not None
    entry = catalog.lookup(name)
    assert entry is not None
    if not signature.startswith("(") or entry.kind == SPECIAL_FORM or "same" in signature:
        return  # `token-budget`, `(try ...)`, `(unsafe-raw-query ...same...)`
    words = signature.strip("()").split()[1:]
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("#:"):
            keyword = entry.keyword(word[2:])
            assert keyword is not None, f"{name} lacks keyword {word}"
            value = words[i + 1] if i + 1 < len(words) else None
            if value is not None and not value.startswith("#:"):
                if value not in METAVARIABLES:
                    assert keyword.default_text == value, f"{name} {word} default"
                i += 1
        else:
            positional.append(word)
        i += 1
    if "..." in positional:
        assert entry.max_args is None, f"{name} should be variadic"
        assert entry.min_args == len(positional) - 2, f"{name} minimum arity"
    else:
        assert entry.min_args == entry.max_args == len(positional), f"{name} arity"


# --------------------------------------------------------------------------------------
# (2) documentation
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_entry_is_documented(entry: Entry) -> None:
    assert len(entry.doc) > 30, "doc should be a real paragraph"
    assert entry.doc.strip() == entry.doc and "\n" not in entry.doc
    assert entry.example.strip(), "example missing"
    assert any(n in entry.example for n in (entry.name, *entry.aliases)) or entry.kind in (
        VARIABLE, PARAMETER), "the example should use the entry"
    for keyword in entry.keywords:
        assert keyword.doc and keyword.default_text, f"#:{keyword.name} undocumented"
        assert "default" in keyword.doc.lower() or keyword in LLM_KEYWORDS or keyword is (
            RECURSIVE_KEYWORD), f"#:{keyword.name} doc should state the default"


def test_llm_primitive_docs_explain_the_calling_convention() -> None:
    for name in ("llm-query", "unsafe-raw-query", "llm-query-async"):
        doc = catalog.lookup(name).doc  # type: ignore[union-attr]
        assert "keyword" in doc and "#:instruction" in doc and "system message" in doc
        assert "#:data" in doc and "user message" in doc


# --------------------------------------------------------------------------------------
# (3) protection, kinds and types
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_entry_metadata_is_well_formed(entry: Entry) -> None:
    assert entry.kind in KINDS
    assert entry.cost in COSTS
    assert entry.result in TYPES
    for param in entry.params:
        assert param.type in TYPES
    for keyword in entry.keywords:
        assert keyword.type in TYPES
        assert re.fullmatch(r"[a-z][a-z0-9?-]*", keyword.name), keyword.name
    rests = [i for i, p in enumerate(entry.params) if p.rest]
    assert rests in ([], [len(entry.params) - 1]), "only the last parameter can be a rest"
    optional = [p.optional for p in entry.params if not p.rest]
    assert optional == sorted(optional), "optional parameters come after required ones"
    if entry.kind == SPECIAL_FORM:
        assert entry.signature_text.startswith(f"({entry.name}")
    if entry.signature_text and entry.kind != SPECIAL_FORM:
        assert all(line.startswith(f"({entry.name}") and " → " in line
                   for line in entry.signature_text.splitlines())


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_protection(entry: Entry) -> None:
    if entry.kind in (PRIMITIVE, COMBINATOR) or entry.name in ("context", "token-budget"):
        assert entry.protected
    elif entry.name == "try":  # a special form, but listed with the primitives of §7
        assert entry.protected
    else:
        assert not entry.protected


def test_unsafe_primitives() -> None:
    unsafe = {e.name for e in ENTRIES if e.unsafe}
    assert unsafe == {"unsafe-interpolate", "unsafe-overwrite", "unsafe-exec-sub-output"}
    raw = catalog.lookup("unsafe-raw-query")
    assert raw is not None and raw.protected and not raw.unsafe
    assert {"context", "token-budget", "map-async", "finish"} <= catalog.protected_names()


def test_llm_keywords() -> None:
    query = catalog.lookup("llm-query")
    query_async = catalog.lookup("llm-query-async")
    raw = catalog.lookup("unsafe-raw-query")
    assert query is not None and query_async is not None and raw is not None
    assert query.keywords == (*LLM_KEYWORDS, RECURSIVE_KEYWORD) == raw.keywords
    # `#:recursive #f` is accepted (as the original does); `#t` is an error (J006).
    assert query_async.keywords == (*LLM_KEYWORDS, catalog.ASYNC_RECURSIVE_KEYWORD)
    recursive = query_async.keyword("recursive")
    assert recursive is not None and recursive.default is False
    assert (query.result, raw.result, query_async.result) == (SYNTAX, STRING, HANDLE)
    assert (query.cost, query_async.cost) == (catalog.LLM_SYNC, catalog.LLM_ASYNC)
    assert query.min_args == query.max_args == 0


def test_result_types_of_the_primitives() -> None:
    expected = {
        "await": SYNTAX, "await-all": STRINGS, "await-all-syntax": SYNTAXES,
        "await-any": VALUES, "map-async": STRINGS, "syntax-e": STRING, "datum->syntax": SYNTAX,
        "py-exec": STRING, "py-set!": VOID, "finish": NEVER, "finish-var": NEVER,
        "finish-error": NEVER, "tokens-used": HASH, "rate-limits": HASH, "error": NEVER,
        "chunk": LIST,
    }
    for name, result in expected.items():
        assert catalog.lookup(name).result == result, name  # type: ignore[union-attr]
    assert catalog.lookup("syntax-e").params[0].type == TEXT  # type: ignore[union-attr]
    assert catalog.lookup("await").params[0].type == HANDLE  # type: ignore[union-attr]
    assert catalog.lookup("sleep").cost == catalog.SLEEP  # type: ignore[union-attr]
    assert catalog.lookup("py-exec").cost == catalog.PYTHON  # type: ignore[union-attr]
    assert catalog.lookup("checkpoint").cost == catalog.STORE  # type: ignore[union-attr]


def test_string_positions_reject_syntax_objects() -> None:
    for name in ("string-append", "string-length", "substring", "string-split", "string-join",
                 "string-trim", "string-contains?", "string->number", "py-exec", "py-set!"):
        entry = catalog.lookup(name)
        assert entry is not None
        assert entry.params[0].type in (STRING, LIST, catalog.NAME), name
    assert catalog.lookup("string-append").params[0].rest  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------
# (4) keyword defaults and ranges
# --------------------------------------------------------------------------------------
def _keywords() -> list[tuple[str, catalog.Keyword]]:
    return [(e.name, k) for e in ENTRIES for k in e.keywords]


@pytest.mark.parametrize("owner,keyword", _keywords(), ids=lambda v: getattr(v, "name", v))
def test_keyword_defaults_are_in_range(owner: str, keyword: catalog.Keyword) -> None:
    default = keyword.default
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        assert keyword.type in (NUMBER, INTEGER, NATURAL, INTEGER_OR_FALSE, FALSE_OR_NUMBER)
        if keyword.minimum is not None:
            if keyword.exclusive_minimum:
                assert default > keyword.minimum
            else:
                assert default >= keyword.minimum
        if keyword.maximum is not None:
            assert default <= keyword.maximum
    if keyword.type == BOOLEAN:
        assert isinstance(default, bool)
        assert keyword.default_text == ("#t" if default else "#f")
    if keyword.choices:
        assert default in keyword.choices
        assert keyword.default_text == f"'{default}"
    if keyword.minimum is not None and keyword.maximum is not None:
        assert keyword.minimum <= keyword.maximum


def test_combinator_keywords_as_specified() -> None:
    def kw(entry: str, name: str) -> catalog.Keyword:
        found = catalog.lookup(entry)
        assert found is not None
        keyword = found.keyword(name)
        assert keyword is not None, f"{entry} #:{name}"
        return keyword

    window = kw("map-async", "max-concurrent")
    assert (window.type, window.default, window.minimum) == (INTEGER_OR_FALSE, 10, 1)
    assert kw("fan-out-aggregate", "max-concurrent").default == 10
    assert kw("parallel", "max-concurrent").type == INTEGER_OR_FALSE
    assert (kw("tree-reduce", "branch-factor").default,
            kw("tree-reduce", "branch-factor").minimum) == (5, 2)
    assert kw("tree-reduce", "leaf-fn").default_text == "identity"
    depth = kw("recursive-spawn", "depth")
    assert (depth.default, depth.minimum, depth.maximum) == (1, 1, 3)
    assert kw("iterate-until", "max-iter").default == 10
    assert kw("critique-refine", "max-iter").default == 3
    threshold = kw("critique-refine", "quality-threshold")
    assert (threshold.type, threshold.default, threshold.default_text) == (
        FALSE_OR_NUMBER, None, "#f")
    method = kw("vote", "method")
    assert (method.default, method.choices) == ("majority", ("majority", "plurality",
                                                             "consensus"))
    assert kw("ensemble", "aggregator").type == PROCEDURE
    learning = kw("active-learning", "threshold")
    assert (learning.default, learning.minimum, learning.maximum) == (0.7, 0, 1)
    assert kw("memoized", "key-fn").default_text == "identity"
    assert kw("sort", "key").type == PROCEDURE


# --------------------------------------------------------------------------------------
# (5) signatures
# --------------------------------------------------------------------------------------
def test_signatures_render() -> None:
    map_async = catalog.lookup("map-async")
    assert map_async is not None
    assert re.fullmatch(r"\(map-async f items \[#:max-concurrent \S+\]\) → list-of-strings",
                        map_async.signature), map_async.signature
    assert catalog.lookup("take").signature == "(take lst pos) → list"  # type: ignore[union-attr]
    assert catalog.lookup("+").signature == "(+ z ...) → number"  # type: ignore[union-attr]
    let = catalog.lookup("let")
    assert let is not None
    assert let.signature.splitlines() == [
        "(let ([id val-expr] ...) body ...+)", "(let proc-id ([id init-expr] ...) body ...+)"]
    assert catalog.lookup("λ") is catalog.lookup("lambda")
    assert catalog.lookup("context").signature == "context"  # type: ignore[union-attr]
    assert catalog.lookup("sort").min_args == 2  # type: ignore[union-attr]
    assert catalog.lookup("random").max_args == 2  # type: ignore[union-attr]
    assert catalog.lookup("format").max_args is None  # type: ignore[union-attr]
    assert catalog.lookup("error").result == NEVER  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------
# (6) fan-out metadata
# --------------------------------------------------------------------------------------
def _fan_out(name: str) -> tuple[FanOut, ...]:
    entry = catalog.lookup(name)
    assert entry is not None
    spreads: tuple[FanOut, ...] = entry.fan_out
    return spreads


def test_fan_out_of_the_combinators() -> None:
    assert _fan_out("map-async") == (
        FanOut(func=0, items=1, concurrent=True, window_keyword="max-concurrent",
               window_default=10, needs_handle=True, cheap_side=True),)
    (parallel,) = _fan_out("parallel")
    assert (parallel.func, parallel.items, parallel.concurrent) == (0, None, True)
    assert parallel.window_keyword == "max-concurrent" and not parallel.needs_handle
    (race,) = _fan_out("race")
    assert (race.func, race.items, race.concurrent, race.needs_handle,
            race.window_keyword) == (0, None, True, True, None)
    (tiered,) = _fan_out("tiered")
    assert (tiered.func, tiered.items, tiered.concurrent, tiered.cheap_side) == (
        0, 2, False, True)
    assert catalog.lookup("tiered").cost == SEQUENTIAL  # type: ignore[union-attr]
    (aggregate,) = _fan_out("fan-out-aggregate")
    assert (aggregate.func, aggregate.items, aggregate.concurrent,
            aggregate.needs_handle) == (0, 2, True, True)
    cheap, expensive = _fan_out("active-learning")
    assert (cheap.func, cheap.items, cheap.cheap_side) == (0, 3, True)
    assert (expensive.func, expensive.items, expensive.cheap_side) == (1, 3, False)
    (fold,) = _fan_out("fold-sequential")
    assert (fold.func, fold.items, fold.concurrent, fold.window_keyword) == (0, 2, False, None)
    for name in ("vote", "ensemble"):
        (spread,) = _fan_out(name)
        assert (spread.items, spread.concurrent, spread.window_keyword,
                spread.window_default) == (None, True, "max-concurrent", None)


def test_sequential_list_procedures() -> None:
    for name, items in (("map", 1), ("for-each", 1), ("filter", 1), ("filter-map", 1),
                        ("append-map", 1), ("foldl", 2), ("foldr", 2)):
        assert _fan_out(name) == (FanOut(func=0, items=items, concurrent=False,
                                         window_keyword=None, window_default=None),), name
        assert catalog.lookup(name).cost == SEQUENTIAL  # type: ignore[union-attr]


@pytest.mark.parametrize("src", [
    "(count < '(1 5) '(2 3))",
    "(filter-map (lambda (x y) (and (< x y) y)) '(1 5) '(2 3))",
    "(append-map list '(1 2) '(a b))",
    "(vector-map + (vector 1) (vector 2))",
    "(append '(1) 2)",
    "(append 3)",
    "(append* '(1) '((2) 3))",
    "(string-append* \"a\" '(\"b\" \"c\"))",
    "(string-append* '(\"b\"))",
    "(call-with-values (lambda () (quotient/remainder 7 2)) list)",
    "(sort '(b a) symbol<?)",
    "(symbol<? 'a)",
])
def test_racket_call_shapes_lint_clean(src: str) -> None:
    """Racket's `lst ...+` and `append`'s non-list tail: no arity (N002) or type (T001)
    report on valid code."""
    from rule_helpers import lint

    text = f"(define r {src})\n(finish (~a r))\n"
    assert [(d.code, d.message) for d in lint(text).diagnostics] == []


def test_several_lists_are_catalogued_like_map() -> None:
    for name in ("map", "for-each", "andmap", "ormap", "filter-map", "append-map", "count"):
        entry = catalog.lookup(name)
        assert entry is not None and entry.max_args is None, name
        assert [p.type for p in entry.params[-2:]] == [LIST, LIST], name


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_fan_out_is_consistent(entry: Entry) -> None:
    assert bool(entry.fan_out) == (entry.cost in (FAN_OUT, SEQUENTIAL))
    if entry.fan_out:
        assert (entry.cost == FAN_OUT) == any(f.concurrent for f in entry.fan_out)
    for spread in entry.fan_out:
        func = entry.params[spread.func]
        if spread.items is None:
            assert func.type == LIST  # a list of thunks
        else:
            assert func.type == PROCEDURE
            assert entry.params[spread.items].type == LIST
        if spread.window_keyword is None:
            assert spread.window_default is None
        else:
            keyword = entry.keyword(spread.window_keyword)
            assert keyword is not None
            assert keyword.default == spread.window_default


# --------------------------------------------------------------------------------------
# (7) uniqueness, and a cheap import
# --------------------------------------------------------------------------------------
def test_no_duplicate_names() -> None:
    names = [n for e in ENTRIES for n in (e.name, *e.aliases)]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates
    assert len(catalog.entries()) == len(names)


def test_catalog_data_imports_only_the_catalogue() -> None:
    import recipe.runtime.lang.catalog_data as data

    assert data.__file__ is not None
    tree = ast.parse(Path(data.__file__).read_text(encoding="utf-8"))
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    sources = {(node.module, node.level) for node in imports if isinstance(node, ast.ImportFrom)}
    assert not [node for node in imports if isinstance(node, ast.Import)]
    assert sources == {("__future__", 0), ("catalog", 1)}
