"""The committed editor grammars carry the catalogue's current names.

editors/vscode/scripts/gen_grammar.py writes the special-form / primitive / combinator /
builtin / variable alternations of the TextMate grammar and the `syn keyword` lines of the
Vim syntax from recipe.runtime.lang.catalog; --check says whether the files are stale.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from editors_support import REPO

SCRIPT = REPO / "editors" / "vscode" / "scripts" / "gen_grammar.py"
GRAMMAR = REPO / "editors" / "vscode" / "syntaxes" / "recipe.tmLanguage.json"


def test_committed_grammars_are_up_to_date():
    p = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr + "\nregenerate with: python editors/vscode/scripts/gen_grammar.py"


def test_every_catalogue_name_has_a_scope():
    from recipe.runtime.lang import catalog

    rules = json.loads(GRAMMAR.read_text())["repository"]
    scope_of = {"special-form": "special-forms", "primitive": "primitives",
                "combinator": "combinators", "builtin": "builtins",
                "parameter": "variables", "variable": "variables"}
    for name, entry in catalog.entries().items():
        rule = rules[scope_of[entry.kind]]["match"]
        assert re.search(rule.replace("(?<=^|", "(?:^|"), f"({name} x)"), (name, entry.kind)
