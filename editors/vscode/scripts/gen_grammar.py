#!/usr/bin/env python3
"""Write the catalogue's names into the editor grammars.

    python editors/vscode/scripts/gen_grammar.py           # rewrite the files
    python editors/vscode/scripts/gen_grammar.py --check   # exit 1 when they are stale

Reads ``recipe.runtime.lang.catalog.entries()`` and rewrites
  * editors/vscode/syntaxes/recipe.tmLanguage.json: the ``match`` of the repository rules
    special-forms, primitives, combinators, builtins and variables (the rest of the grammar
    is maintained by hand);
  * editors/nvim/syntax/recipe.vim: the ``syn keyword`` lines between the GENERATED markers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EDITORS = HERE.parent.parent
GRAMMAR = EDITORS / "vscode" / "syntaxes" / "recipe.tmLanguage.json"
VIM_SYNTAX = EDITORS / "nvim" / "syntax" / "recipe.vim"

# Words with a syntactic role that are not catalogue entries of their own.
EXTRA_SPECIAL = ("else", "=>", "on-error")

# (grammar rule, vim group, catalogue kinds)
GROUPS = (
    ("special-forms", "recipeSpecial", ("special-form",)),
    ("primitives", "recipePrimitive", ("primitive",)),
    ("combinators", "recipeCombinator", ("combinator",)),
    ("builtins", "recipeBuiltin", ("builtin",)),
    ("variables", "recipeVariable", ("parameter", "variable")),
)

BEFORE = r"(?<=^|[\s(\[{'`,])"  # an atom starts after a delimiter
AFTER = r"""(?=[\s()\[\]{}";]|$)"""  # and ends before one
ONIG_SPECIAL = set("\\^$.|?*+()[]{}/#")
VIM_RESERVED = {"contained", "containedin", "contains", "display", "extend", "fold", "keepend",
                "nextgroup", "oneline", "skipempty", "skipnl", "skipwhite", "transparent",
                "conceal", "cchar", "excludenl", "matchgroup"}
BEGIN_MARK = '" BEGIN GENERATED (gen_grammar.py)'
END_MARK = '" END GENERATED'


def catalogue_names() -> dict[str, list[str]]:
    from recipe.runtime.lang import catalog

    by_kind: dict[str, set[str]] = {}
    for name, entry in catalog.entries().items():
        by_kind.setdefault(entry.kind, set()).add(name)
    out: dict[str, list[str]] = {}
    for rule, _group, kinds in GROUPS:
        names: set[str] = set()
        for kind in kinds:
            names |= by_kind.get(kind, set())
        if rule == "special-forms":
            names |= set(EXTRA_SPECIAL)
        out[rule] = sorted(names)
    return out


def onig_escape(name: str) -> str:
    return "".join("\\" + c if c in ONIG_SPECIAL else c for c in name)


def alternation(names: list[str]) -> str:
    # longest first, so that no name is cut short by a prefix of it
    ordered = sorted(names, key=lambda n: (-len(n), n))
    return BEFORE + "(?:" + "|".join(onig_escape(n) for n in ordered) + ")" + AFTER


def render_grammar(names: dict[str, list[str]]) -> str:
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    for rule, _group, _kinds in GROUPS:
        grammar["repository"][rule]["match"] = alternation(names[rule])
    return json.dumps(grammar, indent=2, ensure_ascii=False) + "\n"


def render_vim(names: dict[str, list[str]]) -> str:
    text = VIM_SYNTAX.read_text(encoding="utf-8")
    start = text.index(BEGIN_MARK)
    end = text.index(END_MARK)
    lines = [BEGIN_MARK]
    for rule, group, _kinds in GROUPS:
        words = [n for n in names[rule] if n not in VIM_RESERVED]
        lines.append(f"syn keyword {group} " + " ".join(words))
    return text[:start] + "\n".join(lines) + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    args = ap.parse_args(argv)
    names = catalogue_names()
    stale = []
    for path, new in ((GRAMMAR, render_grammar(names)), (VIM_SYNTAX, render_vim(names))):
        if path.read_text(encoding="utf-8") != new:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in stale:
        verb = "out of date" if args.check else "updated"
        print(f"{path.relative_to(EDITORS.parent)}: {verb}", file=sys.stderr)
    if args.check and stale:
        print("run: python editors/vscode/scripts/gen_grammar.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
