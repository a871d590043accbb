"""Shared by the N rules: suggestions for misspelt names and keywords."""

from __future__ import annotations

from recipe.runtime.lang import catalog
from recipe.runtime.lang.names import closest
from recipe.runtime.lang.syntax import Atom
from recipe.server.analysis.context import RuleContext
from recipe.server.analysis.scopes import Call


def visible_names(ctx: RuleContext, offset: int) -> list[str]:
    """Names a reference at ``offset`` could mean: bindings in scope, then the catalogue."""
    scope = ctx.scopes.scope_at(offset)
    names = [b.name for b in scope.visible()]
    names.extend(e for e in catalog.names() if catalog.lookup(e) is not None)
    return names


def suggest_name(ctx: RuleContext, atom: Atom) -> str | None:
    return closest(atom.text, visible_names(ctx, atom.start))


def known_keywords(call: Call) -> list[str] | None:
    """The keywords a call accepts, or None when it cannot be known."""
    if call.entry is not None:
        if call.entry.kind == catalog.SPECIAL_FORM:
            return None
        return [kw.name for kw in call.entry.keywords]
    if call.binding is not None and call.binding.signature is not None:
        return list(call.binding.signature.keywords)
    return None
