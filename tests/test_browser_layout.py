"""In headless Chromium: a reviewer files 20 documents with the keyboard alone (a discard goes
on to the next one), and every page fits a 390 px phone (menu folded behind one button) and a
1366 px desktop.

Screenshots go to ``build/screenshots/`` (git-ignored): ``layout-390-*.png`` and
``layout-1366-*.png`` for a person to look at.
"""

from __future__ import annotations

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import file_document
from dangan.archive.life.trash import discard
from dangan.archive.volumes import plan_volumes
from tests.conftest import write_text_doc
from tests.docgen import make_text_pdf
from tests.test_browser import browser, server, shot  # noqa: F401 - fixtures
from tests.webutil import PASSWORD

PROJECT = "BJ-2024-017"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 768}


def _waiting(home, tmp_path, count: int) -> list[int]:
    ids = []
    with Catalog.open(home) as cat:
        for n in range(count):
            text = f"工作联系单 第{n + 1}号\n关于施工方案与施工日志的补充说明，编号 LX-{n:03d}"
            rec = file_document(
                cat, write_text_doc(tmp_path / f"in{n}", f"工作联系单_{n + 1}.txt", text), project=PROJECT
            )
            assert rec.outcome == "review", rec.message
            ids.append(rec.doc_id)
    return ids


def _sign_in(page, base: str, name: str) -> None:
    """Sign in with the keyboard: type the name, Tab, the password, Enter."""
    page.goto(f"{base}/login")
    page.focus("input[name=name]")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/search")


def _current(page) -> str:
    return page.get_attribute("article.review.current", "data-id")


def test_a_reviewer_files_20_documents_with_the_keyboard_alone(server, browser, home, tmp_path):  # noqa: F811
    ids = _waiting(home, tmp_path, 21)
    page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    _sign_in(page, server, "archivist")
    page.goto(f"{server}/review")
    assert _current(page) == str(ids[0])
    page.keyboard.press("j")
    assert _current(page) == str(ids[1])
    page.keyboard.press("k")
    assert _current(page) == str(ids[0])
    shot(page, "review-keyboard-start")
    # d: the reason box of the open document; type the reason, Enter discards it.
    page.keyboard.press("d")
    page.keyboard.type("会议通知，不归档")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "移入回收站" in page.inner_text("#message")
    for n, doc in enumerate(ids[1:], 1):
        assert _current(page) == str(doc)
        key = "1" if n % 2 else "2"  # the first and the second suggestion in turn
        with page.expect_navigation():
            page.keyboard.press(key)
        assert f"已归档 #{doc}" in page.inner_text("#message")
    assert "没有等待审核的文件" in page.inner_text("main")
    with Catalog.open(home) as cat:
        docs = [cat.document(d) for d in ids]
    assert docs[0]["status"] == "discarded"
    assert [d["status"] for d in docs[1:]] == ["filed"] * 20
    assert [d["item_code"] for d in docs[1:5]] == ["C04", "C14", "C04", "C14"]  # suggestions: C04, then C14


def test_discarding_with_the_keyboard_opens_the_next_document(server, browser, home, tmp_path):  # noqa: F811
    ids = _waiting(home, tmp_path, 3)
    page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    _sign_in(page, server, "archivist")
    page.goto(f"{server}/review")
    page.keyboard.press("j")
    assert _current(page) == str(ids[1])
    page.keyboard.press("d")
    page.keyboard.type("重复扫描")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"已把 #{ids[1]} 移入回收站" in page.inner_text("#message")
    assert _current(page) == str(ids[2])  # the one after it, not the first waiting


def _pages(home, tmp_path) -> list[tuple[str, str]]:
    """(name, path) of every page to look at, with a document of each kind in place."""
    pdf = make_text_pdf(tmp_path / "原材料试验报告.pdf", ["原材料试验报告\n钢筋拉伸试验 合格\n试验员：杨帆", "第二页"])
    with Catalog.open(home) as cat:
        filed = file_document(cat, pdf, project=PROJECT, item="C07").doc_id
        gone = file_document(cat, write_text_doc(tmp_path / "t", "会议通知.txt", "会议通知\n周一例会"), project=PROJECT)
        discard(cat, gone.doc_id, reason="不是工程档案")
        plan_volumes(cat, PROJECT, max_pages=1)  # two volumes: the move pickers show
    _waiting(home, tmp_path, 2)
    return [
        ("search", "/search"), ("browse", f"/search?q=&project={PROJECT}"), ("results", "/search?q=钢筋"),
        ("document", f"/documents/{filed}"), ("review", "/review"), ("trash", "/trash"), ("check", "/check"),
        ("check-project", f"/check/{PROJECT}"), ("volumes", "/volumes"), ("volumes-project", f"/volumes/{PROJECT}"),
        ("deadlines", "/deadlines"), ("upload", "/upload"), ("forms", "/forms"), ("form", "/forms/维护派工单"),
        ("admin", "/admin"), ("not-found", "/documents/99999"), ("handover-check", f"/volumes/{PROJECT}/check"),
    ]  # fmt: skip


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_every_page_fits_a_phone_and_a_desktop(server, browser, home, tmp_path):  # noqa: F811
    pages = _pages(home, tmp_path)
    wide = []
    for size in (PHONE, DESKTOP):
        page = browser.new_context(locale="zh-CN", viewport=size).new_page()
        _sign_in(page, server, "admin")
        for name, path in pages:
            page.goto(f"{server}{path}")
            page.wait_for_load_state("load")
            shot(page, f"layout-{size['width']}-{name}")
            if not _fits(page):
                wide.append((size["width"], name, page.evaluate("document.documentElement.scrollWidth")))
        page.goto(f"{server}/search")
        menu = page.locator("header nav a >> text=待审核")
        if size is PHONE:  # folded: the links appear after the 菜单 button, as a list
            assert not menu.is_visible() and page.locator("label.menu-button").is_visible()
            page.click("label.menu-button")
            assert menu.is_visible()
            shot(page, "layout-390-menu-open")
            page.click("label.menu-button")
            assert not menu.is_visible()
        else:
            assert menu.is_visible() and not page.locator("label.menu-button").is_visible()
        page.context.close()
    assert wide == []


def test_a_forbidden_page_keeps_the_menu_on_a_phone(server, browser, home):  # noqa: F811
    page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    _sign_in(page, server, "viewer")
    assert page.goto(f"{server}/trash").status == 403
    page.click("label.menu-button")
    assert page.locator("header nav a >> text=搜索").is_visible()
    assert _fits(page)
    shot(page, "layout-390-forbidden")
