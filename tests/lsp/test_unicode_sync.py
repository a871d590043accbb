"""Incremental edits on lines with non-ASCII text (λ, é, emoji, CJK), in each position
encoding a client can negotiate: after every edit the server's diagnostics equal a fresh
lint of the client's text, and its log has no warning or traceback."""

from __future__ import annotations

import random
import re

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from recipe.runtime.lang.config import Config
from recipe.runtime.lang.reader import read
from recipe.server.analysis.lint import lint_document

from .helpers import (
    ServerLog,
    capabilities,
    change,
    close_doc,
    config,
    diagnostics_for,
    open_doc,
    record_server_log,
    track_versions,
)

# None: the client offers no encoding (the LSP default, UTF-16, which pygls then reports as
# PositionEncodingKind.Utf16 rather than the string "utf-16": the case that went wrong).
ENCODINGS = [None, "utf-16", "utf-8", "utf-32"]

TEXT = """(define f (λ (x) x))
(define café "é à ü")
(define s "😀 smile 🎉")
(define 名前 "日本語のテキスト")
(finish (string-append (f s) café 名前))
"""

SNIPPETS = ["y", "λ", "é", "😀", "名", " ", "x)", "(", '"', "🎉z", "\n", "ab", ""]


@pytest_lsp.fixture(scope="module", config=config(), params=ENCODINGS)  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient, request):  # type: ignore[no-untyped-def, untyped-decorator]
    track_versions(lsp_client)
    record_server_log(lsp_client)
    caps = capabilities()
    if request.param is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=[request.param])
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=caps))
    encoding = request.param or "utf-16"
    assert result.capabilities.position_encoding in (encoding, None)
    lsp_client._recipe_encoding = encoding  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def position(text: str, offset: int, encoding: str) -> tuple[int, int]:
    """The LSP position of an offset: lines end at \r\n, \r or \n (the spec's words)."""
    ends = [m.end() for m in re.finditer("\r\n|\r|\n", text) if m.end() <= offset]
    start = ends[-1] if ends else 0
    return len(ends), units(text[start:offset], encoding)


def expected(text: str, encoding: str) -> list[tuple[str, tuple[int, int], tuple[int, int], str]]:
    result = lint_document(read(text), Config(), "x.recipe")
    return sorted((d.code, position(text, d.start, encoding), position(text, d.end, encoding),
                   d.message) for d in result.diagnostics)


def got(diags: list[types.Diagnostic]) -> list[tuple[str, tuple[int, int], tuple[int, int], str]]:
    return sorted((str(d.code), (d.range.start.line, d.range.start.character),
                   (d.range.end.line, d.range.end.character), d.message)
                  for d in diags if d.source == "recipe")


class Editor:
    """The client's copy of a document: edits by code-point offsets, sent as ranges in the
    negotiated encoding."""

    def __init__(self, client: LanguageClient, uri: str, text: str) -> None:
        self.client = client
        self.uri = uri
        self.text = text
        self.version = 1
        self.encoding: str = client._recipe_encoding  # type: ignore[attr-defined]
        open_doc(client, uri, text)

    def edit(self, start: int, end: int, new_text: str) -> None:
        self.version += 1
        change(self.client, self.uri, self.version, position(self.text, start, self.encoding),
               position(self.text, end, self.encoding), new_text)
        self.text = self.text[:start] + new_text + self.text[end:]

    async def check(self) -> None:
        diags = await diagnostics_for(self.client, self.uri, self.version)
        assert got(diags) == expected(self.text, self.encoding), self.text


async def assert_in_sync(client: LanguageClient) -> None:
    log = await record_server_log(client).sync(client)
    assert "out of sync" not in log
    assert "Traceback" not in log


@pytest.mark.asyncio(loop_scope="module")
async def test_insert_after_a_lambda(client: LanguageClient) -> None:
    """The probe: one character typed after `λ` on the first line."""
    text = "(define f (λ (x) x))\n"
    editor = Editor(client, "untitled:lambda.recipe", text)
    await editor.check()
    at = text.index("x)")  # line 0, character 14 in every encoding but UTF-8
    editor.edit(at, at, "y")
    assert editor.text == "(define f (λ (yx) x))\n"
    await editor.check()
    await assert_in_sync(client)
    close_doc(client, editor.uri)


@pytest.mark.asyncio(loop_scope="module")
async def test_two_edits_on_a_line_with_an_emoji(client: LanguageClient) -> None:
    """An emoji (2 UTF-16 units, 4 UTF-8 bytes), then two changes after it on that line."""
    text = '(define s "😀 hi")\n(finish s)\n'
    editor = Editor(client, "untitled:emoji.recipe", text)
    await editor.check()
    at = text.index(" hi")
    editor.edit(at, at, "a")
    await editor.check()
    editor.edit(at + 1, at + 1, "b")
    await editor.check()
    assert editor.text == '(define s "😀ab hi")\n(finish s)\n'
    at = editor.text.index('")')
    editor.edit(at, at + 2, "\")  ; é 名")  # replace across the emoji's line end
    await editor.check()
    await assert_in_sync(client)
    close_doc(client, editor.uri)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("seed", range(4))
async def test_random_edits_on_non_ascii_lines(client: LanguageClient, seed: int) -> None:
    rng = random.Random(seed)
    editor = Editor(client, f"untitled:random-{seed}.recipe", TEXT)
    await editor.check()
    for _ in range(12):
        text = editor.text
        # edit somewhere on a line that has non-ASCII characters, at code-point boundaries
        lines = [i for i, line in enumerate(text.split("\n")) if not line.isascii()] or [0]
        line = rng.choice(lines)
        start_of_line = sum(len(x) + 1 for x in text.split("\n")[:line])
        length = len(text.split("\n")[line])
        start = start_of_line + rng.randint(0, length)
        end = min(start + rng.choice([0, 0, 1, 2, 3]), start_of_line + length + 1, len(text))
        editor.edit(start, end, rng.choice(SNIPPETS))
        await editor.check()
    await assert_in_sync(client)
    close_doc(client, editor.uri)


@pytest.mark.asyncio(loop_scope="module")
async def test_sync_marker_sees_the_log(client: LanguageClient) -> None:
    """The log capture itself: what the server logs is seen by the next sync."""
    log: ServerLog = record_server_log(client)
    await log.sync(client)
    text = await log.sync(client)
    assert text.count(ServerLog.MARKER) == 1


# Line breaks as LSP counts them (\n, \r\n, \r), characters Python's str.splitlines breaks on but
# LSP does not (U+2028, form feed, \x85), and positions past a line's end (clamped to it, as
# LSP says): cases a probe with a real client found going wrong when pygls kept a copy.
EDGE_CASES = [
    ('(define x "a\u2028b")\n(define y (string-append x "c"))\n(display y)\n(finish y)\n',
     (3, 8), (3, 9), "q", '(define x "a\u2028b")\n(define y (string-append x "c"))\n'
     '(display y)\n(finish q)\n'),
    ('(define x "a")\n\x0c\n(define y (string-append x "c"))\n(finish y)\n',
     (2, 10), (2, 10), "zz", '(define x "a")\n\x0c\n(define y zz(string-append x "c"))\n'
     '(finish y)\n'),
    ('(define x "a\x85b")\n(display x)\n(finish x)\n', (1, 9), (1, 9), "q",
     '(define x "a\x85b")\n(display qx)\n(finish x)\n'),
    ('(define x "a")\n(define y (string-append x "c"))\n(finish y)', (2, 50), (2, 50), " ; ok",
     '(define x "a")\n(define y (string-append x "c"))\n(finish y) ; ok'),
    ('(define x "a")\n(define y (string-append x "c"))\n(finish y)', (0, 15), (0, 15), " zz",
     '(define x "a") zz\n(define y (string-append x "c"))\n(finish y)'),
    ('(define x "a")\r\n(finish x)\r\n', (0, 15), (0, 15), " zz",
     '(define x "a") zz\r\n(finish x)\r\n'),
    # a lone \r ends a line too (old Mac files); a \n typed after one joins them into one break
    ('(define x "a")\r(define y (string-append x "c"))\r(finish y)\r', (1, 10), (1, 10), "zz",
     '(define x "a")\r(define y zz(string-append x "c"))\r(finish y)\r'),
    ('(define x "a")\r(display x)\r(finish q)\r', (1, 0), (1, 0), "\n",
     '(define x "a")\r\n(display x)\r(finish q)\r'),
]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", range(len(EDGE_CASES)))
async def test_line_breaks_and_positions_past_a_line_end(client: LanguageClient, case: int) -> None:
    before, start, end, new_text, after = EDGE_CASES[case]
    encoding: str = client._recipe_encoding  # type: ignore[attr-defined]
    uri = f"untitled:edge-{case}.recipe"
    open_doc(client, uri, before)
    await diagnostics_for(client, uri, 1)
    change(client, uri, 2, start, end, new_text)
    published = got(await diagnostics_for(client, uri, 2))
    assert published == expected(after, encoding), after
    await assert_in_sync(client)
    close_doc(client, uri)
