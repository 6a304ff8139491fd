"""Issue 31's formats: spreadsheets, presentations, OFD e-documents, e-mails, old Office/WPS.

Every document is generated in the test (``tests.formatgen``); the old Office files are made
from the new ones by LibreOffice.  Each kind is read for a word only its content holds, and
each hostile variant (zip bomb, truncated, lying extension, DOCTYPE, encrypted) is refused
with its own message while the good files beside it are filed.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from dangan.archive.intake.ingest import ingest_paths
from dangan.indexer import limits
from dangan.indexer.errors import CorruptFileError, EncryptedFileError, LimitError, UnsupportedFileError
from dangan.indexer.extract import extract, extract_bounded, sniff_type
from dangan.indexer.extract.common import EML, LEGACY, OFD, PPTX, XLSX
from dangan.indexer.extract.ofd import invoice_fields
from tests.docgen import make_docx, make_text_pdf
from tests.formatgen import DATE, make_eml, make_ofd, make_pptx, make_xlsx, to_legacy, with_cached_value

CODE = "BJ-2024-017"

INVOICE_PAGE = [(20, 10, "电子发票（增值税专用发票）"), (130, 10, "发票号码：26442000000318207715")]
INVOICE_TEMPLATE = [
    (130, 15, "开票日期：2026年02月27日"),
    (10, 25, "购买方信息 名称：南京栖霞建设工程有限公司"),
    (110, 25, "销售方信息 名称：苏州恒通暖通设备有限公司"),
    (10, 60, "项目名称 *泵*立式多级离心泵 数量 2"),
    (10, 80, "价税合计（大写） 贰万叁仟柒佰叁拾元整 （小写）¥23730.00"),
]


def workbook(path: Path) -> Path:
    make_xlsx(
        path,
        {
            "材料进场": [["材料", "规格", "数量", "进场日期", "小计"], ["镀锌钢管", "DN50", 36, DATE, "=C2*2"]],
            "检验": [["复检结论", "合格"]],
        },
    )
    return with_cached_value(path, "材料进场", "E2", "C2*2", "72")


def slides(path: Path) -> Path:
    return make_pptx(path, [(["冷却塔检修汇报", "更换填料"], ["讲者备注：风机轴承异响"]), (["下一步计划"], [])])


# -- reading ------------------------------------------------------------------------------------
def test_xlsx_gives_every_sheet_under_its_name_with_cached_values_and_dates(tmp_path):
    result = extract(workbook(tmp_path / "材料进场台账.xlsx"))
    assert result.text == (
        "材料进场\n材料\t规格\t数量\t进场日期\t小计\n镀锌钢管\tDN50\t36\t2026-03-05\t72\n\f\n检验\n复检结论\t合格"
    )
    assert (result.pages, result.mime_type, result.method) == (2, XLSX, "xlsx")
    assert [p["method"] for p in result.page_methods] == ["xlsx", "xlsx"]


def test_formula_without_a_cached_value_is_not_evaluated(tmp_path):
    path = make_xlsx(tmp_path / "计算.xlsx", {"表": [["单价", 5, "=B1*3"]]})
    assert extract(path).text == "表\n单价\t5"


def test_pptx_gives_slides_in_order_with_notes_and_without_slide_numbers(tmp_path):
    result = extract(slides(tmp_path / "检修汇报.pptx"))
    assert result.text == "冷却塔检修汇报\n更换填料\n讲者备注：风机轴承异响\n\f\n下一步计划"
    assert (result.pages, result.mime_type, result.method) == (2, PPTX, "pptx")


def test_ofd_invoice_text_pages_and_fields(tmp_path):
    path = make_ofd(tmp_path / "发票.ofd", [INVOICE_PAGE], template=INVOICE_TEMPLATE)
    result = extract(path)
    assert (result.pages, result.mime_type, result.method) == (1, OFD, "ofd")
    assert result.text.splitlines()[:3] == [
        "电子发票（增值税专用发票） 发票号码：26442000000318207715",
        "开票日期：2026年02月27日",
        "购买方信息 名称：南京栖霞建设工程有限公司 销售方信息 名称：苏州恒通暖通设备有限公司",
    ]
    assert result.metadata == {
        "invoice_number": "26442000000318207715",
        "date": "2026年02月27日",
        "amount": "23730.00",
        "buyer": "南京栖霞建设工程有限公司",
        "seller": "苏州恒通暖通设备有限公司",
    }
    assert "e-invoice: invoice_number 26442000000318207715" in result.notes[0]


def test_ofd_of_several_pages_counts_them_and_a_plain_document_has_no_invoice_fields(tmp_path):
    path = make_ofd(tmp_path / "通知.ofd", [[(20, 20, "关于开展汛期安全检查的通知")], [(20, 20, "附件：检查表")]])
    result = extract(path)
    assert (result.pages, result.text) == (2, "关于开展汛期安全检查的通知\n\f\n附件：检查表")
    assert result.metadata == {}


def test_invoice_fields_from_compact_labels():
    text = "电子普通发票\n发票号码 04400123\n开票日期：2025-11-03\n购买方：宁波港城物业\n销售方：余姚电梯维保中心\n价税合计 ￥1,580.50"
    assert invoice_fields(text) == {
        "invoice_number": "04400123",
        "date": "2025-11-03",
        "amount": "1,580.50",
        "buyer": "宁波港城物业",
        "seller": "余姚电梯维保中心",
    }


def test_ofd_page_in_unexpected_scripts_is_left_out_with_the_reason(tmp_path):
    path = make_ofd(tmp_path / "乱码.ofd", [[(20, 20, "ஆஇஈஉஊஎஏஐஒஓஔகஙசஞடணதநப")]])
    result = extract(path)
    assert result.text == "" and result.empty_pages == [1]
    assert result.page_methods[0]["method"] == "none"
    assert "unexpected scripts" in result.page_methods[0]["why"]


def test_eml_is_one_document_with_headers_body_and_attachment_names(tmp_path):
    path = make_eml(
        tmp_path / "验收通知.eml",
        "三号楼消防水泵验收",
        "请于周四上午到泵房参加验收。",
        attachments={"验收记录表.pdf": b"%PDF-1.4 x"},
    )
    result = extract(path)
    assert (result.mime_type, result.method, result.pages) == (EML, "eml", 1)
    assert result.text.splitlines() == [
        "主题：三号楼消防水泵验收",
        "发件人：王工 <wang@example.cn>",
        "收件人：档案室 <archive@example.cn>",
        "日期：Tue, 03 Mar 2026 09:30:00 +0800",
        "请于周四上午到泵房参加验收。",
        "附件：验收记录表.pdf",
    ]
    assert result.notes == ["attachments: 验收记录表.pdf"]


def test_html_mail_body_is_converted_to_text(tmp_path):
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>整改回复</p><div>已更换&nbsp;阀门</div></body></html>"
    )
    result = extract(make_eml(tmp_path / "回复.eml", "整改", "", html=html))
    assert result.text.splitlines()[-2:] == ["整改回复", "已更换 阀门"]


def test_a_text_file_is_not_taken_for_a_mail(tmp_path):
    path = tmp_path / "日志.txt"
    path.write_text("From: 张三的笔记\n今天检查了配电房。", encoding="utf-8")
    assert sniff_type(path) == "text/plain"


@pytest.mark.parametrize(
    ("source", "ext", "expected"),
    [("xlsx", "xls", "材料进场"), ("pptx", "ppt", "冷却塔检修汇报"), ("docx", "doc", "管道试压记录")],
)
def test_old_office_files_are_converted_by_libreoffice(tmp_path, source, ext, expected):
    made = {
        "xlsx": lambda: workbook(tmp_path / "src" / "台账.xlsx"),
        "pptx": lambda: slides(tmp_path / "src" / "汇报.pptx"),
        "docx": lambda: make_docx(tmp_path / "src" / "记录.docx", ["管道试压记录", "试验压力1.6MPa"]),
    }
    (tmp_path / "src").mkdir()
    old = to_legacy(made[source](), ext, tmp_path / "old")
    result = extract_bounded(old)
    assert expected in result.text
    assert (result.mime_type, result.method) == (LEGACY, "libreoffice")
    assert result.page_methods[0] == {
        "page": 1,
        "method": "libreoffice",
        "why": f"converted to .{source} by LibreOffice",
    }


def test_an_old_xls_renamed_xlsx_is_read_through_libreoffice_and_noted(tmp_path):
    old = to_legacy(workbook(tmp_path / "台账.xlsx"), "xls", tmp_path / "old")
    renamed = old.rename(tmp_path / "改名.xlsx")
    result = extract(renamed)
    assert "镀锌钢管" in result.text and result.mime_type == LEGACY
    assert result.notes[0] == (
        "extension .xlsx does not match the content (old Office/WPS (.doc/.xls/.ppt/.wps/.et/.dps/.rtf)); "
        "read as old Office/WPS (.doc/.xls/.ppt/.wps/.et/.dps/.rtf) — rename the file to its old Office/WPS extension"
    )


def test_old_office_file_without_libreoffice_names_the_package(tmp_path, monkeypatch):
    old = to_legacy(workbook(tmp_path / "台账.xlsx"), "xls", tmp_path / "old")
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(UnsupportedFileError) as e:
        extract(old)
    assert str(e.value) == (
        f"{old} is an old Office/WPS file, which dangan reads through LibreOffice, and LibreOffice is not "
        "installed: install it (apt-get install libreoffice-calc-nogui) and drop the file again"
    )


# -- hostile variants ---------------------------------------------------------------------------
def _bomb(path: Path, member: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, "<x/>")
        archive.writestr("padding.xml", b"\0" * (3 * 1024 * 1024))
    return path


@pytest.mark.parametrize(
    ("name", "member"),
    [("炸弹.xlsx", "xl/workbook.xml"), ("炸弹.pptx", "ppt/presentation.xml"), ("炸弹.ofd", "OFD.xml")],
)
def test_zip_bomb_is_refused_before_unpacking(tmp_path, name, member):
    path = _bomb(tmp_path / name, member)
    with pytest.raises(LimitError) as e:
        extract(path, limits=limits.Limits(max_unzipped_mb=1))
    assert str(path) in str(e.value) and "max_unzipped_mb" in str(e.value)


def _truncated(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


HOSTILE = [
    (lambda d: _truncated(workbook(d / "截断.xlsx")), CorruptFileError, "is not a readable Excel (.xlsx) file"),
    (lambda d: _truncated(slides(d / "截断.pptx")), CorruptFileError, "is not a readable PowerPoint (.pptx) file"),
    (lambda d: _truncated(make_ofd(d / "截断.ofd", [INVOICE_PAGE])), CorruptFileError, "is not a readable OFD file"),
    (
        lambda d: make_text_pdf(d / "x.pdf", ["发票"]).rename(d / "假发票.ofd"),
        UnsupportedFileError,
        "is named .ofd but is a PDF file, not an OFD e-document file: rename it to .pdf",
    ),
    (
        lambda d: make_docx(d / "x.docx", ["清单"]).rename(d / "假表格.xlsx"),
        UnsupportedFileError,
        "is named .xlsx but is a Word (.docx) file, not an Excel (.xlsx) file: rename it to .docx",
    ),
    (lambda d: _doctype_ofd(d / "实体.ofd"), CorruptFileError, "is not a readable OFD file"),
    (lambda d: _broken_sheet(d / "坏表.xlsx"), CorruptFileError, "is not a readable Excel (.xlsx) file"),
    (lambda d: _encrypted_ooxml(d / "加密.xls"), EncryptedFileError, "remove the password"),
    (lambda d: _encrypted_ooxml(d / "加密.xlsx"), EncryptedFileError, "remove the password"),
]


def _doctype_ofd(path: Path) -> Path:
    laughs = '<!DOCTYPE x [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><ofd:OFD xmlns:ofd="x">&b;</ofd:OFD>'
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("OFD.xml", laughs)
    return path


def _broken_sheet(path: Path) -> Path:
    """A whole ZIP whose sheet part is cut inside a tag: openpyxl's lxml refuses it."""
    good = workbook(path.with_name("good.xlsx"))
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(
                name, b'<worksheet><sheetData><row r="1"><c r="A1" t=' if name.endswith("sheet1.xml") else data
            )
    return path


def _encrypted_ooxml(path: Path) -> Path:
    # Office writes a password-protected workbook as an OLE2 file holding an EncryptedPackage stream.
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(500)
    )
    return path


@pytest.mark.parametrize(
    ("make", "error", "message"),
    HOSTILE,
    ids=[
        "xlsx-cut",
        "pptx-cut",
        "ofd-cut",
        "ofd-is-pdf",
        "xlsx-is-docx",
        "ofd-doctype",
        "xlsx-bad-xml",
        "xls-encrypted",
        "xlsx-encrypted",
    ],
)
def test_hostile_variant_is_refused_with_its_own_message(tmp_path, make, error, message):
    path = make(tmp_path)
    with pytest.raises(error) as e:
        extract(path)
    assert str(e.value).startswith(str(path)) and message in str(e.value)


# -- through intake -----------------------------------------------------------------------------
def test_each_kind_is_filed_and_found_while_hostile_ones_fail_beside_them(cat, project, home, tmp_path, cli):
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    workbook(box / "材料进场台账.xlsx")
    slides(box / "检修汇报.pptx")
    make_ofd(box / "发票.ofd", [INVOICE_PAGE], template=INVOICE_TEMPLATE)
    make_eml(box / "验收通知.eml", "消防水泵验收", "请到泵房参加验收，带上扬程曲线。")
    old = to_legacy(make_docx(tmp_path / "试压.docx", ["管道试压记录 稳压三十分钟无渗漏"]), "doc", tmp_path / "old")
    old.rename(box / "试压.doc")
    _truncated(workbook(box / "截断.xlsx"))
    make_text_pdf(tmp_path / "x.pdf", ["发票"]).rename(box / "假发票.ofd")
    records = ingest_paths(cat, [home.inbox_dir])
    outcomes = {r.path.name: r.outcome for r in records}
    assert outcomes.pop("截断.xlsx") == outcomes.pop("假发票.ofd") == "failed"
    assert set(outcomes.values()) <= {"filed", "review"} and len(outcomes) == 5
    failed = home.inbox_dir / ".failed"
    assert "is named .ofd but is a PDF file" in (failed / "假发票.ofd.error.txt").read_text(encoding="utf-8")
    assert "is not a readable Excel (.xlsx) file" in (failed / "截断.xlsx.error.txt").read_text(encoding="utf-8")
    for word, name in [
        ("镀锌钢管", "材料进场台账.xlsx"),
        ("风机轴承", "检修汇报.pptx"),
        ("恒通暖通", "发票.ofd"),
        ("扬程曲线", "验收通知.eml"),
        ("稳压三十分钟", "试压.doc"),
    ]:
        hits = json.loads(cli("search", word, "--json").output)
        assert [Path(h["vault_path"]).name.endswith(name) for h in hits] == [True], (word, hits)
    doc = next(r for r in records if r.path.name == "发票.ofd")
    shown = cli("show", str(doc.doc_id)).output
    assert "text read from: the OFD e-document's page text" in shown
    legacy = next(r for r in records if r.path.name == "试压.doc")
    assert "text read from: the old Office/WPS file, converted by LibreOffice" in cli("show", str(legacy.doc_id)).output


# -- volume PDFs --------------------------------------------------------------------------------
def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_old_excel_and_mail_become_volume_pdf_pages(tmp_path):
    from dangan.archive.volumes.pdf.convert import document_pdf
    from dangan.archive.volumes.pdf.fonts import register_font

    font = register_font()
    xls = to_legacy(workbook(tmp_path / "台账.xlsx"), "xls", tmp_path / "old")
    assert "镀锌钢管" in _pdf_text(document_pdf(xls, LEGACY, font, "document 1"))
    mail = make_eml(tmp_path / "通知.eml", "消防水泵验收", "请到泵房参加验收。", attachments={"a.pdf": b"%PDF-1.4"})
    text = _pdf_text(document_pdf(mail, EML, font, "document 2"))
    assert "请到泵房参加验收" in text and "附件：a.pdf" in text


# -- handover: 可用性 ----------------------------------------------------------------------------
def test_handover_usability_reads_the_new_kinds(tmp_path):
    from dangan.archive.handover.inspect import usability_problem

    assert usability_problem(workbook(tmp_path / "台账.xlsx"), XLSX) == ""
    assert usability_problem(make_ofd(tmp_path / "发票.ofd", [INVOICE_PAGE]), OFD) == ""
    cut = _truncated(make_ofd(tmp_path / "截断.ofd", [INVOICE_PAGE]))
    assert usability_problem(cut, OFD) == "is not a readable OFD e-document file (CorruptFileError)"
    fake = tmp_path / "假.doc"
    fake.write_bytes(b"not an office file at all")
    assert usability_problem(fake, LEGACY) == "is not a readable old Office/WPS file"


def test_empty_workbook_and_garbled_ofd_go_to_review_saying_no_text_was_read(cat, project, home):
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    make_xlsx(box / "空白.xlsx", {"Sheet1": []})
    make_ofd(box / "乱码.ofd", [[(20, 20, "ஆஇஈஉஊஎஏஐஒஓஔகஙசஞடணதநப")]])
    records = {r.path.name: r for r in ingest_paths(cat, [home.inbox_dir])}
    assert records["空白.xlsx"].outcome == records["乱码.ofd"].outcome == "review"
    assert records["空白.xlsx"].review_reason.startswith("no text could be read from the file; ")
    assert records["乱码.ofd"].review_reason.startswith(
        "no text could be read from the file (text layer in unexpected scripts (0% plausible)); "
    )


def test_invoice_parties_from_one_character_labels_but_not_from_purchase_words():
    text = "电子发票\n发票号码:25332000000101982214\n购 名称:温州瓯海建工集团有限公司 销 名称:乐清正泰电缆销售有限公司"
    fields = invoice_fields(text)
    assert (fields["buyer"], fields["seller"]) == ("温州瓯海建工集团有限公司", "乐清正泰电缆销售有限公司")
    assert "buyer" not in invoice_fields("电子发票 发票号码：0001\n采购 名称：立式多级离心泵")
