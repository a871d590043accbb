"""``recipe lint``, ``recipe cost``, ``recipe rule`` and ``recipe fmt``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from recipe.runtime.lang.config import Config, ConfigError, load_config
from recipe.runtime.lang.reader import read
from recipe.runtime.lang.syntax import Document, SyntaxIssue

from .analysis.diagnostics import SEVERITY_RANK
from .analysis.lint import fix_text, lint_document, unknown_selectors
from .cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from .report import (
    FileReport,
    Located,
    file_report,
    render_github,
    render_json,
    render_sarif,
    render_text,
)
from .rules import all_rules, known_selector, rule_by_code

_SKIP_DIRS = {".git", ".hg", ".svn", ".recipe", "node_modules", "__pycache__", ".venv", "venv",
              ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


class InputError(Exception):
    """A file that cannot be read: reported as ``path: reason``, exit code 2."""


def find_recipes(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files to lint (directories searched for *.recipe), and the problems found."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_walk(path))
            if not found:
                print(f"recipe: no *.recipe files in {raw}", file=sys.stderr)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{raw}: no such file or directory")
    return files, problems


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in names:
            if name.endswith(".recipe"):
                yield Path(folder) / name


def read_text(path: Path) -> str:
    """The file's text; InputError with the byte and offset when it is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        raise InputError(f"{path}: not UTF-8 text (byte 0x{byte:02x} at offset {exc.start})") from None


def validate_codes(codes: list[str] | None, option: str) -> None:
    if not codes:
        return
    for code in codes:
        if not known_selector(code):
            raise UsageError(f"{option}: unknown rule code or prefix `{code}` "
                             "(see `recipe rule --all`)")


class _Configs:
    """Configuration per folder (nearest pyproject.toml / recipe.toml), or one explicit file."""

    def __init__(self, explicit: str | None) -> None:
        self.explicit = Path(explicit) if explicit else None
        self.cache: dict[Path, Config] = {}

    def for_file(self, path: Path) -> Config:
        if self.explicit is not None:
            key = Path("<explicit>")
            if key not in self.cache:
                self.cache[key] = _checked(load_config(explicit=self.explicit), self.explicit)
            return self.cache[key]
        folder = path.parent.resolve()
        if folder not in self.cache:
            self.cache[folder] = _checked(load_config(folder), folder)
        return self.cache[folder]


def _checked(config: Config, where: Path) -> Config:
    """``config``, when each of its rule selectors matches a rule (ruff refuses the others)."""
    unknown = unknown_selectors(config)
    if unknown:
        raise ConfigError(f"configuration for {where}: {unknown[0]}")
    return config


def _context_tokens(path: str | None) -> int | None:
    if path is None:
        return None
    from recipe.runtime.lang.tokens import count_tokens

    try:
        return count_tokens(read_text(Path(path)))
    except InputError as exc:
        raise UsageError(f"--context {exc}") from None


class _FileOutcome(NamedTuple):
    """What linting one file produced (picklable: workers send it back)."""

    report: FileReport | None
    problems: list[str]
    fixed: int
    internal: list[str]


class _LintJob:
    """Everything needed to lint one file, in this process or a worker."""

    def __init__(self, args: argparse.Namespace, context_tokens: int | None) -> None:
        self.select = args.select
        self.ignore = args.ignore
        self.fix = args.fix
        self.unsafe = args.unsafe_fixes
        self.context_tokens = context_tokens
        self.configs = _Configs(args.config)

    def __call__(self, path: Path) -> _FileOutcome:
        try:
            return self._lint(path)
        except (RecursionError, MemoryError) as exc:  # never a traceback, whatever the input
            return _FileOutcome(None, [f"{path}: cannot lint: {type(exc).__name__}"], 0, [])

    def _lint(self, path: Path) -> _FileOutcome:
        try:
            text = read_text(path)
            config = self.configs.for_file(path)
        except (InputError, ConfigError) as exc:
            return _FileOutcome(None, [str(exc)], 0, [])
        display = _display_path(path)
        fixed = 0
        if self.fix:
            new_text, count = fix_text(text, config, display, self.select, self.ignore,
                                       unsafe=self.unsafe)
            if count and new_text != text:
                try:
                    path.write_text(new_text, encoding="utf-8")
                except OSError as exc:
                    return _FileOutcome(None, [f"{path}: cannot write fixes: {exc.strerror or exc}"],
                                        0, [])
                text = new_text
                fixed = count
        document = read(text)
        result = lint_document(document, config, display, self.select, self.ignore,
                               self.context_tokens)
        internal = [f"{display}: internal error in rule {e}" for e in result.internal_errors]
        return _FileOutcome(file_report(display, document, result.diagnostics), [], fixed, internal)


# Below this much work, starting worker processes costs more than it saves.
_PARALLEL_MIN_FILES = 8
_PARALLEL_MIN_BYTES = 200_000


def _run_jobs(job: _LintJob, files: list[Path]) -> list[_FileOutcome]:
    """Lint files, on every core when there are enough of them (like ruff); results keep the
    order of ``files``."""
    workers = min(os.cpu_count() or 1, 8)
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    if workers < 2 or len(files) < _PARALLEL_MIN_FILES or total < _PARALLEL_MIN_BYTES:
        return [job(path) for path in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = multiprocessing.get_context("fork")  # workers inherit the loaded modules
    except ValueError:  # no fork on this platform
        return [job(path) for path in files]
    chunk = max(1, len(files) // (workers * 8))
    global _JOB
    _JOB = job
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(_run_one, files, chunksize=chunk))


_JOB: _LintJob | None = None


def _run_one(path: Path) -> _FileOutcome:
    assert _JOB is not None  # set before the fork
    return _JOB(path)


def lint_main(args: argparse.Namespace) -> int:
    validate_codes(args.select, "--select")
    validate_codes(args.ignore, "--ignore")
    files, problems = find_recipes(args.paths)
    job = _LintJob(args, _context_tokens(args.context))
    reports: list[FileReport] = []
    fixed_total = 0
    internal: list[str] = []
    for outcome in _run_jobs(job, files):
        problems.extend(outcome.problems)
        internal.extend(outcome.internal)
        fixed_total += outcome.fixed
        if outcome.report is not None:
            reports.append(outcome.report)

    render = {"text": render_text, "json": render_json, "sarif": render_sarif,
              "github": render_github}[args.format]
    output = render(reports)
    if output:
        print(output)
    for message in problems:
        print(message, file=sys.stderr)
    for message in internal:
        print(f"recipe: {message} (please report this bug)", file=sys.stderr)
    diagnostics = [d for r in reports for d in r.diagnostics]
    if args.format == "text":
        # an input that could not be read was not checked: no "All checks passed!"
        _print_summary(diagnostics, fixed_total, args.fix, complete=not problems)
    threshold = SEVERITY_RANK[args.fail_on]
    if problems:
        return EXIT_USAGE
    if any(SEVERITY_RANK.get(d.severity, 1) >= threshold for d in diagnostics):
        return EXIT_FINDINGS
    return EXIT_OK


def _print_summary(diagnostics: list[Located], fixed: int, fixing: bool,
                   complete: bool = True) -> None:
    if fixed:
        print(f"Fixed {fixed} problem{'s' if fixed != 1 else ''}.")
    if not diagnostics:
        if not fixed and complete:
            print("All checks passed!")
        return
    count = len(diagnostics)
    print(f"Found {count} problem{'s' if count != 1 else ''}.")
    safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.safe)
    unsafe = sum(1 for d in diagnostics if d.fix is not None and not d.fix.safe)
    if safe and not fixing:
        print(f"[*] {safe} fixable with the `--fix` option.")
    if unsafe:
        print(f"({unsafe} more fixable with `--fix --unsafe-fixes`.)")


def _syntax_error(display: str, document: Document, issue: SyntaxIssue) -> str:
    """``file:line:col: CODE message`` of a syntax error (for the commands that refuse a
    file that has one)."""
    line, col = document.position(issue.start)
    return f"{display}:{line + 1}:{col + 1}: {issue.code} {issue.message}"


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def cost_main(args: argparse.Namespace) -> int:
    from .analysis.context import Analysis
    from .cost import cost_rows, render_cost_json, render_cost_text

    path = Path(args.file)
    try:
        text = read_text(path)
        config = _Configs(args.config).for_file(path)
    except (InputError, ConfigError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError:
        print(f"{args.file}: no such file or directory", file=sys.stderr)
        return EXIT_USAGE
    display = _display_path(path)
    document = read(text)
    if document.errors:
        # (what a recipe that cannot run would cost is no figure to show: `recipe run` and
        # `recipe fmt` refuse it too)
        for issue in document.errors:
            print(_syntax_error(display, document, issue), file=sys.stderr)
        print(f"{display}: no estimate: fix the syntax error{'s' if len(document.errors) > 1 else ''} "
              "first", file=sys.stderr)
        return EXIT_USAGE
    analysis = Analysis(document, config, display, _context_tokens(args.context))
    render = render_cost_json if args.format == "json" else render_cost_text
    sys.stdout.write(render(cost_rows(analysis), filename=display))
    return EXIT_OK


def rule_main(args: argparse.Namespace) -> int:
    rules = rule_by_code()
    if args.all:
        if args.format == "markdown":
            print(rules_markdown())
        else:
            for rule in all_rules():
                print(f"{rule.code:6} {rule.severity:8} {rule.name:40} {rule.summary}")
        return EXIT_OK
    if not args.code:
        raise UsageError("give a rule code (e.g. `recipe rule C001`) or --all")
    found = rules.get(args.code.upper())
    if found is None:
        raise UsageError(f"unknown rule `{args.code}` (see `recipe rule --all`)")
    print(f"# {found.code} {found.name} ({found.severity})\n")
    print(found.doc.strip())
    return EXIT_OK


def rules_markdown() -> str:
    """The rule table of the README, generated from the rule docs."""
    lines = ["| code | name | severity | what it reports |", "|---|---|---|---|"]
    for rule in all_rules():
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| {rule.code} | {rule.name} | {rule.severity} | {summary} |")
    return "\n".join(lines)


def fmt_main(args: argparse.Namespace) -> int:
    from .format import format_text

    files, problems = find_recipes(args.paths)
    changed = 0
    refused = 0
    for path in files:
        try:
            text = read_text(path)
        except InputError as exc:
            problems.append(str(exc))
            refused += 1
            continue
        document = read(text)
        if document.errors:
            problems.append(_syntax_error(str(path), document, document.errors[0])
                            + " (not formatted: fix the syntax error first)")
            refused += 1
            continue
        new_text = format_text(text)
        if new_text == text:
            continue
        changed += 1
        if args.check:
            print(f"Would reformat: {path}")
        else:
            try:
                path.write_text(new_text, encoding="utf-8")
            except OSError as exc:
                problems.append(f"{path}: cannot write: {exc.strerror or exc}")
    for message in problems:
        print(message, file=sys.stderr)
    verb = "would be reformatted" if args.check else "reformatted"
    unchanged = len(files) - changed - refused
    if files or not problems:  # nothing could be read: the error alone says it
        summary = f"{changed} file{'s' if changed != 1 else ''} {verb}, {unchanged} left unchanged"
        if refused:
            summary += f", {refused} not formatted (see above)"
        print(summary, file=sys.stderr)
    if problems:
        return EXIT_USAGE
    return EXIT_FINDINGS if args.check and changed else EXIT_OK
