"""The statistics page: charts and tables of `dangan stats`, and the same view as JSON."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import update

from dangan.archive.catalog import Catalog
from dangan.archive.holdings import set_location
from dangan.archive.lending import lend
from dangan.archive.projects import add_project
from dangan.archive.schema import documents, use_records
from dangan.archive.volumes.plan import plan_volumes
from tests.test_deadlines import ROLES, put
from tests.test_web import app, as_role, filed_doc  # noqa: F401  (app is a fixture)
from tests.webutil import make_client

CHARTS = 11  # five holdings charts, filed per month, completeness, service, use, purposes, disposals


def a_year(home, tmp_path) -> None:
    """2024 of a small archive: three construction records, a service centre, a volume on paper, a loan."""
    ids = [
        filed_doc(home, tmp_path, "施工日志_0312.txt", "施工日志\n基础混凝土浇筑", item="C14"),
        filed_doc(home, tmp_path, "开工报告.txt", "开工报告\n计划开工日期：2024年3月1日", item="C07"),
        filed_doc(home, tmp_path, "施工日志_0601.txt", "施工日志\n主体结构封顶", item="C14"),
    ]
    with Catalog.open(home) as cat:
        with cat.engine.begin() as conn:
            for doc_id, month in zip(ids, (2, 5, 5)):
                conn.execute(update(documents).where(documents.c.id == doc_id).values(
                    filed_at=datetime(2024, month, 3, 9)))  # fmt: skip
        add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=ROLES)
        put(cat, "S01", "2024-02-14", "2024-03-02")
        put(cat, "S01", "2024-03-31", "2024-04-01")
        plan_volumes(cat, "BJ-2024-017")
        set_location(cat, ["BJ-2024-017:1"], "库房1/A03/2/盒017", carrier="纸质")
        lend(cat, "BJ-2024-017:1", to="王芳", dept="工程部", purpose="工作查考", until="2099-01-01")
        with cat.engine.begin() as conn:
            conn.execute(update(use_records).values(day=date(2024, 7, 1)))


@pytest.fixture
def year_app(app, home, tmp_path):  # noqa: F811
    a_year(home, tmp_path)
    return app


def test_the_page_draws_every_chart_and_the_json_is_the_same_figures(year_app, cli):
    viewer, _ = as_role(year_app, "viewer")  # aggregates: every signed-in role sees them
    r = viewer.get("/stats?year=2024")
    assert r.status_code == 200
    page = r.text
    assert page.count('<svg class="chart"') == CHARTS
    assert '<a href="/stats" aria-current="page">统计</a>' in page
    got = viewer.get("/stats?year=2024&format=json").json()
    assert got == json.loads(cli("stats", "--year", "2024", "--json").output)
    assert got["uses"]["loans"] == 1 and got["holdings"]["carrier"] == [
        {"key": "电子", "documents": 2, "pages": 2}, {"key": "纸质", "documents": 3, "pages": 3}]  # fmt: skip
    rows = dict(
        re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", page.split('id="summary"')[1].split("</table>")[0])
    )
    assert rows["借出（次）"] == "1" and rows["馆藏文件（件）"] == str(
        sum(x["documents"] for x in got["holdings"]["project"])
    )
    assert rows["2024年归档（件）"] == str(sum(m["documents"] for m in got["filed_per_month"]))
    # each chart says its figures to a screen reader: the month chart's description holds 2024's months
    filed = page.split('id="chart-filed"')[1].split("</desc>")[0]
    assert "02 1" in filed and "05 2" in filed
    (sv,) = got["service"]
    assert f"<td>{sv['overdue']}</td><td>{sv['late']}</td><td>{sv['on_time']}</td>" in page


def test_a_bad_year_is_one_chinese_line_and_an_anonymous_reader_signs_in(year_app):
    viewer, _ = as_role(year_app, "viewer")
    for bad in ("25", "二〇二四", "20245"):
        r = viewer.get(f"/stats?year={bad}")
        assert r.status_code == 400, bad
        assert f"年份 {bad} 无效：请写成 2025 这样的年份。" in r.text
        assert "--year" not in r.text and "dangan" not in r.text.split("<main")[-1]
    r = make_client(year_app).get("/stats?year=2024")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/stats"
