"""Electronic use grants: a signed read link shows just the granted documents, watermarked,
logs every view and download, and stops after its day or a revoke (410, in Chinese)."""

from __future__ import annotations

import io
import json

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import file_document
from dangan.archive.volumes.pdf.fonts import register_font
from dangan.web.app import create_app
from tests.webutil import make_client, prepare_home

CODE = "BJ-2024-017"


def _pdf(path, lines):
    c = canvas.Canvas(str(path))
    font = register_font()
    for line in lines:
        c.setFont(font, 18)
        c.drawString(72, 700, line)
        c.showPage()
    c.save()
    return path


@pytest.fixture
def docs(home, tmp_path, monkeypatch) -> dict[str, int]:
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-01")
    prepare_home(home)
    with Catalog.open(home) as cat:
        contract = file_document(cat, _pdf(tmp_path / "施工合同书.pdf", ["施工合同书 第一页", "施工合同书 第二页"]),
                                 project=CODE, item="C01").doc_id  # fmt: skip
        report = file_document(cat, _pdf(tmp_path / "开工报告.pdf", ["开工报告"]), project=CODE, item="C02").doc_id
    return {"contract": contract, "report": report}


def _link(output: str) -> str:
    return next(line.split()[1] for line in output.splitlines() if line.startswith("link: "))


def grant(cli, *args):
    return cli("grant", *args, "--to", "王审计", "--org", "信达会计师事务所", "--purpose", "年度审计")


def test_a_grant_link_shows_only_the_granted_document_watermarked_and_logged(cli, docs, home):
    r = grant(cli, f"#{docs['contract']}", "--until", "2025-03-31")
    assert r.exit_code == 0
    assert r.output.splitlines()[0] == "grant 1: 王审计（信达会计师事务所） may read 1 document(s) until 2025-03-31"
    link = _link(r.output)
    with make_client(create_app(home)) as web:
        page = web.get(link)
        assert page.status_code == 200 and "施工合同书" in page.text and "开工报告" not in page.text
        assert page.headers["cache-control"] == "no-store"
        view = web.get(f"{link}/d/{docs['contract']}")
        assert view.status_code == 200 and view.text.count("<img ") == 2
        png = web.get(f"{link}/d/{docs['contract']}/p/1")
        assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
        pdf = web.get(f"{link}/d/{docs['contract']}/pdf")
        text = PdfReader(io.BytesIO(pdf.content)).pages[1].extract_text()
        assert "仅供 王审计（信达会计师事务所） 查阅 · 2025年3月1日" in text and "施工合同书 第二页" in text
        # the outside reader sees only what was granted: not another document, not the app
        other = web.get(f"{link}/d/{docs['report']}")
        assert other.status_code == 404 and f"该查阅链接不包含文件 {docs['report']}。" in other.text
        assert web.get(f"{link}/d/{docs['report']}/p/1").status_code == 404
        assert web.get(f"{link}/d/{docs['report']}/pdf").status_code == 404
        assert web.get(f"/documents/{docs['contract']}").status_code == 303  # the login page
        assert web.get(f"{link}/d/{docs['contract']}/p/3").status_code == 404
        forged = web.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
        assert forged.status_code == 404 and "该查阅链接无效。" in forged.text
    uses = json.loads(cli("use", "list", "--person", "王审计", "--json").output)
    assert [(u["action"], u["dept"], u["what"], u["purpose"]) for u in uses] == [
        ("在线查阅", "信达会计师事务所", f"#{docs['contract']}", "年度审计"),
        ("在线下载", "信达会计师事务所", f"#{docs['contract']}", "年度审计")]  # fmt: skip


def test_the_page_image_carries_the_watermark(cli, docs, home):
    link = _link(grant(cli, f"#{docs['report']}", "--until", "2025-03-31").output)
    with make_client(create_app(home)) as web:
        png = web.get(f"{link}/d/{docs['report']}/p/1").content
    from PIL import Image

    marked = Image.open(io.BytesIO(png)).convert("RGB")
    with Catalog.open(home) as cat:
        pdf = pdfium.PdfDocument(str(home.vault_dir / cat.document(docs["report"])["vault_path"]))
    try:
        plain = pdf[0].render(scale=marked.width / pdf[0].get_size()[0]).to_pil().convert("RGB").resize(marked.size)
    finally:
        pdf.close()
    pairs = zip(marked.get_flattened_data(), plain.get_flattened_data())
    reddish = sum(1 for (r, g, _), (r0, g0, _) in pairs if r - g > 30 and r0 - g0 <= 30)
    assert reddish > marked.width * marked.height // 200  # red text across the page that the stored scan lacks


def test_revoked_and_expired_links_answer_410_in_chinese(cli, docs, home, monkeypatch):
    one = _link(grant(cli, f"#{docs['contract']}", "--until", "2025-03-31").output)
    two = _link(grant(cli, f"#{docs['report']}", "--until", "2025-03-05").output)
    assert cli("grant", "revoke", "1").output == "revoked grant 1 of 王审计（信达会计师事务所）\n"
    r = cli("grant", "revoke", "1")
    assert (r.exit_code, r.output.strip()) == (7, "Error: grant 1 was already revoked")
    with make_client(create_app(home)) as web:
        gone = web.get(one)
        assert gone.status_code == 410 and "该查阅链接已于 " in gone.text and "被撤销" in gone.text
        assert web.get(f"{one}/d/{docs['contract']}/pdf").status_code == 410
        assert web.get(two).status_code == 200
        monkeypatch.setenv("DANGAN_TODAY", "2025-03-06")
        late = web.get(two)
        assert late.status_code == 410 and "该查阅链接的有效期已于 2025-03-05 结束，不能再使用。" in late.text
        assert "dangan" not in late.text.split("<main>")[1]
    rows = json.loads(cli("grant", "list", "--json").output)
    assert [(g["id"], g["status"]) for g in rows] == [(2, "已过期"), (1, "已撤销")]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["#1", "--until", "2025-02-01"], 2,
         "--until 2025-02-01 is before today (2025-03-01); give the last day the link may be used"),
        (["#99", "--until", "2025-04-01"], 5, "no document 99 in the catalog"),
        (["#1", "--until", "31.3.2025"], 2, None),
    ],
)  # fmt: skip
def test_bad_grants_are_refused(cli, docs, args, code, message):
    r = grant(cli, *args)
    assert r.exit_code == code, r.output
    if message:
        assert r.output.strip().startswith(f"Error: {message}")
    assert json.loads(cli("grant", "list", "--json").output) == []


def test_a_blank_reader_is_refused(cli, docs):
    r = cli("grant", "#1", "--to", " ", "--purpose", "审计", "--until", "2025-04-01")
    assert (r.exit_code, r.output.strip()) == (2, "Error: --to is empty; fill it in (who, which department, what for)")


def test_revoking_an_unknown_grant(cli, docs):
    r = cli("grant", "revoke", "7")
    assert (r.exit_code, r.output.strip()) == (5, "Error: no grant 7; `dangan grant list` lists them")


def test_a_discarded_document_leaves_the_grant(cli, docs, home):
    link = _link(grant(cli, f"#{docs['contract']}", f"#{docs['report']}", "--until", "2025-03-31").output)
    r = cli("discard", str(docs["report"]), "--reason", "重复扫描")
    assert r.exit_code == 0, r.output
    with make_client(create_app(home)) as web:
        listing = web.get(link)
        assert "施工合同书" in listing.text and "开工报告" not in listing.text
        assert web.get(f"{link}/d/{docs['report']}").status_code == 404
