"""The incremental linter (server/analysis/incremental.py) gives exactly what a whole-file lint
gives, after any sequence of edits, while re-linting only the forms an edit can affect."""

from __future__ import annotations

import gc
import random
import re
from pathlib import Path
from typing import Any

import pytest
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read, reread
from recipe.runtime.lang.syntax import STRING, Atom, Document
from recipe.server.analysis import incremental
from recipe.server.analysis.context import Analysis
from recipe.server.analysis.diagnostics import Diagnostic
from recipe.server.analysis.incremental import PATCH_MIN_FORMS, IncrementalLinter
from recipe.server.analysis.lint import lint_document
from recipe.server.analysis.scopes import resolve

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*.recipe") if p.is_file())

UNIT = '''; Summarise chunk {i}.
(define (summarise-{i} doc)
  (llm-query-async #:instruction "Summarise this part in one sentence."
                   #:data doc #:model "gpt-4.1-nano" #:max-tokens 100))
(define parts-{i} (map-async summarise-{i} (list "a" "b" "c") #:max-concurrent 5))
(define joined-{i} (string-join parts-{i} "\\n"))
'''


def units(count: int) -> str:
    return "".join(UNIT.format(i=i) for i in range(count)) + "(finish joined-0)\n"


def as_tuples(diagnostics: list[Diagnostic]) -> list[tuple[Any, ...]]:
    return [(d.code, d.message, d.start, d.end, d.severity, d.fix, list(d.related))
            for d in diagnostics]


def whole(text: str, config: Config) -> list[tuple[Any, ...]]:
    return as_tuples(lint_document(read(text), config, "t.recipe").diagnostics)


class Editor:
    """A document edited as the server does (in place inside strings, else reread()),
    linted incrementally after each edit."""

    def __init__(self, text: str, config: Config | None = None) -> None:
        self.config = config or Config()
        self.text = text
        self.document: Document = read(text)
        self.linter = IncrementalLinter(self.config, "t.recipe")
        self.linter.lint(self.document)

    def edit(self, start: int, end: int, new: str) -> list[tuple[Any, ...]]:
        self.text = self.text[:start] + new + self.text[end:]
        self.document = self.document.edit_string(start, end, new) \
            or reread(self.document, start, end, new)
        return as_tuples(self.linter.lint(self.document).diagnostics)

    def insert(self, anchor: str, new: str, after: bool = True) -> list[tuple[Any, ...]]:
        at = self.text.index(anchor) + (len(anchor) if after else 0)
        return self.edit(at, at, new)


SOURCES = [pytest.param(path.read_text(), id=path.stem) for path in EXAMPLES] + [
    pytest.param(units(6), id="units")]


@pytest.mark.parametrize("text", SOURCES)
@pytest.mark.parametrize("max_cost", [None, 0.0001])
def test_random_edits_equal_a_whole_file_lint(text: str, max_cost: float | None) -> None:
    config = Config()
    config.max_cost = max_cost
    rng = random.Random(f"{len(text)}-{max_cost}")
    words = [*sorted(set(re.findall(r"[a-z][a-z0-9\-!?*]+", text)))[:80], "finish", "finish-var", "define", "py-exec", '"gpt-4.1"', "#:model", "lambda", "(define (f x) x)", "\n(define q 1)\n", "(define define 1)", "\n(finish q)", "; noqa"]
    editor = Editor(text, config)
    for _ in range(12):
        n = len(editor.text)
        roll = rng.random()
        start = rng.randint(0, n)
        if roll < 0.4:
            end, new = start, rng.choice(["(", ")", '"', " ", "\n", "x", ";", "]", "#", "'", *words])
        elif roll < 0.8:
            end, new = min(n, start + rng.randint(1, 12)), ""
        else:
            end, new = min(n, start + rng.randint(0, 30)), rng.choice(words)
        assert editor.edit(start, end, new) == whole(editor.text, config), editor.text


def test_typing_in_one_unit_relints_that_unit_only() -> None:
    editor = Editor(units(40))
    spot = editor.text.index("Summarise this part", len(editor.text) // 2) + 3
    editor.edit(spot, spot, "x")
    assert editor.linter.relinted_forms == 3  # the unit's three forms, of 121
    assert len(editor.document.forms) == 121


def test_typing_a_name_no_form_binds_keeps_the_links() -> None:
    editor = Editor(units(40))
    spot = editor.text.index("#:max-tokens 100", len(editor.text) // 2) + len("#:max-tokens 100")
    assert editor.edit(spot, spot, "x") == whole(editor.text, editor.config)  # a typo: `100x`
    assert not editor.linter.relinked and editor.linter.relinted_forms == 3
    spot = editor.text.index("#:data doc", spot - 200) + len("#:data ")
    assert editor.edit(spot, spot + 3, "parts-3") == whole(editor.text, editor.config)
    assert editor.linter.relinked  # now mentions another unit's name: the two units link
    assert editor.edit(spot, spot + 7, "docs") == whole(editor.text, editor.config)
    assert editor.linter.relinked


def test_a_new_top_level_name_updates_a_suggestion_in_an_unlinked_form() -> None:
    editor = Editor("(define (f x) (summarize x))\n(define y 2)\n(finish (f y))\n")
    assert "did you mean" not in str(editor.edit(0, 0, ""))
    found = editor.insert("(define y 2)\n", "(define summarise 1)\n")
    assert found == whole(editor.text, editor.config)
    assert any("did you mean `summarise`" in d[1] for d in found)


def test_a_quoted_line_number_follows_an_inserted_line() -> None:
    editor = Editor("(define (two a b) (+ a b))\n(define z (two 1))\n(finish z)\n")
    assert any("defined at 1:" in d[1] for d in editor.edit(0, 0, ""))
    found = editor.edit(0, 0, "; a comment line\n")
    assert found == whole(editor.text, editor.config)
    assert any("defined at 2:" in d[1] for d in found)


def test_appending_a_form_moves_the_last_form_rules() -> None:
    editor = Editor("(define a 1)\n(define b (+ a 1))\n")
    before = editor.edit(0, 0, "")
    assert any(d[0] == "F001" for d in before)
    after = editor.edit(len(editor.text), len(editor.text), "(finish b)\n")
    assert after == whole(editor.text, editor.config)
    assert not any(d[0] == "F001" for d in after)


def test_shadowing_a_special_form_lints_the_file_as_one() -> None:
    editor = Editor("(define (g) (define h 1) h)\n(finish (g))\n")
    found = editor.insert("(finish (g))\n", "(define (define x) x)\n")
    assert found == whole(editor.text, editor.config)
    assert editor.linter.relinted_forms == 3


def test_without_commit_the_cache_is_not_updated() -> None:
    editor = Editor(units(3))
    spot = editor.text.index("Summarise", editor.text.index("chunk 1")) + 2
    editor.text = editor.text[:spot] + "x" + editor.text[spot:]
    editor.document = reread(editor.document, spot, spot, "x")
    editor.linter.lint(editor.document, commit=lambda: False)
    editor.linter.lint(editor.document)
    assert editor.linter.relinted_forms == 3  # computed again: the first result was dropped


def test_a_scope_ends_before_a_form_written_right_after_it() -> None:
    # `e` touches the closer of `(define (g ae) ae)`: it must not see the parameter `ae`
    # (whole-file and incremental lints once disagreed on it)
    text = "(define (g ae) ae)e\n(finish (g 1))\n"
    found = Editor(text).edit(0, 0, "")
    assert found == whole(text, Config())
    n001 = [d for d in found if d[0] == "N001"]
    assert n001 and "`ae`" not in n001[0][1]


def connected(count: int) -> str:
    """Units that all feed one synthesis: one part. The last unit asks for JSON without
    saying so (J001) and the units fan out to an expensive model (C001)."""
    body = "".join(UNIT.format(i=i) for i in range(count))
    body = body.replace('#:model "gpt-4.1-nano"', '#:model "gpt-4o"')
    body += ('(define (extract doc)\n  (llm-query-async #:instruction "Pull out the key facts."'
             ' #:data doc #:json #t #:max-tokens 80))\n'
             '(define facts (map-async extract (list "a" "b" "c")))\n')
    joined = " ".join(f"joined-{i}" for i in range(count))
    return body + (f'(finish (string-append {joined} (string-join facts)))\n')


@pytest.mark.parametrize("max_cost", [None, 0.0001])
def test_typing_in_an_instruction_patches_a_connected_part(max_cost: float | None) -> None:
    config = Config()
    config.max_cost = max_cost
    editor = Editor(connected(8), config)
    assert len(editor.document.forms) >= PATCH_MIN_FORMS
    spot = editor.text.index("Summarise this part", editor.text.index("chunk 3")) + 9
    found = editor.edit(spot, spot, " briefly")
    assert editor.linter.patched_parts == 1 and editor.linter.relinted_forms == 0
    assert found == whole(editor.text, config)
    assert {d[0] for d in found} >= ({"C001", "J001"} | ({"C007"} if max_cost else set()))
    # the J001 instruction learns the word: its diagnostic goes, in place
    spot = editor.text.index("Pull out the key facts") + len("Pull out the key facts")
    found = editor.edit(spot, spot, " as json")
    assert editor.linter.patched_parts == 1 and editor.linter.relinted_forms == 0
    assert found == whole(editor.text, config) and "J001" not in {d[0] for d in found}
    # a literal #:data too
    editor.text = editor.text.replace('#:data doc #:json', '#:data "Some notes." #:json')
    editor.document = read(editor.text)
    editor.linter.lint(editor.document)
    spot = editor.text.index("Some notes") + 4
    found = editor.edit(spot, spot, " more")
    assert editor.linter.patched_parts == 1 and editor.linter.relinted_forms == 0
    assert found == whole(editor.text, config)
    # an edit outside an instruction or data: the part's cone is re-checked, not patched
    spot = editor.text.index('"a"') + 1
    found = editor.edit(spot, spot, "z")
    assert editor.linter.patched_parts == 0
    assert editor.linter.relinted_forms + editor.linter.cone_forms > 0
    assert found == whole(editor.text, config)


def test_random_typing_in_strings_of_a_connected_part_equals_a_whole_lint() -> None:
    config = Config()
    config.max_cost = 0.001
    editor = Editor(connected(6), config)
    rng = random.Random(9)
    patched = 0
    for _ in range(150):
        spans = [(n.start, n.end) for n in editor.document.walk()
                 if isinstance(n, Atom) and n.kind == STRING]
        s, e = rng.choice(spans)
        start = rng.randint(s + 1, e - 1) if e - s > 2 else s + 1
        end = min(e - 1, start + rng.choice([0, 0, 1, 4]))
        new = rng.choice(["x", " ", "json", "é", "", "sk-", "𝄞", "Summarise"])
        assert editor.edit(start, end, new) == whole(editor.text, config), (start, end, new)
        patched += editor.linter.patched_parts
    assert patched > 12  # the instructions (the other strings re-lint)


@pytest.mark.parametrize("text", SOURCES)
def test_typing_in_strings_with_every_part_patchable(text: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every part keeps its analysis (not only big ones): typing in any instruction of the
    examples patches it, and the result equals a whole-file lint after every keystroke."""
    monkeypatch.setattr(incremental, "PATCH_MIN_FORMS", 1)
    config = Config()
    config.max_cost = 0.0001
    config.context_size = 3000
    rng = random.Random(len(text))
    editor = Editor(text, config)
    for _ in range(40):
        spans = [(n.start, n.end) for n in editor.document.walk()
                 if isinstance(n, Atom) and n.kind == STRING and n.end - n.start > 2]
        if not spans:
            break
        s, e = rng.choice(spans)
        start = rng.randint(s + 1, e - 1)
        end = min(e - 1, start + rng.choice([0, 0, 1, 5]))
        new = rng.choice(["x", " ", "json", "é", "", "𝄞", "sk-proj-abcdefghijklmnopqrstuvwxyz1234"])
        assert editor.edit(start, end, new) == whole(editor.text, config), (start, end, new)


def test_forms_after_a_finish_inside_a_top_level_begin_are_in_the_finish_group() -> None:
    editor = Editor('(define x 1)\n(begin (finish x) (display "never"))\n(define y 2)\n'
                    '(define z (list 1 2))\n')
    for anchor, new in (("(list 1 2)", " 3"), ("(define y 2)", "\n(define w 4)"),
                        ("(display", "x")):
        assert editor.insert(anchor, new) == whole(editor.text, editor.config)
        assert any(d[0] == "F002" for d in whole(editor.text, editor.config))


@pytest.mark.parametrize("max_cost", [None, 0.0001])
def test_a_code_edit_in_a_connected_part_rechecks_its_cone_only(max_cost: float | None) -> None:
    config = Config()
    config.max_cost = max_cost
    editor = Editor(connected(12), config)
    forms = len(editor.document.forms)
    assert forms >= incremental.CONE_MIN_FORMS
    spot = editor.text.index("#:max-tokens 100", editor.text.index("chunk 5")) + len("#:max-tokens 100")
    # a digit (1000), a typo making it a symbol (100x00: N001, T001), the typo removed
    for start, end, new in ((spot, spot, "0"), (spot, spot, "x"), (spot, spot + 1, "")):
        found = editor.edit(start, end, new)
        assert found == whole(editor.text, config)
        linter = editor.linter
        # the unit's three forms and the synthesis that reads it, of 40: not the part
        assert linter.relinted_forms == 0 and 0 < linter.cone_forms <= 5
        # every form but the edited one and the one using its function kept its resolution,
        # and the fan-outs and calls outside the cone their figures
        assert linter._resolutions.reused == forms - 2 and linter._resolutions.spliced
        analysis = linter._results[0].analysis
        assert analysis is not None and linter._results[0].forms == editor.document.forms
        assert analysis.facts.kept_sites >= 10 and analysis.estimates.kept_calls >= 10
        assert analysis.estimates.same_calls >= 10  # the very objects: nothing moved


def estimate_figures(analysis: Any) -> list[tuple[Any, ...]]:
    return [(e.node.start, e.tokens_in, e.input_basis, e.multiplicity)
            for e in analysis.estimates.calls]


def test_a_set_that_comes_or_goes_reaches_every_reader_of_the_name() -> None:
    # `X` read as the data of twelve calls: from the context while nothing set!s it, of
    # unknown size once a form does. The edit changes no link (the form mentioned X before).
    calls = "".join(
        f'(define (f{i} d) (llm-query #:instruction "Say." #:data X #:model "gpt-4.1"'
        f' #:max-tokens 10))\n(define r{i} (f{i} "a"))\n' for i in range(12))
    editor = Editor(f'(define X (get-context))\n{calls}(define y (begin (display X) 1))\n'
                    '(finish (string-append r0 r1))\n')
    for old, new in (("(display X)", '(set! X (string-append X "!"))'),
                     ('(set! X (string-append X "!"))', '(set! X (string-append X "?"))'),
                     ('(set! X (string-append X "?"))', "(display X)")):
        at = editor.text.index(old)
        assert editor.edit(at, at + len(old), new) == whole(editor.text, editor.config)
        analysis = editor.linter._results[0].analysis
        assert analysis is not None
        assert estimate_figures(analysis) == estimate_figures(
            Analysis(read(editor.text), editor.config, "t.recipe"))


def test_an_edit_through_the_cone_leaves_no_cyclic_garbage() -> None:
    # The server keeps the collector off while it lints and frozen between keystrokes: an
    # analysis dropped in a reference cycle would stay in memory until the user pauses.
    editor = Editor(connected(30))
    spot = editor.text.index("#:max-tokens 100", editor.text.index("chunk 5")) + len("#:max-tokens 100")
    editor.edit(spot, spot, "0")
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for new, (start, end) in (("1", (spot, spot)), ("", (spot, spot + 1))) * 3:
            editor.edit(start, end, new)
            assert editor.linter.cone_forms > 0
        unreachable = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert unreachable < 100 * 6  # (a dropped analysis of this part: thousands)


def resolution_picture(scopes: Any) -> dict[str, Any]:
    """A resolution without object identities: what every list, table and binding holds,
    by source offsets."""
    def binding(b: Any) -> Any:
        return None if b is None else (b.name, b.kind, b.atom.start if b.atom else None)
    atoms = {id(n): n for form in scopes.document.forms for n in form.walk()}

    def table(t: dict[int, Any], value: Any) -> Any:
        return len(t), sorted((atoms[k].start, value(v)) for k, v in t.items() if k in atoms)
    return {
        "calls": [(c.node.start, c.head.text, binding(c.binding), c.entry and c.entry.name)
                  for c in scopes.calls],
        "bindings": [(binding(b), b.scope.start, b.scope.end, [a.start for a in b.refs],
                      b.assigned) for b in scopes.bindings],
        "resolved": table(scopes.resolved, binding),
        "builtins": table(scopes.builtin_refs, lambda e: e.name),
        "function_of": table(scopes.function_of, binding),
        "unbound": [a.start for a in scopes.unbound],
        "assignments": [(n.start, a.start, binding(b)) for n, a, b in scopes.assignments],
        "lambdas": [node.start for node in scopes.lambdas],
        "scopes": [(sc.start, sc.end, sc.parent and sc.parent.start, sorted(sc.bindings))
                   for sc in scopes.scopes],
        "by_name": {name: [c.node.start for c in calls]
                    for name, calls in sorted(scopes.calls_by_name.items())},
        "marks": (scopes.form_marks, scopes.root_marks),
    }


@pytest.mark.parametrize("text", [*SOURCES[::3], pytest.param(connected(20), id="connected")])
def test_a_spliced_resolution_equals_a_whole_one(text: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # every part through the cone, so that each code edit resolves by splicing when it can
    monkeypatch.setattr(incremental, "CONE_MIN_FORMS", 1)
    monkeypatch.setattr(incremental, "CONE_MAX_SHARE", 1.0)
    rng = random.Random(len(text))
    snippets = ["x", "1", " (f x)", " (let ([z 1]) z)", " (lambda (q) q)", " 'a", ' "s"']
    editor = Editor(text)
    spliced = 0
    for _ in range(40):
        atoms = [n for n in editor.document.walk() if isinstance(n, Atom)]
        at = rng.choice(atoms).end
        assert editor.edit(at, at, rng.choice(snippets)) == whole(editor.text, editor.config)
        if not editor.linter._resolutions.spliced:
            continue
        spliced += 1
        for result in editor.linter._results:
            analysis = result.analysis
            if analysis is not None and "scopes" in analysis.__dict__:
                assert resolution_picture(analysis.scopes) == \
                    resolution_picture(resolve(analysis.document))
                # (the parent map, made from the last analysis's: the same as built anew)
                document = analysis.document
                assert document.parents == document.subset(document.forms).parents
    assert spliced >= 5


# Found by an offline fuzz (every part through the cone): a form read again after an edit
# that also moved forms between parts; one part's last resolution held shares another
# part's resolution had taken since, and splicing it kept a binding of the old tree.
_MOVED_BETWEEN_PARTS = (
    '#lang recipe\n'
    '(define result\n'
    '  (with-handlers ([exn:fail? (lambda (e) (string-append "error: " (exn-message e)))])\n'
    '    (let ([r (syntax-e (llm-query #:instruction "Answer." #:data context #:model "gpt-4.1-mini" #:max-tokens 100))])\n'
    '      (when (string=? r "") (error \'answer "empty"))\n'
    '      r)))\n'
    '\n'
    '(define (gen q) (syntax-e (llm-query #:instruction "Write a Python expression." #:data q #:model "gpt-4.1" #:max-tokens 100)))\n'
    '(define expr (gen context))\n'
    '\n'
    '(define items (let ([x 1)) (list x)))\n'
    '\n'
    '(define big-model "gpt-4o")\n'
    '(define outs (map-async (lambda (d) (llm-query-async #:instruction "Summarise." #:data d #:model big-model #:max-tokens 200))\n'
    '                        (string-split context "\\n")))\n'
    '\n'
    '#lang recipe\n'
    '(define (f a [b 1] #:k [k 2] . rest) (list a b k rest))\n'
    '(define (g a #:must m) (list a m))\n'
    '(define x1 (f 1 2 3 4 5))\n'
    "(define x2 (apply f '(1 2)))\n"
    '(define x3 (g 1 #:must 2))\n'
    '(define x4 (g 1))\n'
    '(define x5 (f))\n'
    '\n'
    '(finish 1)\n'
    ''
)
_MOVED_EDITS = [(103, 103, '('), (408, 408, 'x'), (385, 385, '1'), (467, 467, '('), (905, 905, ' (set! item (get-context))'), (107, 107, ' (await h)'), (548, 548, ')'), (223, 223, ' '), (546, 546, ' '), (416, 416, '('), (150, 150, 'x'), (114, 114, '('), (807, 807, ' '), (414, 414, ')'), (150, 150, ' '), (630, 631, ''), (45, 309, ''), (250, 250, ' '), (21, 27, ''), (611, 611, '('), (52, 52, ')'), (29, 29, ' '), (492, 492, ')')]


def test_a_resolution_whose_shares_another_part_took_is_not_spliced(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(incremental, "PATCH_MIN_FORMS", 1)
    monkeypatch.setattr(incremental, "CONE_MIN_FORMS", 1)
    monkeypatch.setattr(incremental, "CONE_MAX_SHARE", 1.0)
    editor = Editor(_MOVED_BETWEEN_PARTS)
    for start, end, new in _MOVED_EDITS:
        assert editor.edit(start, end, new) == whole(editor.text, editor.config)


def test_a_define_inside_an_expression_is_not_seen_by_the_forms_before_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # `(define (if q) q)` inside the second form binds `if` at top level once that form is
    # resolved: the first form, resolved before it, still reads `(if …)` as the special form
    # (a resolution spliced from the last one would find the binding already there).
    monkeypatch.setattr(incremental, "CONE_MIN_FORMS", 1)
    monkeypatch.setattr(incremental, "CONE_MAX_SHARE", 1.0)
    editor = Editor('(define z 0)\n(define a (if (string? "x") 1 2))\n'
                    '(define b (begin (define (if q) q) 3))\n(display (list z a b))\n')
    at = editor.text.index("string?") + len("string")
    for new in ("x", "y"):
        assert editor.edit(at, at, new) == whole(editor.text, editor.config)


def _linked(body: str, count: int = 18) -> str:
    """``body`` among ``count`` definitions that all feed the final form: one part, big
    enough to be re-checked through its cone."""
    fill = "".join(f'(define pad-{i} (string-append "p" "{i}"))\n' for i in range(count))
    pads = " ".join(f"pad-{i}" for i in range(count))
    return f"{fill}{body}(finish (list {pads} done))\n"


def test_a_use_added_in_another_form_reaches_the_other_uses_of_the_name() -> None:
    # X003 at `(py-exec code)` depends on the other uses of `code`: a validation added in a
    # third form (whose links stay the same) clears it, removed brings it back.
    editor = Editor(_linked(
        '(define (valid-python? s) (> (string-length s) 3))\n'
        '(define raw (syntax-e (llm-query #:instruction "Write Python." #:data "x")))\n'
        '(define code raw)\n'
        '(define checked (list (valid-python? "zz") (string-length code)))\n'
        '(define done (py-exec code))\n'))
    assert "X003" in {d[0] for d in whole(editor.text, editor.config)}
    before, after = '(valid-python? "zz") (string-length code)', \
        '(valid-python? code) (string-length "zz")'
    for old, new in ((before, after), (after, before), (before, after)):
        at = editor.text.index(old)
        found = editor.edit(at, at + len(old), new)
        assert found == whole(editor.text, editor.config)
        assert editor.linter.cone_forms > 0
        assert ("X003" in {d[0] for d in found}) == (new == before)


SYNTHESIS_UNIT = '''(define (summarise-{i} doc)
  (llm-query-async #:instruction "Summarise." #:data doc #:model "gpt-4.1-nano"
                   #:max-tokens 100))
(define parts-{i} (map-async summarise-{i} (list "a" "b" "c") #:max-concurrent 5))
(define joined-{i} (string-join parts-{i} "\\n"))
'''


def synthesis(count: int, model: str = "gpt-4.1-nano") -> str:
    body = "".join(SYNTHESIS_UNIT.format(i=i) for i in range(count))
    joined = " ".join(f"joined-{i}" for i in range(count))
    return body + (f'(define answer (syntax-e (llm-query #:instruction "Combine."'
                   f' #:data (string-append {joined}) #:model "{model}")))\n(finish answer)\n')


@pytest.mark.parametrize("max_cost", [None, 0.0001])
def test_a_reader_whose_result_looks_the_same_stops_the_cone(max_cost: float | None) -> None:
    # Each keystroke in a unit's call re-checks the unit's function and fan-out only: what
    # the joined result looks like from outside (its kind, where its text comes from…) is
    # as before, so neither it nor the synthesis reading every unit is checked again.
    config = Config()
    config.max_cost = max_cost
    editor = Editor(synthesis(12), config)
    spot = editor.text.index("#:max-tokens 100", editor.text.index("summarise-5")) \
        + len("#:max-tokens 100")
    cones = []
    for start, end, new in ((spot, spot, "0"), (spot, spot, "x"), (spot, spot + 1, ""),
                            (spot, spot + 1, "")):
        assert editor.edit(start, end, new) == whole(editor.text, config)
        assert editor.linter.relinted_forms == 0
        cones.append(editor.linter.cone_forms)
    # the first keystroke there knows nothing to compare with: the synthesis too
    assert cones[0] >= 5 and cones[1:] == [2, 2, 2]
    analysis = editor.linter._results[0].analysis
    assert analysis is not None and analysis.estimates.same_calls >= 12
    # typing in a prompt meanwhile (a patch) keeps what the next code edit compares with
    prompt = editor.text.index("Summarise.", editor.text.index("summarise-2")) + 3
    assert editor.edit(prompt, prompt, "x") == whole(editor.text, config)
    assert editor.linter.patched_parts == 1
    spot += 1
    assert editor.edit(spot, spot, "0") == whole(editor.text, config)
    assert editor.linter.cone_forms == 2


@pytest.mark.parametrize("tail", [
    # C003 says how many fan-out results a cheap synthesis combines: the size of a unit's
    # list, two forms up the chain from the synthesis (docs → parts → joined), through a
    # joined result whose other facts stay the same
    pytest.param('(define brief (syntax-e (llm-query #:instruction "Brief." #:data joined-0'
                 ' #:model "gpt-4.1-nano")))', id="through-a-name"),
    # the synthesis reads its data from Python, which a form reading the chain sets: C003
    # follows `(py-eval "v")` to `(py-set! "v" joined-0)` (a Python-bridge form among the
    # readers reaches every other)
    pytest.param('(define pushed (begin (py-set! "v" joined-0) 1))\n'
                 '(define brief (syntax-e (llm-query #:instruction "Brief." #:data (py-eval "v")'
                 ' #:model "gpt-4.1-nano")))', id="through-python"),
])
def test_a_reader_whose_result_changed_passes_the_edit_on(tail: str) -> None:
    text = synthesis(8).replace('(list "a" "b" "c")', "docs-0", 1).replace(
        "(finish answer)", tail + "\n(finish (string-append answer brief))")
    editor = Editor('(define docs-0 (list "a" "b" "c"))\n' + text)
    spot = editor.text.index('"c")') + 3
    for item, size in ((' "d"', 4), (' "e"', 5), (' "f"', 6)):
        found = editor.edit(spot, spot, item)
        spot += len(item)
        assert found == whole(editor.text, editor.config)
        c003 = [d for d in found if d[0] == "C003"]
        assert c003 and f"synthesises {size} fan-out results" in c003[0][1]
        assert editor.linter.relinted_forms == 0 and editor.linter.cone_forms > 0


def _chain(count: int, first: str, step: str) -> list[str]:
    return [f"(define x0 {first})"] + [
        f"(define x{k} {step.format(p=f'x{k - 1}')})" for k in range(1, count + 1)]


_SUMMARISE = ('(define (summ d) (llm-query-async #:instruction "Summarise." #:data d'
              ' #:max-tokens 50))')
_DEEP_CHAINS = [
    # (what ends the chain, its length, the chain, the last form, the edit at x5): one more
    # level in the middle of a chain as long as a search goes (C003 follows 12 levels,
    # X003 30, what comes from the context 60) moves its source out of reach
    pytest.param([_SUMMARISE, *_chain(12, '(map-async summ (list "a" "b" "c"))', "(syntax-e {p})"),
                  '(define answer (syntax-e (llm-query #:instruction "Combine." #:data x12'
                  ' #:model "gpt-4.1-nano")))'], "(syntax-e x4)", "(syntax-e (syntax-e x4))",
                 id="C003"),
    pytest.param([*_chain(14, '(syntax-e (llm-query #:instruction "Write Python."'
                                 ' #:data "task"))', "(syntax-e {p})"),
                  "(define out (py-exec x14))"], "(syntax-e x4)", "(syntax-e (syntax-e x4))",
                 id="X003"),
    pytest.param([*_chain(29, "context", '(string-append {p} "!")'),
                  '(define out (llm-query #:instruction "Go." #:data (string-append x29 "?")'
                  ' #:model "gpt-4.1-nano"))'], 'x4 "!")', '(string-append x4 "") "!")',
                 id="context"),
]


@pytest.mark.parametrize(("lines", "old", "new"), _DEEP_CHAINS)
def test_a_search_that_stops_at_a_depth_is_compared_from_every_depth(
        lines: list[str], old: str, new: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by a fuzz of long chains: the form after the edit found the same source as
    # before (the cutoff stopped there), but the forms further on, starting their search
    # that many levels deeper, found it no more (or now found it).
    monkeypatch.setattr(incremental, "CONE_MIN_FORMS", 1)
    monkeypatch.setattr(incremental, "CONE_MAX_SHARE", 1.0)
    config = Config()
    config.max_cost = 0.0001
    config.context_size = 3000
    editor = Editor("\n".join(lines) + "\n", config)
    form = editor.text.index("(define x5 ")
    for edit_old, edit_new in (("(define", "( define"), (old, new), (new, old)):
        at = editor.text.index(edit_old, form)
        assert editor.edit(at, at + len(edit_old), edit_new) == whole(editor.text, config)
