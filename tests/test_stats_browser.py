"""The statistics page in headless Chromium: the charts draw, nothing is fetched off the server."""

from __future__ import annotations

import pytest

from tests.test_browser import browser, server, shot  # noqa: F401  (fixtures)
from tests.test_stats_web import CHARTS, a_year
from tests.webutil import PASSWORD

pytestmark = pytest.mark.browser  # deselected with -m "not browser", like tests/test_browser.py


def test_the_statistics_page_draws_its_charts_offline_on_a_desktop_and_a_phone(server, browser, home, tmp_path):  # noqa: F811
    a_year(home, tmp_path)
    for width, height, name in ((1280, 900, "stats-desktop"), (390, 844, "stats-phone")):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        errors, outside, failed = [], [], []
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.on("response", lambda resp, failed=failed: failed.append(resp.url) if resp.status >= 400 else None)
        page.on("request", lambda req, outside=outside: outside.append(req.url)
                if req.url.startswith("http") and not req.url.startswith(server) else None)  # fmt: skip
        page.goto(f"{server}/stats?year=2024")
        page.fill("input[name=name]", "manager")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/stats")  # the login keeps the path, not the query
        page.goto(f"{server}/stats?year=2024")
        charts, boxes = page.locator("svg.chart"), page.locator(".stats-chart")
        assert charts.count() == CHARTS == boxes.count()
        for i in range(CHARTS):  # every chart is drawn at a readable size (≥ 3/4 of its 640 units) …
            drawn, box = charts.nth(i).bounding_box(), boxes.nth(i).bounding_box()
            assert drawn is not None and drawn["width"] >= 480 and drawn["height"] > 40, i
            assert box is not None and box["x"] + box["width"] <= width, i  # … in a box within the page
        bars = page.locator("#chart-holdings-project svg rect")
        assert bars.count() == 2 and all(bars.nth(i).bounding_box()["width"] > 0 for i in range(2))
        assert page.locator("#chart-filed svg polyline").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        shot(page, name)
        assert [u for u in failed if not u.endswith("/favicon.ico")] == []  # (the browser asks for an icon)
        assert [e for e in errors if "Failed to load resource" not in e] == [] and outside == []
        context.close()
