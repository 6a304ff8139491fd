"""Named points in crash-sensitive code, where tests make the process die or the disk fill up.

The code calls ``point("name")`` at each moment a ``kill -9`` or a full disk must leave a
state the next start repairs.  Nothing happens unless a test has set ``hook`` (a function of
the point's name that may kill the process or raise ``OSError(ENOSPC)``); production code
never sets it.  The names are listed here so a test cannot aim at a point that is not there.
"""

from __future__ import annotations

from typing import Callable

POINTS = (
    "handover-part-written",  # the package is complete in its .part folder, not yet renamed
    "move-linked",  # a document's file is at its new place and its old one, before the catalog commit
    "move-unlinked",  # the old name is gone, the catalog not yet committed
    "change-committed",  # the catalog holds the change, the index not yet
    "vault-copy",  # a staged copy is being written into the vault
)

hook: Callable[[str], None] | None = None


def point(name: str) -> None:
    """Give a test the chance to kill the process or fail the disk here."""
    assert name in POINTS, name
    if hook is not None:
        hook(name)
