"""The service deadlines pages: a project's check by period and person, the morning list, the .ics."""

from __future__ import annotations

import json

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.projects import add_project
from tests.test_deadlines import ROLES, put
from tests.test_web import app, as_role  # noqa: F401  (app is a fixture)

TODAY = "2024-04-10"


@pytest.fixture
def svc(app, home):  # noqa: F811
    """Service centre SV-BJ: February on time, March's tickets late, March's receipts overdue."""
    with Catalog.open(home) as cat:
        add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=ROLES)
        put(cat, "S01", "2024-02-14", "2024-03-02")
        put(cat, "S01", "2024-03-31", "2024-04-01")
        put(cat, "S01", "2024-03-05", "2024-04-05")
    return app


def test_a_months_check_shows_on_time_late_and_overdue_and_who_owes_it(svc):
    viewer, _ = as_role(svc, "viewer")
    r = viewer.get(f"/deadlines/SV-BJ?period=2024-03&today={TODAY}")
    assert r.status_code == 200
    page = r.text
    assert "2024年3月1日 至 2024年3月31日（今天 2024年4月10日）" in page
    row = page.split("<td>S01</td>")[1].split("</tr>")[0]
    assert "<td>2024-03</td>" in row and "<td>2024年4月2日</td>" in row and "⚠ 迟交 3 天" in row
    row = page.split("<td>S03</td>")[1].split("</tr>")[0]
    assert "✘ 逾期 8 天" in row and "王强" in row
    assert "王强" in page.split('id="summary"')[1].split("</p>")[0]
    by_person = viewer.get(f"/deadlines/SV-BJ?period=2024-03&today={TODAY}&by=person").text
    assert '<tr class="group"><td colspan="7">王强</td></tr>' in by_person


def test_the_morning_list_filters_by_person_and_downloads_as_a_calendar(svc):
    desk, _ = as_role(svc, "desk")
    page = desk.get(f"/deadlines?today={TODAY}&days=7").text
    due = page.split('id="due"')[1].split("</table>")[0]
    assert "✘ 逾期" in due and "王强" in due and "SV-BJ" in page.split('id="service-projects"')[1]
    assert f'href="/deadlines/SV-BJ?today={TODAY}"' in page  # the project page looks at the same day
    mine = desk.get(f"/deadlines?today={TODAY}&days=7&person=王强").text.split('id="due"')[1].split("</table>")[0]
    assert mine.count("<tr class=") == mine.count("王强") and "王芳" not in mine
    r = desk.get(f"/deadlines.ics?today={TODAY}&days=7&person=王强")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.count("BEGIN:VEVENT") == mine.count("<tr class=")
    nobody = desk.get(f"/deadlines?today={TODAY}&person=无此人").text
    assert "没有逾期的，未来 7 天内也没有到期的（无此人）。" in nobody


def test_bad_ranges_and_unknown_projects_are_one_message(svc):
    viewer, _ = as_role(svc, "viewer")
    r = viewer.get("/deadlines/SV-BJ?period=2024-13")
    assert r.status_code == 400 and "2024-13" in r.text and "Traceback" not in r.text
    r = viewer.get("/deadlines/SV-BJ?period=2024-03&from=2024-03-01")
    assert r.status_code == 400 and "请只填期间，或只填起止日期，不要同时填。" in r.text
    assert viewer.get("/deadlines/NO-SUCH").status_code == 404
    assert viewer.get("/deadlines?days=many").status_code == 400
    assert viewer.get("/deadlines?today=2024-02-30").status_code == 400


def test_the_deadline_pages_need_a_sign_in(svc):
    from tests.webutil import make_client

    anonymous = make_client(svc)
    for url in ("/deadlines", "/deadlines/SV-BJ", "/deadlines.ics"):
        r = anonymous.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), url


def test_the_api_gives_the_cli_json_of_check_and_due(svc, cli):
    from dangan.archive.users import create_token
    from tests.webutil import make_client

    with Catalog.open(svc.state.web.home) as cat:
        token = create_token(cat, "viewer")
    api = make_client(svc)
    api.headers["Authorization"] = f"Bearer {token}"
    for url, args in ((f"/api/check/SV-BJ?period=2024-03&today={TODAY}", ["check", "SV-BJ", "--period", "2024-03"]),
                      (f"/api/check?today={TODAY}", ["check", "--all"]),
                      (f"/api/due?today={TODAY}&days=14&person=赵敏", ["due", "--days", "14", "--person", "赵敏"])):  # fmt: skip
        assert api.get(url).json() == json.loads(cli(*args, "--today", TODAY, "--json").output), url
    r = api.get("/api/check/BJ-2024-017?period=2024-03")
    assert (
        r.status_code == 400
        and r.json()["error"] == "项目 BJ-2024-017 没有按期归档的条目，不能按期间查看。"
        and r.json()["english"]
        == "project BJ-2024-017 (checklist construction) has no periodic items; drop --period/--from/--to"
    )


def test_a_construction_project_has_its_checklist_not_deadlines(svc):
    viewer, _ = as_role(svc, "viewer")
    r = viewer.get("/deadlines/BJ-2024-017")
    assert r.status_code == 303 and r.headers["location"] == "/check/BJ-2024-017"
    assert "BJ-2024-017" not in viewer.get(f"/deadlines?today={TODAY}").text.split('id="service-projects"')[1]
