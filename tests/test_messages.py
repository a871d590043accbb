"""Messages quote source text (between backquotes) at most QUOTE_LIMIT characters long."""

from __future__ import annotations

from recipe.runtime.lang.config import Config
from recipe.server.analysis.diagnostics import QUOTE_LIMIT, shorten_quotes
from recipe.server.analysis.lint import lint_text


def test_long_quotes_are_cut_and_the_rest_is_kept() -> None:
    name = "z" * 300
    message = f"unbound identifier `{name}`; did you mean `{name}x`? A sentence of plain words " \
        "that runs on for well over sixty characters between two quotes `a` `b`."
    short = shorten_quotes(message)
    assert short.count("`") == message.count("`")
    assert f"`{'z' * (QUOTE_LIMIT - 1)}…`" in short
    assert "A sentence of plain words that runs on for well over sixty characters" in short
    assert short.endswith("quotes `a` `b`.")
    assert shorten_quotes("plain `short` text") == "plain `short` text"


def test_every_finding_on_a_file_of_huge_names_and_strings_stays_short() -> None:
    long = "z" * 3000
    text = (f"(define {long} 1)\n"
            f'(define r (llm-query #:instruction "{"q" * 3000}" #:data {long}x'
            f' #:model "{"m" * 3000}" #:temperature "{"1" * 3000}"))\n'
            f'(py-exec "{"y" * 3000} = 1")\n(finish-var "{"v" * 3000}")\n')
    diagnostics = lint_text(text, Config()).diagnostics
    assert {d.code for d in diagnostics} >= {"N001", "N008", "J004", "T001", "F005"}
    assert all(len(d.message) < 400 for d in diagnostics), [len(d.message) for d in diagnostics]
