"""The customer pages: the register with its unmatched names and satisfaction chart, one
customer's year, linking a name with one click."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.deadlines.servicedata import record_service_data
from dangan.archive.intake.ingest import file_document
from tests.test_customer_year import TODAY, year  # noqa: F401  (year is a fixture)
from tests.test_web import app, as_role  # noqa: F401  (app is a fixture)


@pytest.fixture
def site(app, year, home, tmp_path):  # noqa: F811
    """The generated year, plus a call naming the hotel 瑞丰酒店 (a name the register lacks)."""
    path = tmp_path / "extra.txt"
    path.write_text("跟踪服务电话记录表\n客户名称：瑞丰酒店\n回访日期：2026-11-20", encoding="utf-8")
    with Catalog.open(home) as cat:
        doc = file_document(cat, path, project="SV-QY", item="S13", document_date=date(2026, 11, 20), source="api")
        record_service_data(cat, doc.doc_id, customer="瑞丰酒店", service_date=None)
    return app


def test_the_register_page_shows_classes_unmatched_names_and_the_satisfaction_chart(site):
    viewer, _ = as_role(site, "viewer")
    page = viewer.get(f"/customers?year=2026&today={TODAY}").text
    table = page.split('id="customers"')[1].split("</table>")[0]
    assert '<a href="/customers/3?year=2026">东方电子厂</a></td><td>重点顾客</td>' in table
    assert "锅炉GL-2 至 2028年2月29日" in table
    unmatched = page.split('id="unmatched"')[1].split("</table>")[0]
    assert "<td>瑞丰酒店</td><td>1</td>" in unmatched and "关联" in unmatched
    assert '<option value="1" selected>清源市瑞丰大酒店有限公司</option>' in unmatched  # the likely one, preselected
    assert "已归档的满意度调查表 4 份" in page
    chart = page.split('id="satisfaction-chart"')[1].split("</div>")[0]
    assert "<svg" in chart and "设计：3.25" in chart and "产品实物质量：2.5" in chart
    quarters = page.split('id="quarter-chart"')[1].split("</div>")[0]
    assert "产品实物质量：一季度 1、二季度 3.5、三季度 0、四季度 2" in quarters
    assert "dangan" not in page.split("<main")[1]


def test_a_key_customers_year_at_a_glance(site):
    viewer, _ = as_role(site, "viewer")
    page = viewer.get(f"/customers/3?year=2026&today={TODAY}").text
    assert "2026年：重点顾客（销售部指定的战略客户）" in page
    surveys = page.split('id="kind-surveys"')[1].split("</tr>")[0]
    assert "<td>2</td>" in surveys and "2026-03-15" in surveys and "2026-05-20" in surveys
    open_actions = page.split('id="kind-open-actions"')[1].split("</tr>")[0]
    assert "<td>1</td>" in open_actions and "已逾期，期限 2026年9月13日" in open_actions
    chain = page.split('id="chains"')[1].split("</table>")[0]
    assert "<td>一般</td>" in chain and "已走访" in chain and "已逾期（期限 2026年9月13日）" in chain
    duties = page.split('id="duties"')[1].split("</table>")[0]
    assert "顾客满意度调查表" in duties and "✔ 按时" in duties
    r = viewer.get(f"/customers/99?today={TODAY}")
    # The error page says the library's message (in Chinese once the app says every error
    # through the message catalog: customers.po has these templates).
    assert r.status_code == 404 and "#99" in r.text
    r = viewer.get("/customers?year=20x6")
    assert r.status_code == 400 and "20x6" in r.text


def test_one_click_links_an_unmatched_name_and_a_viewer_may_not(site):
    viewer, token = as_role(site, "viewer")
    r = viewer.post("/customers/link", data={"csrf": token, "name": "瑞丰酒店", "customer": "1"})
    assert r.status_code == 403
    desk, token = as_role(site, "desk")
    r = desk.post("/customers/link", data={"csrf": token, "name": "瑞丰酒店", "customer": "1"})
    assert r.status_code == 303
    page = desk.get(r.headers["location"] + f"&today={TODAY}").text
    assert "已将“瑞丰酒店”关联到顾客档案。" in page and 'id="all-matched"' in page
    r = desk.post("/customers/link", data={"csrf": token, "name": "瑞丰酒店", "customer": "1"})
    assert r.status_code == 409 and "瑞丰酒店" in r.text


def test_the_deadlines_page_shows_one_customers_rows(site, cli):
    """The 顾客 select keeps the rows `dangan due --customer` lists, and says which customer."""
    desk, _ = as_role(site, "desk")
    page = desk.get(f"/deadlines?today={TODAY}&customer=金山宾馆").text
    choice = page.split('id="customer"')[1].split("</select>")[0]
    assert (
        '<option value="">全部顾客</option>' in choice
        and '<option value="金山宾馆" selected>金山宾馆</option>' in choice
    )
    rows = page.split('id="due"')[1].split("</table>")[0].split("<tr class=")[1:]
    want = json.loads(cli("due", "--customer", "金山宾馆", "--json", "--today", TODAY).output)
    assert len(rows) == len(want) == 1
    assert "<td>S24</td>" in rows[0] and "<td>2026-H2 金山宾馆</td>" in rows[0] and "✘ 逾期" in rows[0]
    assert "（顾客 金山宾馆）。" in page.split('id="due-summary"')[1].split("</p>")[0]
    everyone = desk.get(f"/deadlines?today={TODAY}").text.split('id="due"')[1].split("</table>")[0]
    assert everyone.count("<tr class=") > 1
    r = desk.get(f"/deadlines?today={TODAY}&customer=无此顾客")
    assert r.status_code == 404 and "顾客档案中没有“无此顾客”。" in r.text
