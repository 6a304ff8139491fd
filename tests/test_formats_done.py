"""Issue 31's "done when", in one inbox: a file of every kind the issue names, each generated in
the test and found by a word only its content holds, beside each hostile variant (zip bomb,
truncated, encrypted, lying extension), each refused with its own message in ``.failed/``
while every good file is filed.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from dangan.archive.intake.ingest import ingest_paths
from tests.docgen import make_docx, make_text_pdf
from tests.formatgen import make_eml, make_msg, make_ofd, make_pptx, make_xlsx, to_legacy
from tests.test_formats import INVOICE_PAGE, INVOICE_TEMPLATE
from tests.test_hostile_pipeline import _set

CODE = "BJ-2024-017"


def _good(box: Path, src: Path, old: Path) -> dict[str, str]:
    """Every kind, each holding its own word; returns {file name: word}."""
    make_xlsx(box / "材料台账.xlsx", {"进场": [["镀锌角钢", "复验合格"]]})
    make_pptx(box / "例会.pptx", [(["监理例会纪要"], ["备注：塔吊基础沉降观测"])])
    make_ofd(box / "发票.ofd", [INVOICE_PAGE], template=INVOICE_TEMPLATE)
    make_eml(box / "通知.eml", "消防验收", "请带上喷淋末端试水记录。")
    make_msg(box / "回复.msg", "回复：消防验收", "末端试水压力零点一兆帕。")
    word = make_docx(src / "试压.docx", ["给水管道试压 稳压两小时"])
    to_legacy(word, "doc", old).rename(box / "试压.doc")
    to_legacy(make_docx(src / "交底.docx", ["幕墙龙骨安装交底"]), "rtf", old).rename(box / "交底.rtf")
    to_legacy(make_docx(src / "日志.docx", ["砌体拉结筋抽查"]), "doc", old / "wps").rename(box / "日志.wps")
    to_legacy(make_xlsx(src / "清单.xlsx", {"清单": [["止水钢板", "三百米"]]}), "xls", old).rename(box / "清单.xls")
    to_legacy(make_pptx(src / "汇报.pptx", [(["基坑降水方案汇报"], [])]), "ppt", old).rename(box / "汇报.ppt")
    return {
        "材料台账.xlsx": "镀锌角钢",
        "例会.pptx": "沉降观测",
        "发票.ofd": "恒通暖通",
        "通知.eml": "末端试水记录",
        "回复.msg": "零点一兆帕",
        "试压.doc": "稳压两小时",
        "交底.rtf": "幕墙龙骨",
        "日志.wps": "拉结筋抽查",
        "清单.xls": "止水钢板",
        "汇报.ppt": "基坑降水",
    }


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _hostile(box: Path, src: Path) -> dict[str, str]:
    """One of each hostile variant; returns {file name: what its own message says}."""
    with zipfile.ZipFile(box / "炸弹.pptx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ppt/presentation.xml", "<x/>")
        archive.writestr("padding.xml", b"\0" * (3 * 1024 * 1024))
    make_ofd(box / "截断.ofd", [INVOICE_PAGE])
    _cut(box / "截断.ofd")
    make_msg(box / "截断.msg", "截断", "正文")
    _cut(box / "截断.msg")
    (box / "加密.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(500)
    )
    make_text_pdf(src / "x.pdf", ["发票"]).rename(box / "假发票.ofd")
    return {
        "炸弹.pptx": "(limits.max_unzipped_mb in dangan.toml)",
        "截断.ofd": "is not a readable OFD file (damaged or incomplete)",
        "截断.msg": "is not a readable Outlook mail (.msg) file (damaged or incomplete)",
        "加密.xlsx": "is protected by a password: remove the password in WPS or Office",
        "假发票.ofd": "is named .ofd but is a PDF file, not an OFD e-document file: rename it to .pdf",
    }


def test_every_kind_is_filed_and_found_beside_every_hostile_variant_refused(cat, project, home, tmp_path, cli):
    _set(home, "limits", max_unzipped_mb=1)
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    (tmp_path / "src").mkdir()
    good = _good(box, tmp_path / "src", tmp_path / "old")
    bad = _hostile(box, tmp_path / "src")
    records = {r.path.name: r for r in ingest_paths(cat, [home.inbox_dir])}
    assert {n: r.outcome for n, r in records.items() if r.outcome == "failed"} == dict.fromkeys(bad, "failed")
    assert {n: records[n].outcome in ("filed", "review") for n in good} == dict.fromkeys(good, True)
    failed = home.inbox_dir / ".failed"
    for name, says in bad.items():
        first = (failed / f"{name}.error.txt").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(str(box / name)) and says in first, (name, first)
    for name, word in good.items():
        hits = json.loads(cli("search", word, "--json").output)
        assert [h["id"] for h in hits] == [records[name].doc_id], (name, word, hits)
