"""A document's life in the web app: edit, discard and restore per role, with the user in the log."""

from __future__ import annotations

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import file_document
from tests.test_web import app, as_role, filed_doc  # noqa: F401  (app is a fixture)


def _status(home, doc: int) -> dict:
    with Catalog.open(home) as cat:
        return cat.document(doc)


def test_an_archivist_edits_the_date_and_title_and_the_page_and_log_show_it(app, home, tmp_path):  # noqa: F811
    doc = filed_doc(
        home, tmp_path, "施工日志_0312.txt", "施工日志\n编制日期：2024年3月12日\n基础混凝土浇筑", item="C14"
    )
    archivist, token = as_role(app, "archivist")
    page = archivist.get(f"/documents/{doc}").text
    assert 'id="edit-form"' in page and 'id="date-candidates"' in page and "2024年3月12日" in page
    form = {"csrf": token, "title": "施工日志（三月）", "date": "2024-03-15", "number": "施日-012", "author": "",  # pages left out
            "retention": "", "secrecy": "", "remarks": ""}  # fmt: skip
    r = archivist.post(f"/documents/{doc}/edit", data=form)
    assert r.status_code == 303 and r.headers["location"] == f"/documents/{doc}?saved=1"
    page = archivist.get(r.headers["location"]).text
    assert '<td id="doc-date">2024年3月15日</td>' in page and "已保存修改。" in page
    assert "日期: 2024-03-12 → 2024-03-15" in page and "2024-03-15（人工修改，见事件 " in page
    d = _status(home, doc)
    assert (d["title"], str(d["document_date"]), d["doc_number"]) == ("施工日志（三月）", "2024-03-15", "施日-012")
    assert d["vault_path"].split("/")[-1].startswith("20240315_")
    with Catalog.open(home) as cat:
        [ev] = [e for e in cat.events(document=doc) if e["action"] == "edited"]
    assert (ev["actor"], ev["command"]) == ("archivist", "web")
    assert set(ev["detail"]["after"]) == {"title", "document_date", "doc_number", "vault_path"}
    # Sending the form back unchanged changes and logs nothing.
    form.update(title="施工日志（三月）", date="2024-03-15", number="施日-012")
    assert archivist.post(f"/documents/{doc}/edit", data=form).status_code == 303
    with Catalog.open(home) as cat:
        assert [e["action"] for e in cat.events(document=doc)].count("edited") == 1


def test_a_bad_edit_is_one_message_and_changes_nothing(app, home, tmp_path):  # noqa: F811
    doc = filed_doc(home, tmp_path, item="C14")
    archivist, token = as_role(app, "archivist")
    before = _status(home, doc)
    r = archivist.post(f"/documents/{doc}/edit", data={"csrf": token, "title": "x", "date": "2024-02-30"})
    assert r.status_code == 400 and "“2024-02-30”不是日期：请写成 年-月-日，如 2025-03-01。" in r.text
    r = archivist.post(f"/documents/{doc}/edit", data={"csrf": token, "pages": "three"})
    assert r.status_code == 400 and "页数“three”不正确，请填 1 以上的整数。" in r.text
    r = archivist.post(f"/documents/{doc}/edit", data={"csrf": token, "secrecy": "内部"})
    assert r.status_code == 400 and "“内部”不是密级，请选公开、秘密、机密或绝密。" in r.text
    assert _status(home, doc) == before


def test_an_edited_script_title_shows_as_text(app, home, tmp_path):  # noqa: F811
    doc = filed_doc(home, tmp_path, item="C14")
    archivist, token = as_role(app, "archivist")
    archivist.post(f"/documents/{doc}/edit", data={"csrf": token, "title": "<script>alert(1)</script>"})
    page = archivist.get(f"/documents/{doc}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_viewers_managers_and_desks_get_403_on_edit_discard_and_restore(app, home, tmp_path):  # noqa: F811
    doc = filed_doc(home, tmp_path, item="C14")
    for role in ("viewer", "manager", "desk"):
        other, token = as_role(app, role)
        page = other.get(f"/documents/{doc}").text
        assert 'id="edit-form"' not in page and 'id="discard"' not in page, role
        for action, data in (("edit", {"title": "改"}), ("discard", {"reason": "x"}), ("restore", {})):
            r = other.post(f"/documents/{doc}/{action}", data={"csrf": token, **data})
            assert r.status_code == 403 and "没有此操作的权限" in r.text, (role, action)
    assert _status(home, doc)["status"] == "filed" and _status(home, doc)["title"] != "改"


def test_edit_and_discard_without_the_csrf_token_are_refused(app, home, tmp_path):  # noqa: F811
    doc = filed_doc(home, tmp_path, item="C14")
    archivist, _ = as_role(app, "archivist")
    assert archivist.post(f"/documents/{doc}/edit", data={"title": "改"}).status_code == 403
    r = archivist.post(f"/documents/{doc}/discard", data={"csrf": "forged", "reason": "x"})
    assert r.status_code == 403 and "CSRF" in r.text
    assert _status(home, doc)["status"] == "filed"


def test_discard_from_review_leaves_review_search_and_check_and_restore_brings_it_back(app, home, tmp_path):  # noqa: F811
    notice = filed_doc(home, tmp_path, "会议通知.txt", "会议通知\n周五下午召开安全例会")
    log = filed_doc(home, tmp_path, item="C14")
    archivist, token = as_role(app, "archivist")
    assert f'action="/documents/{notice}/discard"' in archivist.get("/review").text
    r = archivist.post(
        f"/documents/{notice}/discard", data={"csrf": token, "reason": "会议通知，不归档", "back": "review"}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/review?discarded={notice}"
    page = archivist.get(r.headers["location"]).text
    assert f"已把 #{notice} 移入回收站" in page and f'id="review-{notice}"' not in page
    assert "会议通知" not in archivist.get("/search?q=安全例会").text.split('id="results"')[-1]
    r = archivist.post(f"/documents/{notice}/discard", data={"csrf": token, "reason": "again"})
    assert r.status_code == 409 and f"文件 #{notice} 已经在回收站中。" in r.text
    # A filed document discarded from its page leaves the checklist; restore puts it back.
    assert f'href="/documents/{log}"' in archivist.get("/check/BJ-2024-017").text
    archivist.post(f"/documents/{log}/discard", data={"csrf": token, "reason": "重复扫描"})
    page = archivist.get(f"/documents/{log}").text
    assert (
        "已移入回收站" in page and "原因：重复扫描" in page and 'id="restore"' in page and 'id="edit-form"' not in page
    )
    assert f'href="/documents/{log}"' not in archivist.get("/check/BJ-2024-017").text
    assert "共 1 条" not in archivist.get("/search?q=混凝土浇筑").text
    assert archivist.post(f"/documents/{log}/restore", data={"csrf": token}).status_code == 303
    assert f'href="/documents/{log}"' in archivist.get("/check/BJ-2024-017").text
    assert "共 1 条" in archivist.get("/search?q=混凝土浇筑").text
    with Catalog.open(home) as cat:
        actions = [(e["action"], e["actor"]) for e in cat.events(document=log)][-2:]
    assert actions == [("discarded", "archivist"), ("restored", "archivist")]
    r = archivist.post(f"/documents/{log}/restore", data={"csrf": token})
    assert r.status_code == 409 and f"文件 #{log} 不在回收站中，无需恢复。" in r.text


def test_a_discard_needs_a_reason(app, home, tmp_path):  # noqa: F811
    doc = filed_doc(home, tmp_path, item="C14")
    archivist, token = as_role(app, "archivist")
    r = archivist.post(f"/documents/{doc}/discard", data={"csrf": token, "reason": "  "})
    assert r.status_code == 400 and f"文件 #{doc}：请写明移入回收站的原因。" in r.text
    assert _status(home, doc)["status"] == "filed"


def test_the_page_shows_how_each_page_was_read(app, home, tmp_path):  # noqa: F811
    from tests.docgen import make_text_pdf

    pdf = make_text_pdf(tmp_path / "施工日志.pdf", ["施工日志 2024年3月12日 晴"])
    with Catalog.open(home) as cat:
        doc = file_document(cat, pdf, project="BJ-2024-017", item="C14").doc_id
    viewer, _ = as_role(app, "desk")
    page = viewer.get(f"/documents/{doc}").text
    assert 'id="page-reads"' in page and "第 1 页：文字层" in page


def test_restoring_from_the_trash_page_says_it_went_back_into_its_volume(app, home, tmp_path):  # noqa: F811
    from dangan.archive.life.trash import discard
    from dangan.archive.volumes import plan_volumes, volume_of

    first = filed_doc(home, tmp_path, "施工日志_0312.txt", "施工日志\n基础混凝土浇筑", item="C14")
    filed_doc(home, tmp_path, "施工日志_0313.txt", "施工日志\n二层柱钢筋绑扎", item="C14")
    with Catalog.open(home) as cat:
        plan_volumes(cat, "BJ-2024-017")
        v = volume_of(cat, first)
        order = [e.document_id for e in v.entries]
        discard(cat, first, reason="误删")
    archivist, token = as_role(app, "archivist")
    r = archivist.post(f"/trash/{first}/restore", data={"csrf": token})
    assert r.status_code == 303
    page = archivist.get(r.headers["location"]).text
    piece = order.index(first) + 1
    assert f"文件 #{first} 已放回 BJ-2024-017 第{v.sequence}卷原来的位置，件号 {piece}（件号和页次已重排）。" in page
    assert 'id="volume-note"' not in archivist.get("/trash").text  # said once
    with Catalog.open(home) as cat:
        assert [e.document_id for e in volume_of(cat, first).entries] == order
    # the same from the document's own page: discard, then 从回收站恢复
    archivist.post(f"/documents/{first}/discard", data={"csrf": token, "reason": "误删"})
    r = archivist.post(f"/documents/{first}/restore", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == f"/documents/{first}"
    assert f"件号 {piece}（件号和页次已重排）。" in archivist.get(r.headers["location"]).text
