"""Filing rendered forms from the browser takes the command line's one path (headless Chromium).

The service desk renders two 维护派工单 and files them into a service centre: they land under
the item whose checklist line names the form (S01), dated by their 派工日期, with customer and
service date recorded.  A 开工报告 is filed into its project, and one whose 工程编号 names
another project is refused row by row with nothing filed.
"""

from __future__ import annotations

import csv
from datetime import date

from dangan.archive.catalog import Catalog
from dangan.archive.projects import add_project
from tests.test_browser import SAMPLE_CSV, browser, server  # noqa: F401  (the fixtures: the app under uvicorn, Chromium)
from tests.test_forms_cli import START_HEADER, START_ROW
from tests.webutil import PASSWORD

CENTRE = "SV-BJ"


def _tickets(path) -> str:
    """The first two 维护派工单 rows of the sample sheet (GBK), as a UTF-8 CSV."""
    with SAMPLE_CSV.open(encoding="gbk", newline="") as fh:
        rows = list(csv.reader(fh))[:3]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return str(path)


def _starts(path, *rows) -> str:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([START_HEADER, *rows])
    return str(path)


def _render(page, server, form: str, data: str, into: str) -> None:  # noqa: F811
    page.goto(f"{server}/forms/{form}")
    page.set_input_files("#render-form input[name=data]", data)
    page.select_option("#render-form select[name=file_into]", into)
    page.click("#render-form button[type=submit]")
    page.wait_for_selector("#zip, #problems")


def test_the_service_desk_files_rendered_forms_from_the_browser(server, browser, home, tmp_path):  # noqa: F811
    from tests.test_deadlines import ROLES

    with Catalog.open(home) as cat:
        add_project(cat, CENTRE, "北京服务中心", checklist="service", roles=ROLES)
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=name]", "desk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/search")

    page.goto(f"{server}/forms/维护派工单")
    offered = page.eval_on_selector_all("#render-form select[name=file_into] option", "os => os.map(o => o.value)")
    assert offered == ["", CENTRE], "only the projects whose checklist takes the form"
    _render(page, server, "维护派工单", _tickets(tmp_path / "tickets.csv"), CENTRE)
    assert "已生成 2 份维护派工单" in page.inner_text("#message")
    with Catalog.open(home) as cat:
        docs = sorted(cat.documents(project=CENTRE), key=lambda d: d["document_date"])
    assert [(d["item_code"], d["document_date"], d["customer"], d["service_date"], d["source"]) for d in docs] == [
        ("S01", date(2024, 3, 4), "刘建国", date(2024, 3, 4), "forms"),
        ("S01", date(2024, 3, 5), "陈秀英", date(2024, 3, 5), "forms"),
    ]
    assert [f"已归档为 #{d['id']}（" in page.inner_text("#render-form ~ ul") for d in docs] == [True, True]

    _render(page, server, "开工报告", _starts(tmp_path / "start.csv", START_ROW), "BJ-2024-017")
    assert "已生成 1 份开工报告" in page.inner_text("#message")
    other = ["SH-2025-031", *START_ROW[1:]]
    _render(page, server, "开工报告", _starts(tmp_path / "other.csv", START_ROW, other), "BJ-2024-017")
    assert "第 3 行，工程编号：“SH-2025-031”不是项目 BJ-2024-017" in page.inner_text("#problems")
    with Catalog.open(home) as cat:
        starts = cat.documents(project="BJ-2024-017")
    assert len(starts) == 1 and starts[0]["document_date"] == date(
        2024, 3, 10
    )  # its first required date (计划开工日期), as the CLI files it
