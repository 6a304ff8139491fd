"""The volumes (案卷) pages through Starlette's test client: list, plan, seal, build, check, roles, CSRF."""

from __future__ import annotations

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.handover import run_checks
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.volumes import list_volumes
from dangan.web.app import create_app
from tests.conftest import write_text_doc
from tests.docgen import make_docx
from tests.webutil import login, make_client, prepare_home

CODE = "BJ-2024-017"


@pytest.fixture
def app(home, tmp_path):
    prepare_home(home)
    folder = tmp_path / "in"
    write_text_doc(folder, "施工合同书.txt", "施工合同书 2024年2月1日")
    write_text_doc(folder, "施工日志1.txt", "施工日志 2024年5月1日 晴")
    with Catalog.open(home) as cat:
        records = ingest_paths(cat, [folder], project=CODE)
    assert all(r.outcome == "filed" for r in records), [r.message for r in records]
    return create_app(home, max_upload_bytes=64 * 1024)


def as_role(app, role: str):
    c = make_client(app)
    c.__enter__()
    return c, login(c, role)


def volumes_of(home):
    with Catalog.open(home) as cat:
        return list_volumes(cat, CODE)


def test_an_archivist_plans_and_the_page_lists_the_volume_and_its_documents(app, home):
    archivist, token = as_role(app, "archivist")
    assert "尚未组卷" in archivist.get(f"/volumes/{CODE}").text
    r = archivist.post(f"/volumes/{CODE}/plan", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == f"/volumes/{CODE}?done=plan"
    vols = volumes_of(home)
    assert vols and sum(len(v.entries) for v in vols) == 2
    page = archivist.get(r.headers["location"]).text
    assert "已重新组卷" in page and "草稿" in page and vols[0].title in page
    assert "施工合同书" in page and "施工日志" in page and "封卷" in page


def test_seal_and_unseal_with_a_reason(app, home):
    archivist, token = as_role(app, "archivist")
    archivist.post(f"/volumes/{CODE}/plan", data={"csrf": token})
    seq = volumes_of(home)[0].sequence
    assert archivist.post(f"/volumes/{CODE}/{seq}/seal", data={"csrf": token}).status_code == 303
    assert volumes_of(home)[0].sealed and "已封卷" in archivist.get(f"/volumes/{CODE}").text
    r = archivist.post(f"/volumes/{CODE}/{seq}/unseal", data={"csrf": token, "reason": ""})
    assert r.status_code == 400 and "撤销封卷须写明原因（记入日志）。" in r.text
    assert volumes_of(home)[0].sealed
    r = archivist.post(f"/volumes/{CODE}/{seq}/unseal", data={"csrf": token, "reason": "补充设计变更单"})
    assert r.status_code == 303
    assert not volumes_of(home)[0].sealed


def test_a_viewer_may_read_but_not_plan_seal_or_build(app, home):
    archivist, token = as_role(app, "archivist")
    archivist.post(f"/volumes/{CODE}/plan", data={"csrf": token})
    before = volumes_of(home)
    viewer, vtoken = as_role(app, "viewer")
    page = viewer.get(f"/volumes/{CODE}")
    assert page.status_code == 200 and "封卷</button>" not in page.text
    for action in ("plan", "1/seal", "1/build"):
        r = viewer.post(f"/volumes/{CODE}/{action}", data={"csrf": vtoken})
        assert r.status_code == 403 and "没有此操作的权限" in r.text
    assert [v.status for v in volumes_of(home)] == [v.status for v in before]


def test_a_post_without_the_csrf_token_is_refused(app, home):
    archivist, _token = as_role(app, "archivist")
    r = archivist.post(f"/volumes/{CODE}/plan", data={})
    assert r.status_code == 403 and "CSRF" in r.text
    assert archivist.post(f"/volumes/{CODE}/plan", data={"csrf": "forged"}).status_code == 403
    assert volumes_of(home) == []


def test_the_check_page_shows_a_failing_row_for_a_missing_item(app, home):
    with Catalog.open(home) as cat:
        missing = [f.item for f in run_checks(cat, CODE).findings if f.item]
    assert missing  # the small project lacks required checklist items
    viewer, _ = as_role(app, "viewer")
    page = viewer.get(f"/volumes/{CODE}/check")
    assert page.status_code == 200 and "<b>不通过</b>" in page.text
    properties, findings = page.text.split('id="properties"')[1].split('id="findings"')
    assert "<td>完整性</td><td>✘ 不通过" in properties and "<td>真实性</td><td>✔ 通过" in properties
    assert f"{missing[0]}</td>" in findings and "必须归档，既未归档也未免交" in findings
    assert f'<a href="/check/{CODE}#item-{missing[0]}">免交</a>' in findings  # the row links to its fix
    assert "还没有组入案卷" in findings and f'<a href="/volumes/{CODE}">组卷</a>' in findings  # filed, not planned yet
    assert "dangan " not in findings
    manager, token = as_role(app, "manager")
    manager.post(f"/check/{CODE}/waive", data={"csrf": token, "item": missing[0], "reason": "本工程无此项"})
    assert f"{missing[0]}</td>" not in viewer.get(f"/volumes/{CODE}/check").text.split('id="findings"')[1]


def test_the_pdf_is_built_and_downloaded_by_volume_id_only(app, home):
    archivist, token = as_role(app, "archivist")
    archivist.post(f"/volumes/{CODE}/plan", data={"csrf": token})
    v = volumes_of(home)[0]
    assert archivist.get(f"/volume-pdf/{v.id}").status_code == 404  # not built yet
    r = archivist.post(f"/volumes/{CODE}/{v.sequence}/build", data={"csrf": token})
    assert r.status_code == 303
    assert f'href="/volume-pdf/{v.id}"' in archivist.get(f"/volumes/{CODE}").text
    pdf = archivist.get(f"/volume-pdf/{v.id}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    bad = archivist.get("/volume-pdf/99999")
    assert bad.status_code == 404 and "还没有最新的 PDF" in bad.text
    assert archivist.get("/volume-pdf/..%2F..%2Fdangan.toml").status_code == 404


def test_a_pdf_is_not_served_once_its_volume_changed(app, home):
    archivist, token = as_role(app, "archivist")
    archivist.post(f"/volumes/{CODE}/plan", data={"csrf": token})
    v = volumes_of(home)[0]
    archivist.post(f"/volumes/{CODE}/{v.sequence}/build", data={"csrf": token})
    assert archivist.get(f"/volume-pdf/{v.id}").status_code == 200
    assert archivist.post(f"/volumes/{CODE}/{v.sequence}/seal", data={"csrf": token}).status_code == 303
    assert archivist.get(f"/volume-pdf/{v.id}").status_code == 200  # sealing does not change the PDF
    doc = v.entries[0].document_id
    r = archivist.post(f"/documents/{doc}/edit", data={"csrf": token, "title": "施工合同书（补充）"})
    assert r.status_code == 303
    stale = archivist.get(f"/volume-pdf/{v.id}")
    assert stale.status_code == 404 and "还没有最新的 PDF" in stale.text
    assert f'href="/volume-pdf/{v.id}"' not in archivist.get(f"/volumes/{CODE}").text


def test_without_libreoffice_a_word_file_gives_a_clear_page_and_no_pdf(app, home, tmp_path, monkeypatch):
    (tmp_path / "word").mkdir()
    make_docx(tmp_path / "word" / "图纸会审纪要.docx", ["图纸会审纪要", "会审日期：2024年3月8日"])
    with Catalog.open(home) as cat:
        (rec,) = ingest_paths(cat, [tmp_path / "word"], project=CODE)
    assert rec.outcome == "filed"
    archivist, token = as_role(app, "archivist")
    archivist.post(f"/volumes/{CODE}/plan", data={"csrf": token})
    word = next(x for x in volumes_of(home) if any(e.document_id == rec.doc_id for e in x.entries))
    monkeypatch.setattr("dangan.archive.forms.pdf.shutil.which", lambda _name: None)
    r = archivist.post(f"/volumes/{CODE}/{word.sequence}/build", data={"csrf": token})
    assert r.status_code == 503 and "Traceback" not in r.text
    assert "服务器没有安装 LibreOffice，无法生成 PDF：请管理员安装后重试。" in r.text and "apt-get" not in r.text
    assert archivist.get(f"/volume-pdf/{word.id}").status_code == 404
    assert list((home.root / ".web-volumes").iterdir()) == []  # the failed build left nothing behind


def test_the_menu_and_the_completeness_page_link_to_the_volumes(app):
    viewer, _ = as_role(app, "viewer")
    assert f'href="/volumes/{CODE}"' in viewer.get(f"/check/{CODE}").text
    overview = viewer.get("/volumes").text
    assert 'href="/volumes"' in overview and f'href="/volumes/{CODE}/check"' in overview
