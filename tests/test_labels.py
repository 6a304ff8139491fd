"""Labels and QR cover sheets: the printed codes decode back, and a scanned batch is split at its sheets."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.labelcodes import encode, parse
from dangan.archive.volumes.pdf.fonts import register_font
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"


def decoded(pdf_path: Path) -> list[list[str]]:
    """Every QR text on every page, as a phone or scanner would read the printed page."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [[b.text for b in zxingcpp.read_barcodes(pdf[i].render(scale=150 / 72).to_pil())]
                for i in range(len(pdf))]  # fmt: skip
    finally:
        pdf.close()


@pytest.fixture
def volumes(cat, project, tmp_path, cli) -> dict[str, int]:
    folder = tmp_path / "in"
    for name, body in (
        ("施工合同书.txt", "施工合同书\n2024年2月1日"),
        ("土建建施竣工图.txt", "土建建施竣工图\n2024年9月1日"),
    ):
        write_text_doc(folder, name, body)
    ids = {r.path.name: r.doc_id for r in ingest_paths(cat, [folder], project=CODE)}
    assert cli("volume", "plan", CODE).exit_code == 0
    return ids


def test_spine_cover_and_box_labels_decode_to_the_volume(cli, volumes, tmp_path):
    vols = json.loads(cli("volume", "list", CODE, "--json").output)
    codes = {v["volume"]: v["code"] for v in vols}
    cli("location", "set", f"{CODE}:1", f"{CODE}:2", "--at", "库房1/A03/2/盒017")
    for kind in ("spine", "cover"):
        out = tmp_path / f"{kind}.pdf"
        r = cli("label", f"{CODE}:1", f"{CODE}:2", "--kind", kind, "-o", str(out))
        assert (r.exit_code, r.output) == (0, f"wrote 2 {kind} label(s) to {out}\n")
        read = [parse(texts[0]) for texts in decoded(out)]
        assert [c.kind for c in read] == ["volume", "volume"]
        assert [c.values[1] for c in read] == [codes[1], codes[2]]
    out = tmp_path / "box.pdf"
    r = cli("label", f"{CODE}:1", f"{CODE}:2", "--kind", "box", "-o", str(out))
    assert (r.exit_code, r.output) == (0, f"wrote 1 box label(s) to {out}\n")  # both stand in one box
    assert [parse(t[0]).values for t in decoded(out)] == [("库房1/A03/2/盒017",)]
    assert "安居花园3号楼竣工图" in PdfReader(str(out)).pages[0].extract_text()


def test_label_refusals(cli, volumes, tmp_path):
    doc = volumes["施工合同书.txt"]
    out = str(tmp_path / "x.pdf")
    r = cli("label", f"#{doc}", "--kind", "cover", "-o", out)
    assert (r.exit_code, r.output.strip()) == (
        2,
        f"Error: #{doc} is a document; labels are printed for volumes (PROJECT:案卷号)",
    )
    r = cli("label", f"{CODE}:1", "--kind", "box", "-o", out)
    assert (r.exit_code, r.output.strip()) == (
        2,
        f"Error: {CODE}:1 has no place yet, so it has no box label; place it first with `dangan location set`",
    )
    r = cli("label", f"{CODE}:1", "--kind", "cover", "-o", str(tmp_path / "x.png"))
    assert (r.exit_code, r.output.strip()) == (
        2,
        f"Error: -o {tmp_path / 'x.png'} must name a .pdf file, e.g. 标签.pdf",
    )
    r = cli("label", f"{CODE}:9", "--kind", "cover", "-o", out)
    assert (r.exit_code, r.output.strip()) == (5, f"Error: project {CODE} has no volume 9; volumes: 1, 2")
    assert not Path(out).exists()


def test_codes_refuse_damage():
    good = encode("item", CODE, "C02")
    assert parse(good).values == (CODE, "C02")
    with pytest.raises(Exception, match="is damaged"):
        parse(good.replace("C02", "C03"))
    with pytest.raises(Exception, match="not a dangan label"):
        parse("https://example.com/x")
    with pytest.raises(Exception, match="not a dangan label"):
        parse("DA1:I:档:x:123456")


def _content_pages(lines: list[str]) -> PdfReader:
    """Ordinary document pages, one line of Chinese each (what the scanner sees after a sheet)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    font = register_font()
    for line in lines:
        c.setFont(font, 16)
        c.drawString(72, 700, line)
        c.showPage()
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue()))


def _batch(path: Path, parts: list[Path | PdfReader]) -> Path:
    w = PdfWriter()
    for part in parts:
        for page in (PdfReader(str(part)) if isinstance(part, Path) else part).pages:
            w.add_page(page)
    with path.open("wb") as fh:
        w.write(fh)
    return path


def test_a_scanned_batch_is_split_at_its_cover_sheets_and_filed_exactly(cli, cat, volumes, tmp_path, home):
    c02, c05 = tmp_path / "c02.pdf", tmp_path / "c05.pdf"
    r = cli("coversheet", CODE, "C02", "-o", str(c02))
    assert (r.exit_code, r.output) == (
        0,
        f"wrote a cover sheet for 项目：{CODE} 安居花园3号楼 清单项：C02 开工报告 to {c02}\n",
    )
    assert cli("coversheet", CODE, "C05", "-o", str(c05)).exit_code == 0
    # The words after the C02 sheet say 施工合同书 (C01): the sheet decides, not the classifier.
    batch = _batch(home.inbox_dir / "扫描批次.pdf", [
        c02, _content_pages(["施工合同书 第1页", "施工合同书 第2页"]), c05, _content_pages(["设计变更通知单"])])  # fmt: skip
    records = ingest_paths(cat, [batch])
    assert [(r.outcome, r.item.code if r.item else None) for r in records] == [("filed", "C02"), ("filed", "C05")]
    assert [cat.document(r.doc_id)["pages"] for r in records] == [2, 1]
    assert records[0].message.startswith(f"{batch} p.2-3: filed as C02")
    assert not batch.exists()  # the batch went once both parts were filed


def test_a_damaged_or_unknown_sheet_sends_its_pages_to_review(cli, cat, volumes, tmp_path, home):
    from dangan.archive import coversheets

    good = coversheets.Sheet(encode("item", CODE, "C02"), "扫描封面", ())
    bad = coversheets.Sheet(encode("item", CODE, "C02")[:-1] + "0", "扫描封面", ())  # a check digit changed
    gone = coversheets.Sheet(encode("item", "XX-1", "C02"), "扫描封面", ())
    pdfs = []
    for n, sheet in enumerate((bad, gone, good)):
        pdfs.append(coversheets.write_sheet(cat, sheet, tmp_path / f"s{n}.pdf"))
    batch = _batch(tmp_path / "batch.pdf", [_content_pages(["开工报告 前页"]), pdfs[0], _content_pages(["甲"]),
                                            pdfs[1], _content_pages(["乙"]), pdfs[2], _content_pages(["丙"])])  # fmt: skip
    records = ingest_paths(cat, [batch], project=CODE)
    assert [r.outcome for r in records] == ["filed", "review", "review", "filed"]
    assert records[1].message.endswith(
        "is damaged (its check digits do not match); print the label again; file the pages by hand"
    )
    assert records[2].message.endswith("no project 'XX-1'; file the pages by hand") or "XX-1" in records[2].message
    assert records[3].item.code == "C02"
    assert batch.exists()  # not from the inbox: left where it is


def test_a_pdf_without_sheets_is_filed_as_before(cat, project, home):
    plain = _batch(home.inbox_dir / CODE / "开工报告.pdf", [_content_pages(["开工报告"])])
    records = ingest_paths(cat, [plain])
    assert [(r.outcome, r.item.code) for r in records] == [("filed", "C02")]
    assert records[0].message == "filed as C02 开工报告"


def test_a_foreign_qr_code_is_not_a_sheet_and_empty_sheets_file_nothing(cli, cat, volumes, tmp_path, home):
    import segno

    foreign = tmp_path / "发票.pdf"
    c = canvas.Canvas(str(foreign))
    qr = tmp_path / "qr.png"
    segno.make("01,10,044001900111,12345678,100.00,20250301,,ABCD").save(str(qr), scale=8)  # an e-invoice's code
    c.drawImage(str(qr), 72, 500, 200, 200)
    c.setFont(register_font(), 16)
    c.drawString(72, 450, "施工合同书")
    c.showPage()
    c.save()
    assert decoded(foreign)[0] == ["01,10,044001900111,12345678,100.00,20250301,,ABCD"]
    records = ingest_paths(cat, [foreign], project=CODE)
    assert [(r.outcome, r.item.code, r.message) for r in records] == [("filed", "C01", "filed as C01 施工合同书")]
    c02 = tmp_path / "c02.pdf"
    cli("coversheet", CODE, "C02", "-o", str(c02), "--copies", "2")
    assert len(PdfReader(str(c02)).pages) == 2
    # two sheets in a row, then one page: only the second sheet has pages behind it
    batch = _batch(tmp_path / "b.pdf", [c02, _content_pages(["丁"])])
    records = ingest_paths(cat, [batch], project=CODE)
    assert [(r.outcome, r.item.code, cat.document(r.doc_id)["pages"]) for r in records] == [("filed", "C02", 1)]


def test_a_document_cover_sheet_files_the_paper_beside_it(cli, cat, volumes, tmp_path):
    doc = volumes["施工合同书.txt"]
    sheet = tmp_path / "doc.pdf"
    r = cli("coversheet", f"#{doc}", "-o", str(sheet))
    assert r.exit_code == 0
    assert [parse(t[0]).values for t in decoded(sheet)] == [(str(doc),)]
    records = ingest_paths(cat, [_batch(tmp_path / "paper.pdf", [sheet, _content_pages(["盖章原件"])])])
    filed = cat.document(records[0].doc_id)
    assert (filed["item_code"], filed["title"], filed["remarks"]) == (
        "C01",
        "施工合同书（纸质件）",
        f"纸质件扫描，对应文件 #{doc}",
    )


def test_cover_sheet_refusals(cli, volumes, tmp_path):
    out = str(tmp_path / "s.pdf")
    r = cli("coversheet", CODE, "Z99", "-o", out)
    assert r.exit_code == 5 and "Z99" in r.output
    r = cli("coversheet", f"{CODE}:1", "-o", out)
    assert (r.exit_code, r.output.strip()) == (
        2, f"Error: {CODE}:1 is a volume; a cover sheet is for a checklist item or a document (#12)")  # fmt: skip
    r = cli("coversheet", CODE, "C02", "-o", out, "--copies", "0")
    assert (r.exit_code, r.output.strip()) == (2, "Error: --copies 0 must be between 1 and 500")
    r = cli("coversheet", "NO-SUCH", "C02", "-o", out)
    assert r.exit_code == 5
    assert not Path(out).exists()
