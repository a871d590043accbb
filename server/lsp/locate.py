"""Finding things at an offset: the atom under the cursor, the enclosing call."""

from __future__ import annotations

from recipe.runtime.lang.syntax import KEYWORD, SYMBOL, Atom, Document, ListNode, Node


def chain_at(document: Document, offset: int) -> list[Node]:
    try:
        return list(document.node_at(offset))
    except Exception:
        return []


def atom_at(document: Document, offset: int) -> tuple[Atom | None, list[Node]]:
    """The atom under (or just before) the cursor, and the chain of forms around it."""
    chain = chain_at(document, offset)
    if chain and isinstance(chain[-1], Atom):
        return chain[-1], chain
    if offset > 0:
        before = chain_at(document, offset - 1)
        if before and isinstance(before[-1], Atom) and before[-1].end == offset:
            return before[-1], before
    return None, chain


def symbol_at(document: Document, offset: int) -> Atom | None:
    atom, _ = atom_at(document, offset)
    if atom is not None and atom.kind == SYMBOL:
        return atom
    return None


def enclosing_list(chain: list[Node], offset: int) -> ListNode | None:
    """The innermost list whose inside contains ``offset`` (after its opener)."""
    for node in reversed(chain):
        if isinstance(node, ListNode) and not node.is_vector and node.start < offset and (
                offset < node.end or not node.closed):
            return node
    return None


def parent_of(chain: list[Node], node: Node) -> ListNode | None:
    for i, n in enumerate(chain):
        if n is node and i > 0 and isinstance(chain[i - 1], ListNode):
            return chain[i - 1]  # type: ignore[return-value]
    return None


def keyword_before(lst: ListNode, node: Node) -> str | None:
    """The keyword name whose value ``node`` is, in a call's item list."""
    items = lst.items
    for i, item in enumerate(items):
        if item is node and i > 0:
            prev = items[i - 1]
            if isinstance(prev, Atom) and prev.kind == KEYWORD:
                return str(prev.text[2:])
    return None


def argument_index(lst: ListNode, offset: int) -> tuple[int, str | None]:
    """(positional argument index, keyword being filled or None) at ``offset`` inside a call."""
    items = lst.items[1:]
    index = 0
    i = 0
    pending_kw: str | None = None
    while i < len(items):
        item = items[i]
        if item.start >= offset:
            break
        if isinstance(item, Atom) and item.kind == KEYWORD:
            if item.end >= offset:  # typing the keyword itself
                return index, item.text[2:]
            if i + 1 < len(items) and items[i + 1].start < offset:
                if items[i + 1].end >= offset:
                    return index, item.text[2:]
                i += 2
                continue
            pending_kw = item.text[2:]
            i += 1
            continue
        if item.end >= offset:
            return index, None
        index += 1
        i += 1
    if pending_kw is not None:
        return index, pending_kw
    return index, None
