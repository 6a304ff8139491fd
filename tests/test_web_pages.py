"""Pictures instead of iframes, browsing without a query, the review queue, the trash page.

Through the web app in-process (TestClient); the keyboard and the phone width are in
tests/test_browser_layout.py.
"""

from __future__ import annotations

import io
import re
import shutil

import pytest
from PIL import Image

from dangan.archive import thumbs
from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import file_document
from dangan.web.app import create_app
from tests.conftest import write_text_doc
from tests.docgen import make_scan_image, make_text_pdf
from tests.formatgen import make_ofd
from tests.test_web import filed_doc
from tests.webutil import login, make_client, prepare_home

PROJECT = "BJ-2024-017"


@pytest.fixture
def app(home):
    prepare_home(home)
    return create_app(home)


def signed_in(app, role: str):
    c = make_client(app)
    c.__enter__()
    return c, login(c, role)


def pdf_doc(
    home, tmp_path, name="原材料试验报告.pdf", pages=("原材料试验报告\n钢筋拉伸试验 合格", "第二页\n试验员：杨帆")
):
    pdf = make_text_pdf(tmp_path / name, list(pages))
    with Catalog.open(home) as cat:
        return file_document(cat, pdf, project=PROJECT, item="C07").doc_id


def waiting_doc(home, tmp_path, n: int, project: str | None = PROJECT) -> int:
    """A document the classifier cannot decide (工作联系单 names no item): it waits in review."""
    path = write_text_doc(
        tmp_path / f"w{n}", f"工作联系单_{n}.txt", f"工作联系单 第{n}号\n关于施工方案与施工日志的补充说明"
    )
    with Catalog.open(home) as cat:
        rec = file_document(cat, path, project=project or PROJECT)
        assert rec.outcome == "review", rec.message
        if project is None:  # as an inbox file whose project nobody recognised
            from dangan.archive.schema import documents

            with cat.engine.begin() as conn:
                conn.execute(documents.update().where(documents.c.id == rec.doc_id).values(project_code=None))
        return rec.doc_id


# -- thumbnails and page images ------------------------------------------------------------
def test_filing_a_pdf_draws_its_thumbnail_and_pages_beside_the_vault(app, home, tmp_path):
    doc = pdf_doc(home, tmp_path)
    with Catalog.open(home) as cat:
        folder = thumbs.preview_dir(cat, cat.document(doc)["sha256"])
    assert folder.parent.parent == home.root / "previews"
    assert sorted(p.name for p in folder.iterdir()) == ["page-0001.png", "thumb.png"]  # page 2 when first opened
    viewer, _ = signed_in(app, "viewer")
    r = viewer.get(f"/documents/{doc}/thumb")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    page = viewer.get(f"/documents/{doc}")
    assert f'src="/documents/{doc}/pages/2"' in page.text and "<iframe" not in page.text
    assert f'href="/documents/{doc}/file"' in page.text  # the whole PDF opens in the browser's viewer


def test_a_deleted_picture_cache_is_drawn_again_when_asked_for(app, home, tmp_path):
    doc = pdf_doc(home, tmp_path)
    shutil.rmtree(home.root / "previews")
    viewer, _ = signed_in(app, "viewer")
    r = viewer.get(f"/documents/{doc}/pages/2")
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"
    assert viewer.get(f"/documents/{doc}/pages/3").status_code == 404  # the PDF has two pages


def test_pictures_need_a_signed_in_user(app, home, tmp_path):
    doc = pdf_doc(home, tmp_path)
    anonymous = make_client(app)
    for url in (f"/documents/{doc}/thumb", f"/documents/{doc}/pages/1"):
        r = anonymous.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_an_image_gets_pictures_and_a_text_file_a_card_naming_its_kind(app, home, tmp_path):
    scan = make_scan_image(tmp_path / "隐蔽工程验收记录.png", "隐蔽工程验收记录\n钢筋绑扎 合格")
    with Catalog.open(home) as cat:
        image = file_document(cat, scan, project=PROJECT, item="C09").doc_id
    text = filed_doc(home, tmp_path)
    viewer, _ = signed_in(app, "viewer")
    assert viewer.get(f"/documents/{image}/thumb").content[:4] == b"\x89PNG"
    card = viewer.get(f"/documents/{text}/thumb")
    assert card.headers["content-type"].startswith("image/svg+xml") and "文本文件" in card.text
    assert "此类文件没有页面预览" in viewer.get(f"/documents/{text}").text


def test_a_picture_that_cannot_be_drawn_is_logged_and_filing_goes_on(home, tmp_path, monkeypatch):
    prepare_home(home)

    def broken(cat, doc, pages):
        raise thumbs.PreviewError("document {doc_id}: its pages could not be drawn", doc_id=doc["id"])

    monkeypatch.setattr(thumbs, "_draw", broken)
    doc = pdf_doc(home, tmp_path)
    with Catalog.open(home) as cat:
        assert cat.document(doc)["status"] == "filed"
        failed = [e for e in cat.events(document=doc) if e["action"] == "preview-failed"]
    assert [e["detail"]["error"] for e in failed] == [f"document {doc}: its pages could not be drawn"]


def test_a_damaged_stored_file_gets_a_card_not_an_error(app, home, tmp_path):
    doc = pdf_doc(home, tmp_path)
    shutil.rmtree(home.root / "previews")
    with Catalog.open(home) as cat:
        (home.vault_dir / cat.document(doc)["vault_path"]).write_bytes(b"%PDF-1.7\nnot really a pdf")
        assert "could not be drawn" in thumbs.after_filing(cat, doc)
        assert [e["action"] for e in cat.events(document=doc)][-1] == "preview-failed"
    viewer, _ = signed_in(app, "viewer")
    card = viewer.get(f"/documents/{doc}/thumb")
    assert card.status_code == 200 and "无法预览" in card.text


def test_an_ofd_document_gets_a_thumbnail_and_page_images_like_a_pdf(app, home, tmp_path):
    path = make_ofd(tmp_path / "防汛检查通知.ofd", [[(20, 20, "防汛检查通知 第一页")], [(20, 20, "第二页 检查表")]])
    with Catalog.open(home) as cat:
        doc = file_document(cat, path, project=PROJECT, item="C14").doc_id
        row = cat.document(doc)
        folder = thumbs.preview_dir(cat, row["sha256"])
    assert row["mime_type"] == "application/ofd"
    assert sorted(p.name for p in folder.iterdir()) == ["page-0001.png", "thumb.png"]  # drawn at filing, as a PDF's
    viewer, _ = signed_in(app, "viewer")
    r = viewer.get(f"/documents/{doc}/thumb")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(r.content)) as image:
        assert image.width == thumbs.THUMB_WIDTH and image.convert("L").getextrema()[0] < 100  # its text is drawn
    assert viewer.get(f"/documents/{doc}/pages/2").content[:4] == b"\x89PNG"
    assert f'src="/documents/{doc}/pages/2"' in viewer.get(f"/documents/{doc}").text


def test_a_damaged_stored_ofd_gets_a_card_and_a_logged_reason(app, home, tmp_path):
    path = make_ofd(tmp_path / "防汛检查通知.ofd", [[(20, 20, "防汛检查通知")]])
    with Catalog.open(home) as cat:
        doc = file_document(cat, path, project=PROJECT, item="C14").doc_id
        shutil.rmtree(home.root / "previews")
        (home.vault_dir / cat.document(doc)["vault_path"]).write_bytes(b"PK\x03\x04 not really an OFD")
        assert "could not be drawn" in thumbs.after_filing(cat, doc)
    viewer, _ = signed_in(app, "viewer")
    card = viewer.get(f"/documents/{doc}/thumb")
    assert card.status_code == 200 and "无法预览" in card.text


# -- browsing without a query ---------------------------------------------------------------
def test_an_empty_query_lists_the_projects_documents_by_date(app, home, tmp_path):
    from datetime import date

    days = {"施工日志_A.txt": date(2024, 3, 12), "施工日志_B.txt": date(2024, 5, 2), "施工日志_C.txt": date(2024, 1, 8)}
    for name, day in days.items():
        filed_doc(home, tmp_path, name=name, text=f"施工日志 {name}\n浇筑", item="C14", document_date=day)
    viewer, _ = signed_in(app, "viewer")
    page = viewer.get("/search", params={"q": "", "project": PROJECT})
    assert page.status_code == 200 and "共 3 条" in page.text
    shown = re.findall(r"(2024年\d+月\d+日)", page.text)
    assert shown == ["2024年5月2日", "2024年3月12日", "2024年1月8日"]
    oldest = viewer.get("/search", params={"project": PROJECT, "sort": "old"}).text
    assert re.findall(r"(2024年\d+月\d+日)", oldest) == ["2024年1月8日", "2024年3月12日", "2024年5月2日"]
    by_person = viewer.get("/search", params={"project": PROJECT, "item": "C14", "person": "吴涛"}).text
    assert "共 3 条" in by_person  # 施工日志 is the 施工员's, 吴涛 on this project
    nobody = viewer.get("/search", params={"project": PROJECT, "person": "杨帆"}).text
    assert "没有符合筛选条件的已归档文件" in nobody
    unknown = viewer.get("/search", params={"project": "NO-SUCH"})
    assert unknown.status_code == 404 and "没有项目“NO-SUCH”" in unknown.text
    assert viewer.get("/search", params={"project": PROJECT, "sort": "sideways"}).status_code == 400


# -- the review queue -----------------------------------------------------------------------
def test_review_shows_names_by_part_the_reason_and_no_default_project(app, home, tmp_path):
    known, unknown = waiting_doc(home, tmp_path, 1), waiting_doc(home, tmp_path, 2, project=None)
    archivist, _ = signed_in(app, "archivist")
    page = archivist.get("/review").text
    block = page[page.index(f'id="review-{unknown}"') :]
    assert "未识别项目，请选择" in block
    assert re.search(r'<option value=""\s+selected>请选择项目</option>', block)
    assert '<optgroup label="' in page and "C07 原材料" in page  # items by part, code and name
    assert "等待原因：" in page and f'id="review-{known}"' in page
    assert "<kbd>j</kbd>" in page and "<kbd>d</kbd>" in page  # the shortcut legend


def test_filing_from_review_opens_the_next_document(app, home, tmp_path):
    first, second = waiting_doc(home, tmp_path, 1), waiting_doc(home, tmp_path, 2)
    archivist, token = signed_in(app, "archivist")
    r = archivist.post(
        f"/review/{first}/file", data={"csrf": token, "project": PROJECT, "item": "C04", "next": str(second)}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/review?filed={first}&at={second}"
    page = archivist.get(r.headers["location"]).text
    assert f'class="review current" id="review-{second}"' in page


def test_discarding_from_review_opens_the_document_after_it(app, home, tmp_path):
    first, second, third = (waiting_doc(home, tmp_path, n) for n in (1, 2, 3))
    archivist, token = signed_in(app, "archivist")
    page = archivist.get(f"/review?at={second}").text
    form = page[page.index(f'action="/documents/{second}/discard"') :]
    assert f'name="next" value="{third}"' in form[: form.index("</form>")]  # the page names the one after it
    r = archivist.post(
        f"/documents/{second}/discard",
        data={"csrf": token, "reason": "重复扫描", "back": "review", "next": str(third)},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/review?discarded={second}&at={third}"
    page = archivist.get(r.headers["location"]).text
    assert f'class="review current" id="review-{third}"' in page and f"已把 #{second} 移入回收站" in page
    assert f'id="review-{first}"' in page and f'id="review-{second}"' not in page


def test_an_item_outside_the_checklist_is_said_on_the_queue(app, home, tmp_path):
    doc = waiting_doc(home, tmp_path, 1)
    archivist, token = signed_in(app, "archivist")
    r = archivist.post(f"/review/{doc}/file", data={"csrf": token, "project": PROJECT, "item": "Z99"})
    assert r.status_code == 409 and f"#{doc}：" in r.text and f'id="review-{doc}"' in r.text
    r = archivist.post(f"/review/{doc}/file", data={"csrf": token, "project": "", "item": "C04"})
    assert r.status_code == 400 and f'id="review-{doc}"' in r.text
    with Catalog.open(home) as cat:
        assert cat.document(doc)["status"] == "review"


def test_several_documents_are_filed_together(app, home, tmp_path):
    docs = [waiting_doc(home, tmp_path, n) for n in range(3)]
    archivist, token = signed_in(app, "archivist")
    r = archivist.post(
        "/review/bulk", data={"csrf": token, "project": PROJECT, "item": "C04", "doc": [str(d) for d in docs[:2]]}
    )
    assert r.status_code == 200 and "已把 2 份文件归入 C04" in r.text
    with Catalog.open(home) as cat:
        assert [cat.document(d)["status"] for d in docs] == ["filed", "filed", "review"]
    empty = archivist.post("/review/bulk", data={"csrf": token, "project": PROJECT, "item": "C04"})
    assert empty.status_code == 400 and "请勾选要归档的文件" in empty.text
    viewer, vtoken = signed_in(app, "viewer")
    assert viewer.post("/review/bulk", data={"csrf": vtoken, "project": PROJECT, "item": "C04",
                                             "doc": str(docs[2])}).status_code == 403  # fmt: skip


# -- the trash page, undo, 403 with the menu, the corrected date ------------------------------
def test_trash_page_restores_and_undoes(app, home, tmp_path):
    doc = filed_doc(home, tmp_path)
    archivist, token = signed_in(app, "archivist")
    archivist.post(f"/documents/{doc}/discard", data={"csrf": token, "reason": "扫描重复"})
    page = archivist.get("/trash").text
    assert f'id="trash-{doc}"' in page and "扫描重复" in page
    r = archivist.post(f"/trash/{doc}/restore", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == f"/trash?restored={doc}"
    assert f'id="trash-{doc}"' not in archivist.get("/trash").text
    r = archivist.post("/trash/undo", data={"csrf": token})  # undoes the restore: back in the trash
    assert r.status_code == 303
    assert "已撤销：从回收站恢复" in archivist.get(r.headers["location"]).text
    with Catalog.open(home) as cat:
        assert cat.document(doc)["status"] == "discarded"


def test_a_403_page_keeps_the_menu(app):
    viewer, _ = signed_in(app, "viewer")
    r = viewer.get("/trash")
    assert r.status_code == 403 and 'aria-label="主菜单"' in r.text and 'href="/search"' in r.text


def test_the_date_table_ticks_the_corrected_date(app, home, tmp_path):
    doc = filed_doc(home, tmp_path, text="施工日志\n2024年3月12日 晴 基础混凝土浇筑")
    archivist, token = signed_in(app, "archivist")
    archivist.post(f"/documents/{doc}/edit", data={"csrf": token, "date": "2024-03-18"})
    table = archivist.get(f"/documents/{doc}").text.split('id="date-candidates"')[1].split("</table>")[0]
    chosen = re.findall(r'<tr class="chosen"><td>✔</td><td>([^<]+)</td><td>([^<]+)</td>', table)
    assert chosen == [("2024年3月18日", "人工更正")]
    assert "2024年3月12日" in table  # the date found in the text is still listed, not ticked


def test_a_new_service_project_is_offered_the_service_roles(app, home):
    admin, token = signed_in(app, "admin")
    page = admin.get("/admin", params={"checklist": "service"}).text
    assert page.count('id="new-project"') == 1
    form = page[page.index('id="new-project"') :]
    assert 'name="role:调度员"' in form and 'name="role:维修人员"' in form
    assert 'name="role:试验员"' not in form  # a construction role
    assert '<input type="hidden" name="checklist" value="service">' in form
    r = admin.post("/admin/projects", data={"csrf": token, "code": "SV-SH", "name": "上海服务中心",
                                            "checklist": "service", "role:调度员": "王芳"})  # fmt: skip
    assert r.status_code == 303
    with Catalog.open(home) as cat:
        from dangan.archive.projects import get_project

        project = get_project(cat, "SV-SH")
    assert project.checklist.id == "service" and project.roles == {"调度员": "王芳"}
    default = admin.get("/admin").text
    assert 'name="role:试验员"' in default[default.index('id="new-project"') :]  # construction comes first


def test_refiling_from_the_document_page_picks_an_item_by_name(app, home, tmp_path):
    doc = filed_doc(home, tmp_path)
    archivist, token = signed_in(app, "archivist")
    form = archivist.get(f"/documents/{doc}").text.split('id="refile"')[1].split("</form>")[0]
    assert '<option value="C04">C04 施工组织设计或施工方案</option>' in form and "<optgroup" in form
    assert f'<option value="{PROJECT}" data-checklist="construction" selected>' in form
    r = archivist.post(f"/documents/{doc}/refile", data={"csrf": token, "project": PROJECT, "item": "C04"})
    assert r.status_code == 303
    with Catalog.open(home) as cat:
        assert cat.document(doc)["item_code"] == "C04"


def test_emptying_the_trash_removes_the_pictures_too(home, tmp_path):
    from datetime import timedelta

    from dangan.archive.life.trash import discard, empty_trash

    prepare_home(home)
    doc = pdf_doc(home, tmp_path)
    with Catalog.open(home) as cat:
        folder = thumbs.preview_dir(cat, cat.document(doc)["sha256"])
        assert (folder / "thumb.png").is_file()
        discard(cat, doc, reason="扫描重复")
        assert (folder / "thumb.png").is_file()  # in the trash it can come back, pictures and all
        assert [d["id"] for d in empty_trash(cat, older_than=timedelta(0))] == [doc]
    assert not folder.exists()
