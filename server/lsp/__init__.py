"""The recipe language server (``recipe serve``); the only package that imports pygls and
lsprotocol."""

from __future__ import annotations

import logging
import sys


def main(tcp: str | None = None) -> int:
    """Serve the LSP over stdio, or over TCP at ``HOST:PORT`` (for debugging)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="recipe-lsp %(levelname)s %(name)s: %(message)s")
    from .server import server

    if tcp:
        host, _, port = tcp.rpartition(":")
        try:
            port_number = int(port)
        except ValueError:
            print(f"recipe serve: --tcp expects HOST:PORT, not {tcp!r}", file=sys.stderr)
            return 2
        server.start_tcp(host or "127.0.0.1", port_number)
        return 0
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Anything printed by mistake (a recipe's display, a library) must not corrupt the protocol.
    sys.stdout = sys.stderr
    server.start_io(stdin, stdout)
    return 0
