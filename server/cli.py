"""The ``recipe`` command: lint | cost | rule | fmt | run | serve.

Each subcommand imports what it needs when it runs: ``recipe lint`` never imports the
engine, lsprotocol or openai (a test asserts it), so it starts in a few tens of ms.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from recipe.runtime import __version__

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A command-line mistake: printed as ``recipe: error: …`` with exit code 2."""


def _codes_arg(value: str) -> list[str]:
    return [part.strip().upper() for part in value.split(",") if part.strip()]


def build_parser(with_run: bool = True) -> argparse.ArgumentParser:
    """The argument parser; the ``run`` subcommand's options are only loaded when needed
    (they live with the engine, which ``recipe lint`` must not import)."""
    parser = argparse.ArgumentParser(
        prog="recipe",
        description="Lint, estimate, format, run and serve recipes (the recipe DSL).")
    parser.add_argument("--version", action="version", version=f"recipe-tools {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    lint = sub.add_parser("lint", help="report problems in recipes",
                          description="Lint recipes (files, or directories searched for *.recipe).")
    lint.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    lint.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    lint.add_argument("--select", type=_codes_arg, default=None, metavar="CODES",
                      help="codes or prefixes to enable, comma-separated (e.g. S,C001)")
    lint.add_argument("--ignore", type=_codes_arg, default=None, metavar="CODES",
                      help="codes or prefixes to disable, comma-separated (e.g. N008)")
    lint.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    lint.add_argument("--unsafe-fixes", action="store_true",
                      help="with --fix, also apply unsafe fixes (model swaps, map → map-async)")
    lint.add_argument("--fail-on", choices=("error", "warning", "info"), default="warning",
                      help="lowest severity that makes the exit code 1 (default: warning)")
    lint.add_argument("--config", default=None, metavar="FILE",
                      help="a recipe.toml or pyproject.toml to use instead of discovery")
    lint.add_argument("--context", default=None, metavar="PATH",
                      help="a context file whose size sets the input-token estimates")

    cost = sub.add_parser("cost", help="estimate what a recipe will cost",
                          description="Estimate cost and latency per LLM call site.")
    cost.add_argument("file", metavar="FILE")
    cost.add_argument("--context", default=None, metavar="PATH")
    cost.add_argument("--format", choices=("text", "json"), default="text")
    cost.add_argument("--config", default=None, metavar="FILE")

    rule = sub.add_parser("rule", help="explain a lint rule", description="Print a rule's documentation.")
    rule.add_argument("code", nargs="?", metavar="CODE")
    rule.add_argument("--all", action="store_true", help="list every rule")
    rule.add_argument("--format", choices=("text", "markdown"), default="text")

    fmt = sub.add_parser("fmt", help="format recipes", description="Format recipes in place.")
    fmt.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    fmt.add_argument("--check", action="store_true", help="report files that would change; write nothing")

    serve = sub.add_parser("serve", help="start the language server",
                           description="Start the language server (stdio by default).")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    serve.add_argument("--tcp", default=None, metavar="HOST:PORT", help="listen on TCP instead")

    if with_run:
        from recipe.runtime.engine.cli import add_run_parser

        add_run_parser(sub)
    else:
        sub.add_parser("run", help="run a recipe (see `recipe run --help`)", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(with_run=first == "run")
    args = parser.parse_args(argv)
    try:
        if args.command == "lint":
            from .lint_cli import lint_main

            return lint_main(args)
        if args.command == "cost":
            from .lint_cli import cost_main

            return cost_main(args)
        if args.command == "rule":
            from .lint_cli import rule_main

            return rule_main(args)
        if args.command == "fmt":
            from .lint_cli import fmt_main

            return fmt_main(args)
        if args.command == "serve":
            from .lsp import main as serve_main

            return serve_main(args.tcp)
        if args.command == "run":
            from recipe.runtime.engine.cli import run_main

            return run_main(args)
    except UsageError as exc:
        print(f"recipe: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `recipe rule C001 | head`: the reader went away
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    parser.print_help()
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
