"""The language server runs the cyclic garbage collector when the user pauses, not between
keystrokes (server.py: ``_lint_job`` freezes what a lint keeps, ``_collect_when_idle``)."""

from __future__ import annotations

import asyncio
import gc
import time

from recipe.runtime.lang.config import Config
from recipe.server.lsp import server as lsp_server
from recipe.server.lsp.state import DocState


def test_collects_only_after_a_pause() -> None:
    ls = lsp_server.server

    async def scenario() -> None:
        st = DocState("untitled:a.recipe", 1, '(define x 1)\n(finish x)\n', Config())
        ls.docs[st.uri] = st
        try:
            before = ls.collections
            st.last_change = time.monotonic()  # just edited: not now
            ls._collect_when_idle()
            assert ls.collections == before and ls.idle_collect is not None
            ls.idle_collect.cancel()
            st.last_change = time.monotonic() - 2 * lsp_server.IDLE_COLLECT_AFTER
            ls._collect_when_idle()  # a pause: collect, and freeze what survives
            assert ls.collections == before + 1 and gc.get_freeze_count() > 0
        finally:
            ls.docs.pop(st.uri, None)
            gc.unfreeze()

    asyncio.run(scenario())
