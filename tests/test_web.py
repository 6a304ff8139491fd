"""The web app through Starlette's test client: sign-in, roles, CSRF, escaping, downloads by id."""

from __future__ import annotations

import json

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import file_document
from dangan.web.app import create_app
from tests.conftest import write_text_doc
from tests.webutil import PASSWORD, csrf_of, login, make_client, prepare_home


@pytest.fixture
def app(home):
    prepare_home(home)
    return create_app(home, max_upload_bytes=64 * 1024)


@pytest.fixture
def client(app):
    with make_client(app) as c:
        yield c


def as_role(app, role: str):
    c = make_client(app)
    c.__enter__()
    return c, login(c, role)


def filed_doc(home, tmp_path, name="施工日志_0312.txt", text="施工日志\n基础混凝土浇筑", **kw) -> int:
    with Catalog.open(home) as cat:
        rec = file_document(cat, write_text_doc(tmp_path / "in", name, text), project="BJ-2024-017", **kw)
    return rec.doc_id


def test_an_anonymous_request_gets_the_login_page(client):
    r = client.get("/check")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/check"
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and "登录档案系统" in page.text and 'name="password"' in page.text
    assert client.get("/api/check").status_code == 401


def test_a_wrong_password_is_refused_with_one_message(client):
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": "admin", "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码错误。" in r.text
    assert client.get("/search").status_code == 303  # still not signed in


def test_a_viewer_cannot_file_waive_upload_or_render(app, home, tmp_path):
    doc = filed_doc(home, tmp_path, "工作联系单.txt", "工作联系单\n关于施工方案与施工日志的补充说明")
    viewer, token = as_role(app, "viewer")
    r = viewer.post(f"/review/{doc}/file", data={"csrf": token, "project": "BJ-2024-017", "item": "C04"})
    assert r.status_code == 403 and "没有此操作的权限" in r.text
    assert (
        viewer.post("/check/BJ-2024-017/waive", data={"csrf": token, "item": "C13", "reason": "x"}).status_code == 403
    )
    assert viewer.post("/upload", data={"csrf": token}, files={"files": ("a.txt", b"x")}).status_code == 403
    assert viewer.post("/forms/维护派工单/render", data={"csrf": token}).status_code == 403
    with Catalog.open(home) as cat:
        assert cat.document(doc)["status"] == "review"
    assert viewer.get("/check/BJ-2024-017").status_code == 200  # reading is allowed


def test_a_form_post_without_the_csrf_token_is_refused(app, home):
    admin, token = as_role(app, "admin")
    r = admin.post("/check/BJ-2024-017/waive", data={"item": "C13", "reason": "本工程未停工"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = admin.post("/check/BJ-2024-017/waive", data={"csrf": "forged", "item": "C13", "reason": "本工程未停工"})
    assert r.status_code == 403
    assert "免交（本工程未停工）" not in admin.get("/check/BJ-2024-017").text
    r = admin.post("/check/BJ-2024-017/waive", data={"csrf": token, "item": "C13", "reason": "本工程未停工"})
    assert r.status_code == 303
    assert "免交（本工程未停工）" in admin.get("/check/BJ-2024-017").text


def test_a_script_title_shows_as_text(app, home, tmp_path):
    doc = filed_doc(
        home,
        tmp_path,
        "<img src=x onerror=alert(3)>施工日志.txt",
        "施工日志 <script>alert(2)</script>",
        title="<script>alert(1)</script>",
        item="C14",
    )
    viewer, _ = as_role(app, "viewer")
    for url in (f"/documents/{doc}", "/search?q=施工日志", "/check/BJ-2024-017"):
        page = viewer.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in viewer.get(f"/documents/{doc}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in viewer.get("/search?q=施工日志").text


def test_a_document_file_is_found_by_id_only(app, home, tmp_path):
    doc = filed_doc(home, tmp_path, item="C14")
    viewer, _ = as_role(app, "viewer")
    assert viewer.get(f"/api/documents/{doc}/file").content.startswith("施工日志".encode())
    r = viewer.get("/api/documents/999/file")
    assert (
        r.status_code == 404 and r.json()["error"] == "no document 999 in the catalog; `dangan catalog CODE` lists ids"
    )
    for probe in (
        "/api/documents/..%2F..%2Fcatalog.db/file",
        "/api/documents/%2Fetc%2Fpasswd/file",
        "/documents/1.5/file",
    ):
        assert viewer.get(probe).status_code == 404, probe
    # A damaged catalog row pointing outside the vault is refused, not followed.
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        cat.update_document(conn, doc, vault_path="../catalog.db")
    r = viewer.get(f"/api/documents/{doc}/file")
    assert r.status_code == 404 and "is not in the vault" in r.json()["error"]


def test_the_api_answers_with_the_cli_json_shapes(app, home, tmp_path, cli):
    filed_doc(home, tmp_path, item="C14")
    filed_doc(home, tmp_path, "工作联系单.txt", "工作联系单\n关于施工方案与施工日志的补充说明")
    with Catalog.open(home) as cat:
        from dangan.archive.users import create_token

        token = create_token(cat, "viewer")
    api = make_client(app)
    api.headers["Authorization"] = f"Bearer {token}"
    for url, args in (("/api/check/BJ-2024-017", ["check", "BJ-2024-017"]), ("/api/review", ["review"]),
                      ("/api/catalog/BJ-2024-017", ["catalog", "BJ-2024-017"]), ("/api/search?q=施工日誌", ["search", "施工日誌"])):  # fmt: skip
        assert api.get(url).json() == json.loads(cli(*args, "--json").output), url
    api.headers["Authorization"] = "Bearer dgn_not-a-token"
    assert api.get("/api/review").status_code == 401


def test_an_upload_over_the_limit_is_refused_and_nothing_filed(app, home):
    archivist, token = as_role(app, "archivist")
    r = archivist.post("/upload", data={"csrf": token}, files={"files": ("big.txt", b"x" * (2 * 1024 * 1024))})
    assert r.status_code == 413
    with Catalog.open(home) as cat:
        assert cat.count_documents() == 0


def test_upload_reports_each_outcome(app, home):
    archivist, token = as_role(app, "archivist")
    files = [("files", ("施工日志.txt", "施工日志\n晴".encode())), ("files", ("../../坏.pdf", b"%PDF-1.4 broken")),
             ("files", ("空.txt", b"")), ("files", ("copy.txt", "施工日志\n晴".encode()))]  # fmt: skip
    r = archivist.post("/upload", data={"csrf": token, "project": "BJ-2024-017"}, files=files)
    assert r.status_code == 200
    rows = r.text.split('id="outcomes"')[1]
    assert (
        rows.count('class="o-filed"') == 1
        and rows.count('class="o-duplicate"') == 1
        and rows.count('class="o-failed"') == 2
    )
    assert "空.txt: the file is empty (0 bytes); upload it again" in r.text
    assert not list((home.root / ".uploads").glob("*/*"))  # the upload folder is cleaned up


def test_bad_form_data_is_shown_by_row_and_column(app):
    desk, token = as_role(app, "desk")
    csv = "派工单号,派工日期,客户名称\nPG-1,2024-13-01,王\n".encode("gbk")
    r = desk.post("/forms/维护派工单/render", data={"csrf": token}, files={"data": ("派工.csv", csv)})
    assert r.status_code == 422
    assert "<td>2</td><td>派工日期</td>" in r.text and "未生成任何文件" in r.text


def test_events_name_the_signed_in_user(app, home):
    manager, token = as_role(app, "manager")
    manager.post("/check/BJ-2024-017/waive", data={"csrf": token, "item": "C13", "reason": "本工程未停工"})
    with Catalog.open(home) as cat:
        waived = [e for e in cat.events(project="BJ-2024-017") if e["action"] == "item-waived"]
    assert [(e["actor"], e["command"]) for e in waived] == [("manager", "web")]


def test_login_never_redirects_off_site(client):
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": "viewer", "password": PASSWORD, "next": "//evil.example/x"})
    assert r.headers["location"] == "/search"


def test_an_unknown_page_is_a_clear_404_page(app):
    viewer, _ = as_role(app, "viewer")
    r = viewer.get("/check/NO-SUCH")
    assert r.status_code == 404 and "no project NO-SUCH" in r.text.lower() or "NO-SUCH" in r.text
    assert "Traceback" not in r.text


def test_an_admin_adds_users_and_projects_and_others_may_not(app, home):
    admin, token = as_role(app, "admin")
    assert (
        admin.post(
            "/admin/users", data={"csrf": token, "name": "王芳", "role": "archivist", "password": "password9"}
        ).status_code
        == 303
    )
    r = admin.post("/admin/projects", data={"csrf": token, "code": "SH-2025-031", "name": "滨江大厦", "checklist": "construction",
                                            "role:项目经理": "李娜", "role:施工员": ""})  # fmt: skip
    assert r.status_code == 303
    r = admin.post("/admin/projects", data={"csrf": token, "code": "bad code", "name": "x"})
    assert r.status_code == 400 and "invalid project code &#39;bad code&#39;" in r.text
    with Catalog.open(home) as cat:
        from dangan.archive.projects import get_project
        from dangan.archive.users import authenticate

        assert authenticate(cat, "王芳", "password9").role == "archivist"
        assert get_project(cat, "SH-2025-031").roles == {"项目经理": "李娜"}
    manager, mtoken = as_role(app, "manager")
    assert manager.get("/admin").status_code == 403
    assert manager.post("/admin/users/viewer/role", data={"csrf": mtoken, "role": "admin"}).status_code == 403


def test_an_internal_error_is_a_page_without_a_traceback(app, monkeypatch):
    import dangan.web.checks

    def broken(*_a, **_k):
        raise RuntimeError("disk on fire at /srv/secret/path")

    monkeypatch.setattr(dangan.web.checks.completeness, "check_all", broken)
    viewer, _ = as_role(app, "viewer")
    with make_client(app, raise_server_exceptions=False) as raw:
        raw.cookies = viewer.cookies
        r = raw.get("/check")
    assert r.status_code == 500 and "内部错误（RuntimeError）：请把服务器日志交给管理员。" in r.text
    assert "Traceback" not in r.text and "/srv/secret" not in r.text


def test_an_archivist_refiles_from_the_document_page_and_a_viewer_may_not(app, home, tmp_path):
    doc = filed_doc(home, tmp_path, item="C14")
    viewer, vtoken = as_role(app, "viewer")
    assert 'id="refile"' not in viewer.get(f"/documents/{doc}").text
    assert viewer.post(f"/documents/{doc}/refile", data={"csrf": vtoken, "item": "C05"}).status_code == 403
    archivist, token = as_role(app, "archivist")
    r = archivist.post(f"/documents/{doc}/refile", data={"csrf": token, "item": "C05"})
    assert r.status_code == 303 and r.headers["location"] == f"/documents/{doc}"
    page = archivist.get(f"/documents/{doc}").text
    assert "C05 设计变更通知单、核定单" in page and "<td>改归</td><td>archivist</td>" in page
    r = archivist.post(f"/documents/{doc}/refile", data={"csrf": token, "item": "C99"})
    assert r.status_code == 404 and "C99" in r.text


def test_every_register_downloads_as_word_and_excel(app, home, tmp_path):
    import io
    import zipfile

    filed_doc(home, tmp_path, item="C14")
    viewer, _ = as_role(app, "viewer")
    for kind in ("卷内目录", "一览表", "备考表", "归档文件目录"):
        for fmt, part in (("docx", "word/document.xml"), ("xlsx", "xl/workbook.xml")):
            r = viewer.get(f"/registers/BJ-2024-017/{kind}.{fmt}")
            assert r.status_code == 200 and part in zipfile.ZipFile(io.BytesIO(r.content)).namelist(), (kind, fmt)
    assert viewer.get("/registers/BJ-2024-017/目录.docx").status_code == 400
    assert viewer.get("/registers/NO-SUCH/卷内目录.docx").status_code == 404


def test_a_forms_zip_is_fetched_once_by_its_maker_only(app, home):
    import io
    import re
    import zipfile
    from pathlib import Path

    sample = Path(__file__).resolve().parent.parent / "samples" / "forms" / "维护派工单.csv"
    two_rows = b"\n".join(sample.read_bytes().splitlines()[:3]) + b"\n"  # GBK header and two rows
    desk, token = as_role(app, "desk")
    r = desk.post("/forms/维护派工单/render", data={"csrf": token}, files={"data": ("派工.csv", two_rows)})
    assert r.status_code == 200 and "已生成 2 份维护派工单" in r.text
    link = re.search(r'href="(/downloads/[^"]+)" id="zip"', r.text).group(1)
    admin, _ = as_role(app, "admin")
    assert admin.get(link).status_code == 404  # not the user who made it
    zipped = desk.get(link)
    assert zipped.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()) == 2
    assert desk.get(link).status_code == 404  # once
    assert not any((home.root / ".web-forms").iterdir())  # its folder went with it


def test_work_folders_of_an_earlier_run_are_swept_at_start(home):
    prepare_home(home)
    for leftover in (home.root / ".uploads" / "tmpabc", home.root / ".web-forms" / "tmpdef"):
        leftover.mkdir(parents=True)
        (leftover / "x.txt").write_text("x")
    create_app(home)
    assert not any((home.root / ".uploads").iterdir()) and not any((home.root / ".web-forms").iterdir())


def test_search_pages_twenty_at_a_time_with_filters(app, home, tmp_path):
    with Catalog.open(home) as cat:
        for n in range(25):
            path = write_text_doc(tmp_path / "many", f"施工日志_{n:02d}.txt", f"施工日志 第{n}天\n混凝土养护")
            file_document(cat, path, project="BJ-2024-017", item="C14" if n % 5 else "C09")
    viewer, _ = as_role(app, "viewer")
    first = viewer.get("/search?q=混凝土").text
    assert "第 1–20 条，共 25 条" in first and first.count('class="hit"') == 20
    assert 'href="/search?q=%E6%B7%B7%E5%87%9D%E5%9C%9F&amp;page=2" id="next-page"' in first
    second = viewer.get("/search?q=混凝土&page=2").text
    assert "第 21–25 条，共 25 条" in second and second.count('class="hit"') == 5
    assert "共 5 条" in viewer.get("/search?q=混凝土&item=C09").text
    r = viewer.get("/search?q=混凝土&from=2024-13-01")
    assert r.status_code == 400 and "起始日期 &#39;2024-13-01&#39; 不是日期" in r.text
    assert viewer.get("/search?q=混凝土&page=0").status_code == 400


def test_pages_carry_a_content_security_policy_and_files_keep_theirs(app, home, tmp_path):
    doc = filed_doc(home, tmp_path, item="C14")
    viewer, _ = as_role(app, "viewer")
    page = viewer.get("/search")
    assert (
        "default-src 'self'" in page.headers["content-security-policy"]
        and page.headers["x-frame-options"] == "SAMEORIGIN"
    )
    assert viewer.get(f"/documents/{doc}/file").headers["content-security-policy"] == "sandbox"
