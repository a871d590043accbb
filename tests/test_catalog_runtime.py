"""The catalogue agrees with the runtime: every built-in, primitive and combinator the
runtime registers is catalogued, with the same positional arity and the same keywords.

The linter (N001 unbound identifier, N002 arity, N003 unknown keyword) reads only the
catalogue, so a name or a parameter missing there is a false report on valid code, and an
extra one lets through a call that fails at run time.
"""

from __future__ import annotations

import pytest
from recipe.runtime.engine.builtins import all_builtins
from recipe.runtime.engine.values import Builtin
from recipe.runtime.lang import catalog

# Names whose catalogue arity deliberately differs from the arity the runtime registers. The
# runtime registers a looser arity and rejects the bad counts in the function body (or
# ignores the extra arguments); the catalogue states the arity the linter should enforce.
KNOWN_ARITY_DIFFERENCES: dict[str, str] = {
    "apply": "`(apply proc v ... lst)` needs the final list: the runtime registers one "
             "argument as the minimum and rejects `(apply f)` in the function body",
    "list*": "`(list* v ... tail)` needs the tail: the runtime registers no minimum and "
             "rejects `(list*)` in the function body",
    "datum->syntax": "the runtime accepts and ignores Racket's optional srcloc/prop/ignored "
                     "arguments; the catalogue (and LANGUAGE.md §7) documents "
                     "`(datum->syntax ctxt v)`",
}

def _runtime() -> dict[str, Builtin]:
    registry: dict[str, Builtin] = all_builtins()
    return registry


def runtime_arity(b: Builtin) -> tuple[int, int | None]:
    """(min, max) positional arguments a call may pass; max None when unbounded."""
    return b.min_args, b.max_args


def _compared(name: str) -> bool:
    entry = catalog.lookup(name)
    return entry is not None and entry.kind != catalog.SPECIAL_FORM


def _both() -> list[str]:
    return sorted(n for n in _runtime() if _compared(n))


# --------------------------------------------------------------------------------------
# (a) every runtime name is catalogued
# --------------------------------------------------------------------------------------
def test_every_runtime_builtin_is_catalogued() -> None:
    missing = sorted(n for n in _runtime() if catalog.lookup(n) is None)
    assert not missing, f"built-ins missing from runtime/lang/catalog_data.py: {missing}"


def test_every_catalogued_procedure_exists_at_run_time() -> None:
    procedures = {n for n, e in catalog.entries().items()
                  if e.kind in (catalog.BUILTIN, catalog.PRIMITIVE, catalog.COMBINATOR)}
    assert sorted(procedures - set(_runtime())) == []


# --------------------------------------------------------------------------------------
# (b) positional arity
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in _both() if n not in KNOWN_ARITY_DIFFERENCES])
def test_arity_matches_the_runtime(name: str) -> None:
    entry = catalog.lookup(name)
    assert entry is not None
    assert (entry.min_args, entry.max_args) == runtime_arity(_runtime()[name]), (
        f"{name}: catalogue arity (min, max) differs from the runtime's")


def test_known_arity_differences_are_still_different() -> None:
    """An entry of KNOWN_ARITY_DIFFERENCES that now agrees must be removed from it."""
    for name in KNOWN_ARITY_DIFFERENCES:
        entry = catalog.lookup(name)
        assert entry is not None and name in _runtime(), name
        assert (entry.min_args, entry.max_args) != runtime_arity(_runtime()[name]), (
            f"{name} now agrees with the runtime: remove it from KNOWN_ARITY_DIFFERENCES")


def test_the_call_site_is_not_an_argument() -> None:
    """`_site` (the call site, passed by keyword) does not count as a positional parameter."""
    assert runtime_arity(_runtime()["finish"]) == (1, 1)
    assert runtime_arity(_runtime()["sleep"]) == (0, 1)
    assert runtime_arity(_runtime()["py-call"]) == (2, None)


# --------------------------------------------------------------------------------------
# (c) keywords
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", _both())
def test_keywords_match_the_runtime(name: str) -> None:
    entry = catalog.lookup(name)
    assert entry is not None
    catalogued = sorted(k.name for k in entry.keywords)
    accepted = sorted(_runtime()[name].keywords)
    assert catalogued == accepted, f"{name}: catalogue keywords differ from the runtime's"
    assert entry.any_keywords == _runtime()[name].rest_keywords, \
        f"{name}: whether any keyword passes through differs from the runtime"


def test_vote_and_ensemble_document_max_concurrent() -> None:
    for name in ("vote", "ensemble"):
        entry = catalog.lookup(name)
        assert entry is not None
        keyword = entry.keyword("max-concurrent")
        assert keyword is not None, name
        assert (keyword.type, keyword.default, keyword.default_text, keyword.minimum) == (
            catalog.INTEGER_OR_FALSE, None, "#f", 1)


def test_every_runtime_special_form_is_resolved_as_one() -> None:
    """The linter resolves each special form the runtime compiles (`do`, every one of
    catalog.FOR_FORMS, …): one it took for a call reported its head and its variables as
    unbound identifiers."""
    from recipe.runtime.engine.evaluator import SPECIAL_FORMS
    from recipe.server.analysis.scopes import SPECIAL_FORM_NAMES

    not_forms = {"else", "=>", "unquote", "unquote-splicing"}  # (parts of other forms)
    unsupported = {"define-syntax", "delay"}  # (`recipe run` refuses them: N001 says so too)
    assert SPECIAL_FORMS - not_forms - unsupported <= SPECIAL_FORM_NAMES
