"""开放 drives web access: a reader sees only records an appraisal opened, in every way in."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import update

from dangan.archive.appraisal import approve, create_batch, decide
from dangan.archive.catalog import Catalog
from dangan.archive.openness import OpenFilters
from dangan.archive.schema import documents
from dangan.archive.users import create_token
from dangan.archive.volumes.plan import plan_volumes
from dangan.indexer.filters import Filters
from tests.test_web import app, as_role, filed_doc  # noqa: F401  (app is a fixture)
from tests.webutil import make_client

CLOSED = "文件 {} 尚未开放：公开查阅用户只能查看经开放鉴定的文件，如需查阅请联系档案员。"


@pytest.fixture
def two(home, tmp_path):
    """Two filed 施工日志 of 2010 (短期): the first opened by an approved appraisal, the second not."""
    opened = filed_doc(home, tmp_path, "施工日志_0301.txt", "施工日志\n一层梁板浇筑，子午卯酉。", item="C14")
    closed = filed_doc(home, tmp_path, "施工日志_0302.txt", "施工日志\n二层梁板浇筑，子午卯酉。", item="C14")
    with Catalog.open(home) as cat:
        with cat.engine.begin() as conn:
            conn.execute(update(documents).where(documents.c.id.in_([opened, closed])).values(
                document_date=date(2010, 3, 1), retention="短期"))  # fmt: skip
        b = create_batch(cat, 2024)
        decide(cat, b["id"], opened, "open", reason="已无保密需要", by="archivist")
        decide(cat, b["id"], closed, "keep", reason="仍需控制", by="archivist", keep_until=2030)
        approve(cat, b["id"], by="manager")
    return opened, closed


def hit_ids(client, url: str) -> list[int]:
    r = client.get(url)
    assert r.status_code == 200, r.text
    return [int(x) for x in re.findall(r'href="/documents/(\d+)"', r.text)]


def test_a_reader_searches_only_open_records_and_counts_only_them(engine, app, two):  # noqa: F811
    opened, closed = two
    reader, _ = as_role(app, "reader")
    archivist, _ = as_role(app, "archivist")
    assert sorted(set(hit_ids(archivist, "/search?q=子午卯酉"))) == sorted([opened, closed])
    assert set(hit_ids(reader, "/search?q=子午卯酉")) == {opened}
    # words only the controlled record holds: the reader's search never shows it (a looser match
    # among the open records may answer instead, as if the controlled one were not there)
    assert closed not in hit_ids(reader, "/search?q=二层梁板")


def test_a_reader_is_refused_a_controlled_record_page_and_file(app, two):  # noqa: F811
    opened, closed = two
    reader, _ = as_role(app, "reader")
    for url in (f"/documents/{closed}", f"/documents/{closed}/file", f"/documents/{closed}/file?download=1"):
        r = reader.get(url)
        assert r.status_code == 403, url
        assert CLOSED.format(closed) in r.text, url
        assert "`dangan" not in r.text and "appraise" not in r.text, url  # no command line advice
    assert reader.get(f"/documents/{opened}").status_code == 200
    r = reader.get(f"/documents/{opened}/file?download=1")
    assert r.status_code == 200 and "一层梁板浇筑".encode() in r.content
    desk, _ = as_role(app, "desk")  # every other role reads everything, as before
    assert desk.get(f"/documents/{closed}").status_code == 200
    assert desk.get(f"/documents/{closed}/file").status_code == 200


def test_a_reader_token_gets_only_open_records_from_the_api(app, home, two):  # noqa: F811
    opened, closed = two
    with Catalog.open(home) as cat:
        token = create_token(cat, "reader")
    api = make_client(app)
    api.headers["Authorization"] = f"Bearer {token}"
    r = api.get("/api/search?q=子午卯酉")
    assert [h["id"] for h in r.json()] == [opened] and r.headers["X-Total-Count"] == "1"
    assert [d["id"] for d in api.get("/api/documents").json()] == [opened]
    for url in (f"/api/documents/{closed}", f"/api/documents/{closed}/file"):
        r = api.get(url)
        assert r.status_code == 403 and r.json() == {"error": CLOSED.format(closed), "status": 403}, url
    assert api.get(f"/api/documents/{opened}/file").status_code == 200


def test_a_reader_is_refused_a_volume_pdf_holding_a_controlled_record(app, home, two):  # noqa: F811
    opened, closed = two
    with Catalog.open(home) as cat:
        (vol,) = plan_volumes(cat, "BJ-2024-017")
    reader, _ = as_role(app, "reader")
    r = reader.get(f"/volume-pdf/{vol.id}")
    assert r.status_code == 403
    assert f"案卷（编号 {vol.id}）含有尚未开放的文件 {closed}" in r.text
    archivist, _ = as_role(app, "archivist")
    assert archivist.get(f"/volume-pdf/{vol.id}").status_code == 404  # not built yet: no PDF, but no refusal


def test_an_index_that_ignores_the_id_filter_still_shows_only_open_records(app, home, two, monkeypatch):  # noqa: F811
    opened, closed = two
    monkeypatch.setattr(OpenFilters, "query", lambda self: Filters.query(self))  # as an engine blind to ids
    reader, _ = as_role(app, "reader")
    assert set(hit_ids(reader, "/search?q=子午卯酉")) == {opened}
    with Catalog.open(home) as cat:
        token = create_token(cat, "reader")
    api = make_client(app)
    api.headers["Authorization"] = f"Bearer {token}"
    r = api.get("/api/search?q=子午卯酉")
    assert [h["id"] for h in r.json()] == [opened] and r.headers["X-Total-Count"] == "1"


def test_a_reader_sees_no_review_queue_entries_nothing_there_is_open(app, home, tmp_path, two):  # noqa: F811
    waiting = filed_doc(home, tmp_path, "杂项.txt", "一份说不清是什么的文件")  # no item: review
    with Catalog.open(home) as cat:
        assert cat.document(waiting)["status"] == "review"
        token = create_token(cat, "reader")
    reader, _ = as_role(app, "reader")
    page = reader.get("/review")
    assert page.status_code == 200 and f"/review/{waiting}/file" not in page.text and "杂项" not in page.text
    archivist, _ = as_role(app, "archivist")
    assert f"/review/{waiting}/file" in archivist.get("/review").text
    api = make_client(app)
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.get("/api/review").json() == []
