"""Web requests within bounds (issue 25 item 14): each answer is Chinese, 4xx, and shows no server path.

A 2,000-term OR query took 9.8 s, a 23-digit document id and ``today=9999-12-31`` answered
500, a zip-bomb refusal showed the upload's work path, 300 files in one upload were
accepted though the limit is 200, and the 413 page said 101 MB for a 100 MB limit.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from dangan.web.app import create_app
from tests.docgen import make_docx
from tests.test_hostile_pipeline import _set
from tests.test_web import as_role
from tests.webutil import make_client, prepare_home


def error_text(response) -> str:
    if response.headers["content-type"].startswith("application/json"):
        return response.json()["error"]
    # An error page, or the search page itself (it keeps the filters and says what is wrong above them).
    marker = 'id="message">' if 'id="message">' in response.text else 'id="search-error">'
    return response.text.split(marker)[1].split("</p>")[0]


@pytest.fixture
def app(home):
    prepare_home(home)
    return create_app(home, max_upload_bytes=64 * 1024)


@pytest.mark.parametrize("path", ["/search", "/api/search"])
def test_a_query_of_thousands_of_or_terms_is_refused_for_a_viewer(app, path):
    viewer, _ = as_role(app, "viewer")
    r = viewer.get(path, params={"q": " OR ".join(["施工"] * 2000)})
    assert r.status_code == 400
    assert error_text(r) == "搜索内容太长（11,996 个字符）：最多 500 个字符，请缩短后再搜"
    r = viewer.get(path, params={"q": " OR ".join(f"词{n}" for n in range(40))})
    assert r.status_code == 400
    assert error_text(r) == "搜索词太多（40 个）：一次最多 32 个词，请分几次搜索"
    assert viewer.get(path, params={"q": " OR ".join(f"词{n}" for n in range(32))}).status_code == 200


@pytest.mark.parametrize("path", ["/documents/99999999999999999999999", "/api/documents/99999999999999999999999",
                                  "/documents/99999999999999999999999/file"])  # fmt: skip
def test_a_document_id_too_large_for_the_catalog_is_not_found(app, path):
    viewer, _ = as_role(app, "viewer")
    r = viewer.get(path)
    assert r.status_code == 404
    assert error_text(r) == "找不到这个页面：地址有误，或它已不存在。"


@pytest.mark.parametrize("path", ["/deadlines", "/deadlines.ics", "/api/due", "/api/check", "/api/check/BJ-2024-017"])
def test_a_day_out_of_range_is_a_400_naming_it(app, path):
    viewer, _ = as_role(app, "viewer")
    r = viewer.get(path, params={"today": "9999-12-31"})
    assert r.status_code == 400
    assert error_text(r) == "日期 9999-12-31 超出范围：请用 1900 至 2199 年之间的日期"


def test_more_files_than_the_limit_in_one_upload_are_refused_and_none_filed(home):
    prepare_home(home)
    app = create_app(home, max_upload_bytes=10 * 1024 * 1024)
    archivist, token = as_role(app, "archivist")
    files = [("files", (f"施工日志{n}.txt", f"施工日志 第{n}天".encode())) for n in range(201)]
    r = archivist.post("/upload", data={"csrf": token, "project": "BJ-2024-017"}, files=files)
    assert r.status_code == 400
    assert error_text(r) == "一次上传了 201 个文件，最多 200 个：请分批上传"
    from dangan.archive.catalog import Catalog

    with Catalog.open(home) as cat:
        assert cat.count_documents() == 0


def test_the_413_page_names_the_limit_users_were_told(home):
    prepare_home(home)
    app = create_app(home, max_upload_bytes=100 * 1024 * 1024)
    with make_client(app) as client:
        r = client.post("/upload", headers={"content-length": str(102 * 1024 * 1024)}, content=b"")
    assert r.status_code == 413
    assert r.text == "上传内容超过 100 MB 的上限：请分批上传。"


def test_a_zip_bomb_upload_is_refused_without_a_server_path(home, tmp_path):
    prepare_home(home)
    _set(home, "limits", max_unzipped_mb=2)
    app = create_app(home, max_upload_bytes=1024 * 1024)
    bomb = make_docx(tmp_path / "bomb.docx", ["施工日志"])
    buf = io.BytesIO()
    with zipfile.ZipFile(bomb) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (5 << 20), 1)
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    archivist, token = as_role(app, "archivist")
    r = archivist.post("/upload", data={"csrf": token, "project": "BJ-2024-017"},
                       files=[("files", ("炸弹.docx", buf.getvalue()))])  # fmt: skip
    assert r.status_code == 200
    assert str(home.root) not in r.text
    assert "<td>炸弹.docx</td>" in r.text and "文件超过了系统的限制（2 MB）：请拆分文件，或请管理员放宽限制。" in r.text


@pytest.mark.parametrize(("query", "day"), [
    ({"period": "9999"}, "9999-01-01"),
    ({"from": "2025-01-01", "to": "9999-12-31"}, "9999-12-31"),
    ({"from": "0001-01-01"}, "0001-01-01"),
])  # fmt: skip
@pytest.mark.parametrize("path", ["/deadlines/FW-1", "/api/check/FW-1", "/api/check"])
def test_a_period_or_range_out_of_the_calendar_is_a_400(app, home, path, query, day):
    """period=9999 ends in year 10000: the date arithmetic answered 500."""
    from dangan.archive.catalog import Catalog
    from dangan.archive.projects import add_project

    with Catalog.open(home) as cat:
        add_project(cat, "FW-1", "维保", checklist="service",
                    roles={"调度员": "王强", "客服主管": "李娜", "维修人员": "赵磊", "客服专员": "张伟"})  # fmt: skip
    viewer, _ = as_role(app, "viewer")
    r = viewer.get(path, params=query)
    assert r.status_code == 400
    assert error_text(r) == f"日期 {day} 超出范围：请用 1900 至 2199 年之间的日期"


def test_a_week_past_the_calendar_is_a_400(app, home):
    """9999-W52 overflowed Python's dates inside the period parser."""
    viewer, _ = as_role(app, "viewer")
    r = viewer.get("/api/check", params={"period": "9999-W52"})
    assert r.status_code == 400
    assert error_text(r) == "期间 9999-W52 超出范围：请用 1900 至 2199 年之间的期间"
