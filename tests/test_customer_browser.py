"""The customer pages in headless Chromium: a key customer's year at a glance, linking an
unmatched name with one click, no sideways scrolling on a phone-wide window."""

from __future__ import annotations

import pytest

from tests.test_browser import browser, shot  # noqa: F401  (fixtures)
from tests.test_customer_web import site  # noqa: F401  (fixture: the generated year + an unmatched name)
from tests.test_customer_year import TODAY, year  # noqa: F401
from tests.test_web import app  # noqa: F401
from tests.webutil import PASSWORD, running_server


@pytest.fixture
def server(site):  # noqa: F811
    """The app of the generated year under uvicorn on a free port."""
    with running_server(site) as base:
        yield base


def test_a_key_customers_year_and_one_click_linking_in_chromium(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/customers?year=2026&today={TODAY}")
    page.fill("input[name=name]", "desk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/customers")  # back where the sign-in started
    page.goto(f"{server}/customers?year=2026&today={TODAY}")
    assert page.locator("#satisfaction-chart svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "customers-register")
    page.click("#unmatched button[type=submit]")
    page.wait_for_url(f"{server}/customers?linked=*")
    assert page.locator("#linked").inner_text() == "已将“瑞丰酒店”关联到顾客档案。"
    assert page.locator("#all-matched").count() == 1
    page.goto(f"{server}/customers/3?year=2026&today={TODAY}")
    assert page.locator("#class").inner_text().startswith("2026年：重点顾客（销售部指定的战略客户）")
    glance = {
        row.get_attribute("id"): row.locator("td").nth(1).inner_text()
        for row in page.locator("#year-glance tr[id]").all()
    }
    assert glance == {"kind-actions": "1", "kind-complaints": "1", "kind-surveys": "2", "kind-visits": "1",
                      "kind-calls": "0", "kind-open-actions": "1"}  # fmt: skip
    assert "已逾期（期限 2026年9月13日）" in page.locator("#chains").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "customer-year")
    assert errors == []
