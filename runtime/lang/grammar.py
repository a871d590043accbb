"""The grammar: ``grammar.peg`` compiled by parsimonious, and the token table the reader uses.

``grammar.peg`` is the single source of syntax. The reader does not walk parsimonious'
parse tree (node creation would cost 10× the scan), it scans with the grammar's own token
regexes joined into one alternation, in the grammar's priority order. The table is cached
in ``_scanner.json`` with the grammar's hash, so that ``recipe lint`` does not pay the
~60 ms of importing and compiling parsimonious at every start; when the grammar changes,
the cache is stale and the table is rebuilt from parsimonious (and the test suite fails
until the cache is regenerated with ``python -m recipe.runtime.lang.grammar``).
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import Any

GRAMMAR_FILE = "grammar.peg"
CACHE_FILE = "_scanner.json"

# Rules the scanner matches with hand-written code instead of a regex: block comments nest,
# which a regular expression cannot count (and parsimonious' recursion would overflow).
NESTED_RULES = {"block_comment": r"#\|"}


_HERE = os.path.dirname(os.path.abspath(__file__))


def grammar_text() -> str:
    with open(os.path.join(_HERE, GRAMMAR_FILE), encoding="utf-8") as handle:
        return handle.read()


def grammar_hash(text: str) -> str:
    import hashlib  # only when the cache is (re)built or checked by tests

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def parsimonious_grammar() -> Any:
    """The grammar compiled by parsimonious (imports parsimonious: only when needed)."""
    from parsimonious.grammar import Grammar

    return Grammar(grammar_text())


def build_token_table() -> list[tuple[str, str]]:
    """(rule name, regex) for each alternative of ``token``, in priority order."""
    from parsimonious.expressions import Regex

    grammar = parsimonious_grammar()
    table: list[tuple[str, str]] = []
    for member in grammar["token"].members:
        if member.name in NESTED_RULES:
            table.append((member.name, NESTED_RULES[member.name]))
        elif isinstance(member, Regex):
            table.append((member.name, member.re.pattern))
        else:
            raise ValueError(f"token rule {member.name!r} must be a regex or a nested rule")
    return table


def write_cache() -> None:
    """Regenerate ``_scanner.json`` next to the grammar (a development step)."""
    text = grammar_text()
    data = {"grammar_sha256": grammar_hash(text), "grammar": text, "tokens": build_token_table()}
    # realpath: in an editable install this module is a link into the source tree.
    path = os.path.join(os.path.dirname(os.path.realpath(__file__)), CACHE_FILE)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=1) + "\n")


@cache
def token_table() -> list[tuple[str, str]]:
    """The scanner's token table, from the cache when it matches the grammar."""
    text = grammar_text()
    try:
        with open(os.path.join(_HERE, CACHE_FILE), encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("grammar") == text:  # the cache was built from this very grammar
            return [(str(name), str(pattern)) for name, pattern in data["tokens"]]
    except (OSError, ValueError, KeyError):
        pass
    return build_token_table()


@cache
def scanner() -> re.Pattern[str]:
    """One compiled alternation of every token rule; ``match.lastgroup`` names the rule."""
    return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in token_table()))


if __name__ == "__main__":
    write_cache()
    print(f"wrote {CACHE_FILE}")
