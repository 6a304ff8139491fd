"""Outlook .msg mails (issue 31 item 5): read like .eml, attachments filed as their own documents.

The .msg files are written in the test (``tests.formatgen.make_msg``, with extract-msg's OLE
writer); hostile ones (garbled, truncated, an old Word file named .msg) are refused with
their own message while the good files beside them are filed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dangan.archive.intake.ingest import ingest_paths
from dangan.indexer.errors import CorruptFileError
from dangan.indexer.extract import extract, sniff_type
from dangan.indexer.extract.common import MSG
from tests.docgen import make_docx, make_text_pdf
from tests.formatgen import make_msg, to_legacy

CODE = "BJ-2024-017"


def test_msg_is_one_document_with_headers_body_and_attachment_names(tmp_path):
    path = make_msg(tmp_path / "周报.msg", "机房巡检周报", "本周更换UPS电池两组。", attachments={"巡检表.txt": b"x"})
    assert sniff_type(path) == MSG
    result = extract(path)
    assert (result.mime_type, result.method, result.pages) == (MSG, "msg", 1)
    assert result.text.splitlines() == [
        "主题：机房巡检周报",
        "发件人：王工",
        "本周更换UPS电池两组。",
        "附件：巡检表.txt",
    ]
    assert result.notes == ["attachments: 巡检表.txt"]


def _garbled(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "__substg1.0_0037001F".encode("utf-16-le"))
    return path


def _truncated(path: Path) -> Path:
    make_msg(path, "截断", "正文被截断的邮件")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _word_named_msg(path: Path) -> Path:
    (path.parent / "src").mkdir()
    source = make_docx(path.parent / "src" / "记录.docx", ["不是邮件"])
    return to_legacy(source, "doc", path.parent / "old").rename(path)


@pytest.mark.parametrize("make", [_garbled, _truncated, _word_named_msg], ids=["garbled", "truncated", "doc-named-msg"])
def test_a_bad_msg_is_refused_with_its_own_message(tmp_path, make):
    path = make(tmp_path / "坏邮件.msg")
    with pytest.raises(CorruptFileError) as e:
        extract(path)
    assert str(e.value) == (
        f"{path} is not a readable Outlook mail (.msg) file (damaged or incomplete): save the mail again from "
        "Outlook (File → Save As, Outlook Message Format) and drop it again"
    )


def test_a_msg_renamed_doc_is_read_as_the_mail_it_is(tmp_path):
    path = make_msg(tmp_path / "x.msg", "改名的邮件", "冷冻机组年检报告已收到。").rename(tmp_path / "改名.doc")
    result = extract(path)
    assert (result.mime_type, result.method) == (MSG, "msg") and "冷冻机组年检报告" in result.text


def test_msg_and_its_attachments_are_filed_and_found_while_a_bad_msg_fails_beside_them(
    cat, project, home, tmp_path, cli
):
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    pdf = make_text_pdf(tmp_path / "a.pdf", ["接地电阻测试记录 实测零点八欧"]).read_bytes()
    make_msg(
        box / "测试记录.msg",
        "接地电阻测试",
        "测试记录见附件，防雷引下线完好。",
        attachments={"../接地测试.pdf": pdf, "空.txt": b""},
    )
    _garbled(box / "乱码.msg")
    records = ingest_paths(cat, [home.inbox_dir])
    outcomes = {r.path.name: r.outcome for r in records}
    assert outcomes["乱码.msg"] == "failed"
    mail = next(r for r in records if r.path.name == "测试记录.msg")
    attachment = next(r for r in records if r.attachment_name == "接地测试.pdf")
    empty = next(r for r in records if r.attachment_name == "空.txt")
    assert mail.outcome in ("filed", "review") and attachment.outcome in ("filed", "review")
    assert empty.outcome == "failed" and "(attachment 空.txt)" in empty.message and "empty" in empty.message
    for word, doc in [("防雷引下线", mail.doc_id), ("零点八欧", attachment.doc_id)]:
        assert [h["id"] for h in json.loads(cli("search", word, "--json").output)] == [doc]
    shown = json.loads(cli("show", str(attachment.doc_id), "--json").output)
    assert [m["id"] for m in shown["from_mail"]] == [mail.doc_id]
    assert "text read from: the Outlook mail's headers and body" in cli("show", str(mail.doc_id)).output


def test_a_msg_becomes_volume_pdf_pages(tmp_path):
    import io

    from pypdf import PdfReader

    from dangan.archive.volumes.pdf.convert import document_pdf
    from dangan.archive.volumes.pdf.fonts import register_font

    path = make_msg(tmp_path / "通知.msg", "停电通知", "周六配电室检修停电。", attachments={"a.pdf": b"%PDF-1.4"})
    data = document_pdf(path, MSG, register_font(), "document 4")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "周六配电室检修停电" in text and "附件：a.pdf" in text
