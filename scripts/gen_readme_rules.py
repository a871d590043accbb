"""Regenerate the rule table in README.md from the rule modules' docs."""

from __future__ import annotations

import re
from pathlib import Path

from recipe.server.lint_cli import rules_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
MARKERS = re.compile(r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)", re.S)


def render(text: str) -> str:
    return MARKERS.sub(lambda m: m.group(1) + rules_markdown() + "\n" + m.group(2), text)


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
    print("README.md rule table regenerated")
