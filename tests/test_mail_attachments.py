"""E-mail attachments filed as their own documents, linked to the mail (issue 31 item 5).

A mail's text is one document; each attachment goes through the same pipeline with all its
checks (hostile names, limits, duplicates, damaged content) and is linked to the mail by the
"from mail" relation that ``dangan show`` and the web document page show both ways.  A bad
attachment is refused with its own message while the mail and the good attachments are filed.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from dangan.archive import vault
from dangan.archive.catalog import Catalog
from dangan.archive.intake.attachments import safe_name
from dangan.archive.intake.ingest import ingest_paths
from dangan.web.app import create_app
from tests.docgen import make_docx, make_text_pdf
from tests.formatgen import make_eml
from tests.test_hostile_pipeline import _set
from tests.webutil import login, make_client, prepare_home

CODE = "BJ-2024-017"
pytestmark = pytest.mark.both_catalogs  # the relation's foreign keys are enforced on PostgreSQL


def _box(home) -> Path:
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    return box


def _bomb_docx(tmp_path: Path) -> bytes:
    """A DOCX whose document.xml unpacks to 5 MB of spaces (a few KB packed)."""
    path = make_docx(tmp_path / "src.docx", ["施工日志"])
    out = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (5 << 20), 1)
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.read_bytes()


def _mail(home, tmp_path) -> Path:
    pdf = make_text_pdf(tmp_path / "a.pdf", ["冷却水泵试运转记录 振动值合格 轴温四十二度"]).read_bytes()
    docx = make_docx(tmp_path / "b.docx", ["隐蔽工程验收记录 防水卷材搭接宽度十厘米"]).read_bytes()
    long_name = "关于三号楼机电安装工程竣工资料移交的补充说明" * 6 + ".txt"
    return make_eml(
        _box(home) / "资料移交.eml",
        "三号楼资料移交",
        "附件是试运转记录和隐蔽验收记录，请归档。",
        attachments={
            "试运转记录.pdf": pdf,
            "../../隐蔽验收.docx": docx,
            long_name: "长文件名附件 里面写着盘管清洗完毕".encode(),
            "坏表格.xlsx": b"PK\x03\x04 this is no workbook",
            "炸弹.docx": _bomb_docx(tmp_path),
        },
    )


def test_each_attachment_is_its_own_document_and_a_bad_one_is_refused_alone(cat, project, home, tmp_path, cli):
    _set(home, "limits", max_unzipped_mb=2)
    _mail(home, tmp_path)
    records = ingest_paths(cat, [home.inbox_dir])
    mail = records[0]
    assert (mail.path.name, mail.outcome in ("filed", "review")) == ("资料移交.eml", True)
    by_name = {r.attachment_name: r for r in records[1:]}
    long_kept = next(n for n in by_name if n.startswith("关于三号楼"))
    assert list(by_name) == ["试运转记录.pdf", "隐蔽验收.docx", long_kept, "坏表格.xlsx", "炸弹.docx"]
    assert len(long_kept.encode()) <= 239 and long_kept.endswith(".txt")
    assert [by_name[n].outcome in ("filed", "review") for n in by_name] == [True, True, True, False, False]
    assert mail.message.endswith("; 5 attachments, each its own document (2 refused)")
    assert by_name["试运转记录.pdf"].to_json()["input"] == f"{mail.path} (attachment 试运转记录.pdf)"
    assert by_name["试运转记录.pdf"].to_json()["from_mail"] == mail.doc_id
    assert by_name["坏表格.xlsx"].message == (
        f"{home.inbox_dir / CODE / '资料移交.eml'} (attachment 坏表格.xlsx) is not a readable Excel (.xlsx) file "
        "(damaged or incomplete): re-save it in Excel or WPS and drop it again"
    )
    assert by_name["炸弹.docx"].message.startswith(
        f"{home.inbox_dir / CODE / '资料移交.eml'} (attachment 炸弹.docx): its "
    )
    assert "(limits.max_unzipped_mb in dangan.toml)" in by_name["炸弹.docx"].message
    # Nothing was written outside the vault by the "../../" name, and the mail left the inbox.
    assert not (home.inbox_dir / "隐蔽验收.docx").exists() and not (home.root / "隐蔽验收.docx").exists()
    assert not (home.inbox_dir / CODE / "资料移交.eml").exists()
    assert not (home.inbox_dir / ".failed").exists(), "a bad attachment does not fail its mail"
    stored = vault.stored_files(home.vault_dir)
    assert len(stored) == 4 and all(".." not in p for p in stored)
    for word, name in [("轴温四十二度", "试运转记录.pdf"), ("防水卷材搭接", "隐蔽验收.docx"), ("盘管清洗", long_kept)]:
        hits = json.loads(cli("search", word, "--json").output)
        assert [h["id"] for h in hits] == [by_name[name].doc_id], word

    shown = json.loads(cli("show", str(mail.doc_id), "--json").output)
    assert [(a["id"], a["name"]) for a in shown["attachments"]] == [
        (by_name[n].doc_id, n) for n in ("试运转记录.pdf", "隐蔽验收.docx", long_kept)
    ]
    assert shown["from_mail"] == []
    text = cli("show", str(mail.doc_id)).output
    assert f"attachment: #{by_name['试运转记录.pdf'].doc_id} 试运转记录.pdf (" in text
    history = [e for e in shown["events"] if e["action"] == "attachment-failed"]
    assert [e["detail"]["attachment"] for e in history] == ["坏表格.xlsx", "炸弹.docx"]
    filed = json.loads(cli("show", str(by_name["隐蔽验收.docx"].doc_id), "--json").output)["events"][0]
    assert filed["detail"]["input"] == f"{mail.path} (attachment 隐蔽验收.docx)"
    child = cli("show", str(by_name["隐蔽验收.docx"].doc_id)).output
    assert f"from mail: #{mail.doc_id} {mail.title} (attached as 隐蔽验收.docx)" in child


def test_the_same_attachment_in_two_mails_is_one_document_linked_to_both(cat, project, home, tmp_path, cli):
    pdf = make_text_pdf(tmp_path / "a.pdf", ["压力表校验证书 编号YB0731"]).read_bytes()
    make_eml(_box(home) / "一.eml", "校验证书", "第一次发送。", attachments={"证书.pdf": pdf})
    make_eml(_box(home) / "二.eml", "校验证书（重发）", "再发一次。", attachments={"证书副本.pdf": pdf})
    records = ingest_paths(cat, [home.inbox_dir])
    assert [(r.path.name, r.outcome) for r in records if r.from_mail] == [
        ("证书.pdf", records[1].outcome),
        ("证书副本.pdf", "duplicate"),
    ]
    doc = records[1].doc_id
    shown = json.loads(cli("show", str(doc), "--json").output)
    assert [m["id"] for m in shown["from_mail"]] == [records[0].doc_id, records[2].doc_id]


def test_a_mail_attached_to_a_mail_is_filed_but_not_unpacked_again(cat, project, home, tmp_path):
    inner = make_eml(
        tmp_path / "inner.eml", "原始通知", "内层邮件正文 设备基础复测", attachments={"x.txt": b"inner attachment"}
    )
    make_eml(
        _box(home) / "转发.eml", "转发：原始通知", "请看转发的邮件。", attachments={"原始通知.eml": inner.read_bytes()}
    )
    records = ingest_paths(cat, [home.inbox_dir])
    assert [r.path.name for r in records] == ["转发.eml", "原始通知.eml"]
    assert records[1].outcome in ("filed", "review") and records[1].attachments == []


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("../../etc/passwd", "text/plain", "passwd"),
        ("C:\\Users\\王工\\桌面\\报价.xls", "application/vnd.ms-excel", "报价.xls"),
        ("..", "application/pdf", "附件3.pdf"),
        ("", "application/pdf", "附件3.pdf"),
        ("scan\u202efdp.exe", "application/pdf", "scanfdp.exe"),
        (".hidden.txt", "text/plain", "hidden.txt"),
    ],
)
def test_an_attachment_name_is_made_safe(raw, kind, expected):
    assert safe_name(raw, kind, 3) == expected


def test_the_web_page_shows_the_relation_both_ways(home, tmp_path):
    prepare_home(home)
    pdf = make_text_pdf(tmp_path / "a.pdf", ["设备开箱检验记录"]).read_bytes()
    make_eml(_box(home) / "开箱.eml", "开箱检验", "开箱检验记录见附件。", attachments={"开箱记录.pdf": pdf})
    with Catalog.open(home) as cat:
        mail, att = ingest_paths(cat, [home.inbox_dir])
    with make_client(create_app(home)) as client:
        login(client, "viewer")
        page = client.get(f"/documents/{mail.doc_id}").text
        assert f'附件 <a href="/documents/{att.doc_id}">#{att.doc_id} 开箱记录.pdf</a>' in page
        page = client.get(f"/documents/{att.doc_id}").text
        assert f'随邮件 <a href="/documents/{mail.doc_id}">#{mail.doc_id} {mail.title}</a> 一同收到' in page


def test_emptying_the_trash_of_an_attachment_removes_its_link_too(cat, project, home, tmp_path, cli):
    from datetime import timedelta

    from dangan.archive.life.trash import discard, empty_trash

    make_eml(
        _box(home) / "通知.eml", "停水通知", "周五停水。", attachments={"停水.txt": "停水范围 三号楼 四号楼".encode()}
    )
    mail, att = ingest_paths(cat, [home.inbox_dir])
    discard(cat, att.doc_id, reason="重复")
    assert [d["id"] for d in empty_trash(cat, older_than=timedelta(0))] == [att.doc_id]
    assert json.loads(cli("show", str(mail.doc_id), "--json").output)["attachments"] == []
