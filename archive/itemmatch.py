"""Finding the checklist item a person means: a code, a title, part of a title or an alias.

``--item C14``, ``--item 施工日志、大事记``, ``--item 施工日志`` and ``--item 大事记`` all name C14;
Traditional characters and full-width letters are folded first (施工日誌, Ｃ14).  A word that
fits several items is refused with the candidates, and a word that fits none gets a
"did you mean" from the closest titles, never a guess.
"""

from __future__ import annotations

import difflib

from dangan.archive.checklist import Checklist, Item
from dangan.indexer.errors import UnknownItemError
from dangan.indexer.text import fold


def resolve_item(checklist: Checklist, key: str, *, owner: str) -> Item:
    """The one item ``key`` names on ``checklist``; ``owner`` ("project BJ-1") is for messages."""
    k = fold((key or "").strip())
    if not k:
        raise UnknownItemError("{owner}: give a checklist item (code or title), e.g. C07", owner=owner)
    exact = [i for i in checklist.items if fold(i.code) == k or fold(i.title) == k]
    if exact:
        return exact[0]
    partial = [i for i in checklist.items if _mentions(i, k)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(f"{i.code} {i.title}" for i in partial)
        raise UnknownItemError(
            "{owner}: '{key}' fits several checklist items ({names}); give the code", owner=owner, key=key, names=names
        )
    codes = ", ".join(i.code for i in checklist.items)
    close = _close(checklist, k)
    if close:
        raise UnknownItemError("{owner} has no checklist item '{key}'; did you mean {close}? items: {codes}",
                               owner=owner, key=key, close=f"{close.code} {close.title}", codes=codes)  # fmt: skip
    raise UnknownItemError("{owner} has no checklist item '{key}'; items: {codes}", owner=owner, key=key, codes=codes)


def _mentions(item: Item, k: str) -> bool:
    """``k`` is part of the item's title or one of its words (aliases, title parts)."""
    if k in fold(item.title):
        return True
    return any(k in fold(w) or (len(k) >= 2 and fold(w) in k) for w in item.keywords)


def _close(checklist: Checklist, k: str) -> Item | None:
    """The item whose title or word is nearest to ``k`` (a typo, a dropped character), if any."""
    by_text = {fold(w): i for i in checklist.items for w in (i.title, *i.keywords)}
    close = difflib.get_close_matches(k, list(by_text), n=1, cutoff=0.5)
    return by_text[close[0]] if close else None
