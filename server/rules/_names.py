"""Shared by the N rules: suggestions for misspelt names and keywords."""

from __future__ import annotations

from functools import lru_cache

from recipe.runtime.lang import catalog
from recipe.runtime.lang.names import closest, edit_distance
from recipe.runtime.lang.syntax import Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.scopes import Call


@lru_cache(maxsize=4096)
def _closest_catalogue_name(name: str) -> str | None:
    return closest(name, catalog.names())


def suggest_name(ctx: RuleContext, atom: Atom) -> str | None:
    """The nearest name in scope (bindings first, then the catalogue), when close enough —
    never for a one-character name (every other one-character name is as close: `i` → `*`)."""
    if len(atom.text) < 2:
        return None
    scope = ctx.scopes.scope_at(atom.start)
    local = closest(atom.text, ctx.scopes.visible_names(scope))
    known = _closest_catalogue_name(atom.text)
    if local is None or known is None:
        return local or known
    # both are plausible: the nearer wins, a binding on a tie
    return known if edit_distance(atom.text, known) < edit_distance(atom.text, local) else local


def known_keywords(call: Call) -> list[str] | None:
    """The keywords a call accepts, or None when it cannot be known."""
    if call.entry is not None:
        if call.entry.kind == catalog.SPECIAL_FORM or call.entry.any_keywords:
            return None
        return [kw.name for kw in call.entry.keywords]
    if call.binding is not None and call.binding.signature is not None:
        return list(call.binding.signature.keywords)
    return None
