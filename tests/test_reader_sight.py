"""A public reader (公开查阅) never meets a controlled record: not its title, file name, id or
thumbnail, on any page or in any JSON; a viewer still sees it everywhere.

The lists go through one library filter (``dangan.archive.openness.visible``); the pages that
sum up every record (completeness, deadlines, customers, statistics, lending, registers, the
四性检测, the catalog tree) are refused to the reader with one Chinese sentence.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import insert, update

from dangan.archive.appraisal import approve, create_batch, decide
from dangan.archive.catalog import Catalog
from dangan.archive.openness import visible
from dangan.archive.schema import documents, mail_attachments
from dangan.archive.users import create_token
from dangan.archive.volumes import list_volumes
from dangan.archive.volumes.plan import plan_volumes
from tests.test_web import app, as_role, filed_doc  # noqa: F401  (app is a fixture)
from tests.webutil import make_client

pytestmark = pytest.mark.both_catalogs  # the filter reads the catalog: SQLite and PostgreSQL alike

CODE = "BJ-2024-017"
WHOLE = "公开查阅只能查阅已开放的档案；此页汇总全部档案（含未开放的），不向公开查阅用户显示。"
# Pages a reader may open: each lists records, filtered to the open ones.
LISTS = ["/search?q=子午卯酉", f"/search?project={CODE}", f"/search?project={CODE}&item=C14", "/review",
         "/volumes", f"/volumes/{CODE}"]  # fmt: skip
# Pages that sum up every record: refused to a reader, shown to a viewer.
WHOLE_PAGES = ["/check", f"/check/{CODE}", f"/check/{CODE}?by=person", f"/registers/{CODE}/卷内目录.xlsx",
               f"/volumes/{CODE}/check", "/deadlines", f"/deadlines/{CODE}", "/deadlines.ics", "/customers",
               "/lending", "/locations", f"/locations/{CODE}", "/inventory", "/stats", "/stats?format=json"]  # fmt: skip
API_LISTS = ["/api/search?q=子午卯酉", "/api/documents", f"/api/documents?project={CODE}", "/api/review"]
API_WHOLE = ["/api/check", f"/api/check/{CODE}", "/api/due", f"/api/catalog/{CODE}"]


@pytest.fixture
def records(home, tmp_path):
    """Two filed records of 2010 under C14: one opened by an approved appraisal, one still
    controlled; the controlled one is attached to the open one's mail; one draft volume holds both."""
    opened = filed_doc(home, tmp_path, "梁板浇筑_0301.txt", "一层梁板浇筑记录\n子午卯酉。", item="C14")
    closed = filed_doc(home, tmp_path, "渗漏事故_0302.txt", "地下室渗漏事故调查\n子午卯酉。", item="C14")
    with Catalog.open(home) as cat:
        with cat.engine.begin() as conn:
            conn.execute(update(documents).where(documents.c.id.in_([opened, closed])).values(
                document_date=date(2010, 3, 1), retention="短期"))  # fmt: skip
            conn.execute(insert(mail_attachments).values(mail_id=opened, position=1, document_id=closed,
                                                         name="渗漏事故_0302.txt"))  # fmt: skip
        b = create_batch(cat, 2024)
        decide(cat, b["id"], opened, "open", reason="已无保密需要", by="archivist")
        decide(cat, b["id"], closed, "keep", reason="仍需控制", by="archivist", keep_until=2030)
        approve(cat, b["id"], by="manager")
        (vol,) = plan_volumes(cat, CODE)
        shown = cat.document(closed)
        token = create_token(cat, "reader")
    marks = [shown["title"], "渗漏事故", f"/documents/{closed}"]
    return {"opened": opened, "closed": closed, "volume": vol.id, "marks": marks, "token": token}


def no_trace(text: str, marks: list[str], where: str) -> None:
    for mark in marks:
        assert mark not in text, f"{where} shows {mark}"


def test_a_reader_meets_no_trace_of_a_controlled_record_on_any_page(app, records):  # noqa: F811
    reader, _ = as_role(app, "reader")
    closed, marks = records["closed"], records["marks"]
    for url in [*LISTS, f"/documents/{records['opened']}"]:
        r = reader.get(url)
        assert r.status_code == 200, url
        no_trace(r.text, marks, url)
    assert "一层梁板浇筑记录" in reader.get("/search?q=子午卯酉").text  # the open one is there
    assert "尚未组卷" in reader.get(f"/volumes/{CODE}").text  # its only volume holds the controlled one
    for url in [f"/documents/{closed}", f"/documents/{closed}/file", f"/documents/{closed}/thumb",
                f"/documents/{closed}/pages/1", f"/volume-pdf/{records['volume']}"]:  # fmt: skip
        r = reader.get(url)
        assert r.status_code == 403, url
        assert "地下室渗漏" not in r.text, url
    for url in WHOLE_PAGES:
        r = reader.get(url)
        assert r.status_code == 403 and WHOLE in r.text, url
        no_trace(r.text, marks, url)
    menu = reader.get("/search").text
    assert 'href="/check"' not in menu and 'href="/stats"' not in menu and 'href="/volumes"' in menu


def test_a_reader_token_meets_no_trace_in_the_api(app, records):  # noqa: F811
    api = make_client(app)
    api.headers["Authorization"] = f"Bearer {records['token']}"
    for url in API_LISTS:
        r = api.get(url)
        assert r.status_code == 200, url
        no_trace(r.text, records["marks"][:2], url)
        assert records["closed"] not in [d["id"] for d in r.json()], url
    for url in API_WHOLE:
        r = api.get(url)
        assert r.status_code == 403 and r.json() == {"error": WHOLE, "status": 403}, url


def test_a_viewer_still_sees_the_controlled_record_everywhere(app, records):  # noqa: F811
    viewer, _ = as_role(app, "viewer")
    title = records["marks"][0]
    for url in ["/search?q=子午卯酉", f"/search?project={CODE}", f"/volumes/{CODE}", f"/documents/{records['closed']}"]:
        r = viewer.get(url)
        assert r.status_code == 200 and title in r.text, url
    mail = viewer.get(f"/documents/{records['opened']}").text
    assert f'href="/documents/{records["closed"]}"' in mail and "渗漏事故_0302.txt" in mail  # the attachment
    for url in WHOLE_PAGES:  # a construction project's deadlines page is its completeness page
        assert viewer.get(url).status_code == (303 if url == f"/deadlines/{CODE}" else 200), url
    assert f"/documents/{records['closed']}" in viewer.get(f"/check/{CODE}").text
    assert 'href="/check"' in viewer.get("/search").text


def test_a_volume_made_only_of_open_records_is_shown_to_a_reader(app, home, records):  # noqa: F811
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        conn.execute(
            update(documents).where(documents.c.id == records["closed"]).values(opened_at=datetime(2024, 5, 1))
        )
    reader, _ = as_role(app, "reader")
    page = reader.get(f"/volumes/{CODE}").text
    assert records["marks"][0] in page and "一层梁板浇筑记录" in page and "尚未组卷" not in page


def test_visible_keeps_what_a_role_may_see_of_ids_rows_and_volumes(app, home, records):  # noqa: F811
    opened, closed = records["opened"], records["closed"]
    with Catalog.open(home) as cat:
        vols = list_volumes(cat, CODE)
        rows = [cat.document(opened), cat.document(closed)]
        assert visible(cat, "reader", [opened, closed]) == [opened]
        assert [d["id"] for d in visible(cat, "reader", rows)] == [opened]
        assert visible(cat, "reader", vols) == []
        assert visible(cat, "viewer", [opened, closed]) == [opened, closed] and visible(cat, "viewer", vols) == vols
        with pytest.raises(TypeError):
            visible(cat, "reader", ["渗漏事故"])
