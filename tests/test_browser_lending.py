"""Lending, a grant link and an inventory run in headless Chromium (Debian's ``chromium``, Playwright).

The scanner is a keyboard: the test types each code into the focused field and presses
Enter, as a barcode scanner does.
"""

from __future__ import annotations

import re

from dangan.archive.catalog import Catalog
from dangan.archive.grants import create_grant, token_of
from dangan.archive.holdings import set_location
from dangan.archive.intake.ingest import file_document
from dangan.archive.labelcodes import box_code_text, volume_code_text
from dangan.archive.volumes import list_volumes, plan_volumes
from tests.docgen import make_text_pdf
from tests.test_browser import browser, server, shot  # noqa: F401  (fixtures)
from tests.webutil import PASSWORD

CODE = "BJ-2024-017"


def _fill(home, tmp_path) -> dict:
    """Two volumes in box 盒017 of 库房1, and a grant of the contract for an outside auditor."""
    with Catalog.open(home) as cat:
        contract = file_document(cat, make_text_pdf(tmp_path / "施工合同书.pdf", ["施工合同书 第一页"]), project=CODE,
                                 item="C01").doc_id  # fmt: skip
        file_document(cat, make_text_pdf(tmp_path / "竣工图.pdf", ["土建建施竣工图"]), project=CODE, item="D01")
        plan_volumes(cat, CODE)
        vols = list_volumes(cat, CODE)
        set_location(cat, [f"{CODE}:{v.sequence}" for v in vols], "库房1/A03/2/盒017")
        g = create_grant(cat, [f"#{contract}"], to="王审计", org="信达会计师事务所", until="2025-03-31",
                         purpose="年度审计")  # fmt: skip
        return {"contract": contract, "vols": vols, "token": token_of(cat, g.id)}


def test_lending_grant_and_inventory_in_chromium(home, server, browser, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-01")
    data = _fill(home, tmp_path)
    page = browser.new_context(locale="zh-CN").new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/login")
    page.fill("input[name=name]", "archivist")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(".*/search.*"))

    page.click("nav >> text=借阅")
    page.fill("#lend-form input[name=what]", f"{CODE}:1")
    page.fill("#lend-form input[name=to]", "李明")
    page.fill("#lend-form input[name=dept]", "工程部")
    page.fill("#lend-form input[name=purpose]", "改造设计")
    page.fill("#lend-form input[name=until]", "2025-03-20")
    page.click("#lend-form button[type=submit]")
    page.wait_for_selector("#done")
    assert "李明" in page.inner_text("#loans") and "借出 1 件，其中逾期 0 件" in page.inner_text("#summary")
    shot(page, "lending-01-lent")
    page.fill("#loans input[name=effect]", "按原图完成改造设计")
    page.click(f"#loans button:has-text('归还 {CODE}:1')")
    page.wait_for_selector("#done")
    assert "目前没有借出的档案" in page.inner_text("#loans")

    # inventory: the scanner types each code and Enter into the focused field
    page.click("nav >> text=盘点")
    page.fill("#scope", "库房1")
    page.press("#scope", "Enter")
    page.wait_for_selector("#inventory-summary")
    assert page.evaluate("document.activeElement.id") == "code"
    v1, v2 = data["vols"]
    for code in (volume_code_text(v1.id, "x"), "NOT-A-LABEL"):
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        page.wait_for_selector("#inventory-summary")
    assert page.inner_text("#inventory-summary") == "在位 1 卷，缺失 1 卷，不应在此 1 个。"
    assert f"{CODE}:{v2.sequence}" in page.inner_text("#missing") and "NOT-A-LABEL" in page.inner_text("#unexpected")
    page.keyboard.type(box_code_text("库房1/A03/2/盒017"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#inventory-summary")
    assert page.inner_text("#inventory-summary") == "在位 2 卷，缺失 0 卷，不应在此 1 个。"
    shot(page, "lending-02-inventory")

    # the grant link, in a fresh context: no sign-in, only the granted document
    reader = browser.new_context(locale="zh-CN").new_page()
    reader.goto(f"{server}/g/{data['token']}")
    assert "王审计（信达会计师事务所）" in reader.inner_text("#reader")
    assert reader.locator("#granted tbody tr").count() == 1
    reader.click("#granted a")
    reader.wait_for_selector("img")
    assert reader.evaluate("document.querySelector('figure img').naturalWidth") > 0
    assert reader.locator("nav").count() == 0
    shot(reader, "lending-03-grant")
    assert errors == []
    monkeypatch.setenv("DANGAN_TODAY", "2025-04-01")
    reader.goto(f"{server}/g/{data['token']}")
    assert "有效期已于 2025-03-31 结束" in reader.inner_text("#message")
