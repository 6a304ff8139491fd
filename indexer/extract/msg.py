"""Outlook mails (.msg): subject, sender, recipients, date and body as one document, like .eml.

A .msg is an OLE2 compound file of MAPI properties; it is read with ``extract-msg`` (a
maintained, pure-Python reader on top of ``olefile``; nothing else on PyPI reads .msg
without Outlook).  It runs in the bounded reader worker like every reader.  The body is
the plain-text body, or the HTML body converted to text when there is none.  The
attachments' names are listed at the end of the text, and ``msg_attachments`` gives their
bytes for intake to file each as its own document; an attached .msg is written out as a
.msg of its own.

A file named .msg whose OLE2 directory holds no MAPI property streams (an old .doc renamed)
is refused as not a readable Outlook mail.
"""

from __future__ import annotations

import struct
from pathlib import Path

from dangan.indexer.extract.common import MSG, Extraction, corrupt
from dangan.indexer.extract.mail import html_to_text

_ADVICE = "save the mail again from Outlook (File → Save As, Outlook Message Format)"
_KIND = "Outlook mail (.msg)"
# What a damaged .msg raises from extract-msg and olefile.
_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    struct.error,
    UnicodeError,
    NotImplementedError,
)
_MAPI_STREAM = "__substg1.0_".encode("utf-16-le")


def is_msg(data: bytes) -> bool:
    """Whether an OLE2 file's bytes hold MAPI property streams (an Outlook item)."""
    return _MAPI_STREAM in data


def _open(path: Path):
    import extract_msg
    from extract_msg.exceptions import ExMsgBaseException

    if not is_msg(path.read_bytes()):
        raise corrupt(path, _KIND, _ADVICE)
    try:
        return extract_msg.openMsg(str(path), delayAttachments=False)
    except _ERRORS + (ExMsgBaseException,) as e:
        raise corrupt(path, _KIND, _ADVICE) from e


def read_msg(path: Path, mime: str, ocr: bool) -> Extraction:
    """The mail's headers and body as one page; attachment names listed at the end."""
    from extract_msg.exceptions import ExMsgBaseException

    message = _open(path)
    try:
        with message:
            headers = (("主题", message.subject), ("发件人", message.sender), ("收件人", message.to))
            lines = [f"{label}：{value}" for label, value in headers if value]
            lines += [f"抄送：{message.cc}"] if message.cc else []
            lines += [f"日期：{message.date}"] if message.date else []
            body = _body(message)
            names = [_name(att) or "(unnamed)" for att in message.attachments]
    except _ERRORS + (ExMsgBaseException,) as e:
        raise corrupt(path, _KIND, _ADVICE) from e
    if not lines and not body:
        raise corrupt(path, _KIND, _ADVICE)
    lines.append(body)
    if names:
        lines.append("附件：" + "；".join(names))
    notes = [f"attachments: {', '.join(names)}"] if names else []
    if not body.strip():
        notes.append("mail has no body text")
    return Extraction(
        text="\n".join(line for line in lines if line.strip()),
        pages=1,
        mime_type=MSG,
        method="msg",
        notes=notes,
        page_methods=[{"page": 1, "method": "msg", "why": ""}],
    )


def _body(message) -> str:
    body = message.body
    if isinstance(body, str) and body.strip():
        return body.strip()
    html = message.htmlBody
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    return html_to_text(html) if isinstance(html, str) else ""


def _name(att) -> str:
    return str(att.longFilename or att.shortFilename or att.name or "")


def msg_attachments(path: Path) -> list[tuple[str, str, bytes]]:
    """(name, content type, bytes) of each attachment; an attached mail as a .msg of its own."""
    from extract_msg.enums import AttachmentType
    from extract_msg.exceptions import ExMsgBaseException

    message = _open(path)
    found = []
    try:
        with message:
            for att in message.attachments:
                name, data = _name(att), att.data
                if att.type == AttachmentType.MSG:
                    name = name if name.lower().endswith(".msg") else f"{name or 'mail'}.msg"
                    data = data.exportBytes()
                found.append((name, str(getattr(att, "mimetype", "") or ""), data if isinstance(data, bytes) else b""))
    except _ERRORS + (ExMsgBaseException,) as e:
        raise corrupt(path, _KIND, _ADVICE) from e
    return found
