"""A mail's attachments written out for intake, .eml and .msg alike.

Runs in the bounded reader worker (``dangan.indexer.extract.mail_attachments``): parsing a
hostile mail again is reading, and reading is stopped at the time and memory limits.  The
files are named ``1``, ``2``… in the mail's order; their own names are returned as the
sender wrote them (hostile: ``../../x``, 300 characters), for intake to make safe.
"""

from __future__ import annotations

from pathlib import Path

from dangan.indexer.extract.common import EML
from dangan.indexer.extract.mail import eml_attachments
from dangan.indexer.extract.msg import msg_attachments

# More than this many attachments in one mail is not a mail a person wrote: the rest stay
# inside the stored mail, and intake says how many were not filed.
MAX_ATTACHMENTS = 100


def save_attachments(path: Path, mime: str, folder: Path) -> dict:
    """Write the attachments of the mail at ``path`` (EML or MSG) into ``folder``;
    ``{"files": [{"file", "name", "type"}], "more": N}`` (N: attachments past the limit).

    A part that cannot be decoded is written as it stands, so its own reading refuses it.
    """
    found = eml_attachments(path) if mime == EML else msg_attachments(path)
    files = []
    for n, (name, kind, data) in enumerate(found[:MAX_ATTACHMENTS], 1):
        (folder / str(n)).write_bytes(data)
        files.append({"file": str(n), "name": name, "type": kind})
    return {"files": files, "more": max(0, len(found) - MAX_ATTACHMENTS)}
