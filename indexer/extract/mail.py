"""E-mails (.eml): subject, sender, recipients, date and body as one document.

Read with the standard library's ``email`` package (policy ``default``).  The body is the
first text/plain part, or the first text/html part converted to text when there is no plain
one.  Attachments are not read with the mail: their names are listed at the end of its text
so that a search for an attachment's name finds the mail, and ``eml_attachments`` gives
them to ``dangan.indexer.extract.attached``, which writes them out (in the bounded reader worker) for intake to file each as its own document linked
to the mail.  A mail is text, so its size limit is the file's: a part's transfer encoding
(base64, quoted-printable) never decodes to more bytes than it takes, and nothing is
unpacked beyond it.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from dangan.indexer.extract.common import Extraction, corrupt

_ADVICE = "save the mail again from the mail program (File → Save as .eml)"
_HEADERS = (("Subject", "主题"), ("From", "发件人"), ("To", "收件人"), ("Cc", "抄送"), ("Date", "日期"))


def read_eml(path: Path, mime: str, ocr: bool) -> Extraction:
    """The mail's headers and body as one page; attachment names listed at the end."""
    try:
        message = _parse(path)
        lines = [f"{label}：{message[name]}" for name, label in _HEADERS if message[name]]
        body = _body(message)
        attachments = [part.get_filename() or "(unnamed)" for part in message.iter_attachments()]
    except (ValueError, LookupError, TypeError, AttributeError, IndexError) as e:
        raise corrupt(path, "e-mail (.eml)", _ADVICE) from e
    if not lines and not body:
        raise corrupt(path, "e-mail (.eml)", _ADVICE)
    lines.append(body)
    if attachments:
        lines.append("附件：" + "；".join(attachments))
    text = "\n".join(line for line in lines if line.strip())
    notes = [f"attachments: {', '.join(attachments)}"] if attachments else []
    if not body.strip():
        notes.append("mail has no body text")
    return Extraction(
        text=text,
        pages=1,
        mime_type=mime,
        method="eml",
        notes=notes,
        page_methods=[{"page": 1, "method": "eml", "why": ""}],
    )


def _parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def eml_attachments(path: Path) -> list[tuple[str, str, bytes]]:
    """(name as the sender wrote it, content type, bytes) of each attachment, in order."""
    try:
        return [
            (part.get_filename() or "", part.get_content_type(), _payload(part))
            for part in _parse(path).iter_attachments()
        ]
    except (ValueError, LookupError, TypeError, AttributeError, IndexError) as e:
        raise corrupt(path, "e-mail (.eml)", _ADVICE) from e


def _payload(part: EmailMessage) -> bytes:
    """The attachment's bytes: decoded, or (an attached mail) as the mail's own bytes."""
    if part.get_content_maintype() == "message":
        inner = part.get_payload(0) if part.is_multipart() else part.get_payload()
        return inner.as_bytes() if hasattr(inner, "as_bytes") else str(inner).encode("utf-8", "replace")
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_subtype() == "html" else content.strip()


class _Text(HTMLParser):
    """Collects the visible text of an HTML body, one line per block element."""

    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag):
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML fragment, blocks on their own lines, blank lines dropped."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
