"""The real flows in headless Chromium (Debian's ``chromium``, driven by Playwright).

The app runs in-process under uvicorn on a free 127.0.0.1 port.  Screenshots of every page
go to ``build/screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest

from dangan.archive.catalog import Catalog
from dangan.web.app import create_app
from tests.docgen import make_text_pdf
from tests.webutil import PASSWORD, prepare_home

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SAMPLE_CSV = ROOT / "samples" / "forms" / "维护派工单.csv"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(home):
    """The web app on 127.0.0.1:<free port>, stopped after the test."""
    import uvicorn

    prepare_home(home)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(home), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox as root (CI runs as root)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield b
        b.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def pct(page) -> int:
    return int(page.inner_text("#pct").rstrip("%"))


def test_the_real_flows_in_chromium(server, browser, home, tmp_path):
    page = browser.new_context(accept_downloads=True, locale="zh-CN").new_page()
    errors = []  # script errors and Content-Security-Policy refusals in the pages
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside = []  # the app works offline: every web request stays on the server (no CDN; the PDF viewer is built in)
    page.on(
        "request",
        lambda req: outside.append(req.url) if req.url.startswith("http") and not req.url.startswith(server) else None,
    )
    page.goto(f"{server}/check/BJ-2024-017")
    assert page.url.startswith(f"{server}/login")
    shot(page, "01-login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/check/BJ-2024-017")
    before = pct(page)
    shot(page, "02-completeness-before")

    _upload_three(page, server, tmp_path)
    _file_from_review(page, server)
    _search_traditional(page, server)
    _edit_date(page)

    page.goto(f"{server}/check/BJ-2024-017")
    after_filing = pct(page)
    assert after_filing > before  # three items filed since: C07, C14 and C04 from review
    page.fill("#item-C13 input[name=reason]", "本工程未发生停工")
    page.click("#item-C13 button")
    page.wait_for_selector("#item-C13.waived")
    assert "免交（本工程未发生停工）" in page.inner_text("#item-C13")
    assert pct(page) > after_filing
    shot(page, "07-completeness-after-waiver")
    page.goto(f"{server}/check")
    shot(page, "08-all-projects")
    page.goto(f"{server}/check/BJ-2024-017?by=person")
    shot(page, "09-by-person")

    _render_forms(page, server, tmp_path)
    _service_deadlines(page, server, home)
    page.goto(f"{server}/admin")
    shot(page, "12-admin")
    assert page.goto(f"{server}/check/NO-SUCH").status == 404
    assert "NO-SUCH" in page.inner_text("#message")
    shot(page, "13-error-page")
    assert outside == []
    assert [e for e in errors if "Failed to load resource" not in e] == []  # (a 404 for /favicon.ico is fine)


def _upload_three(page, server, tmp_path) -> None:
    pdf = make_text_pdf(tmp_path / "原材料试验报告.pdf", ["原材料试验报告\n钢筋拉伸试验 合格\n试验员：杨帆"])
    docs = {
        "施工日志_0312.txt": "施工日志\n2024年3月12日 晴 基础混凝土浇筑",
        "工作联系单.txt": "工作联系单\n关于施工方案与施工日志的补充说明",
    }
    paths = [str(pdf)]
    for name, text in docs.items():
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        paths.append(str(p))
    page.goto(f"{server}/upload")
    page.select_option("select[name=project]", "BJ-2024-017")
    page.set_input_files("#files", paths)
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#outcomes")
    shot(page, "03-upload-outcomes")
    outcomes = page.inner_text("#outcomes")
    assert outcomes.count("已归档") == 2 and outcomes.count("待审核") == 1


def _file_from_review(page, server) -> None:
    page.goto(f"{server}/review")
    shot(page, "04-review-queue")
    page.click("button.suggestion >> text=C04")
    page.wait_for_selector("#message")
    assert "已归档" in page.inner_text("#message")
    assert "没有等待审核的文件" in page.inner_text("main")


def _search_traditional(page, server) -> None:
    page.goto(f"{server}/search")
    page.fill("#q", "施工日誌")  # Traditional; the documents are Simplified
    page.press("#q", "Enter")
    page.wait_for_selector("#count")
    assert "共 2 条" in page.inner_text("#count")
    assert page.locator(".snippet mark").count() >= 1
    shot(page, "05-search-traditional")
    page.click(".hit a.title >> nth=0")
    page.wait_for_selector("#doc-title")
    assert "施工日志" in page.inner_text("#doc-text")
    shot(page, "06-document")
    page.goto(f"{server}/search")
    page.type("#q", "钢筋")  # htmx fetches the results as one types, without Enter
    page.wait_for_selector("#count")
    assert (
        "共 1 条" in page.inner_text("#count") and "q=%E9%92%A2%E7%AD%8B" in page.url
    )  # the address can be bookmarked
    page.click(".hit a.title >> nth=0")
    first = page.wait_for_selector(".preview img.page")  # a picture drawn on the server, not an iframe
    assert first.get_attribute("src").endswith("/pages/1")
    page.wait_for_function("document.querySelector('.preview img.page').naturalWidth > 0")
    assert page.get_attribute("#open-file", "href").endswith("/file")  # the whole PDF on demand
    shot(page, "06b-document-pdf")


def _edit_date(page) -> None:
    """On the document page just opened: correct its date and see it on the page and in its history."""
    # After a full-page screenshot Chromium's PDF viewer keeps catching clicks below it; a
    # fresh load of the page (as a person arriving at it) puts it back in its frame.
    page.reload()
    # The edit link opens the form without JavaScript (?edit=1).  It is followed by its
    # address: a click on it was once taken by the PDF viewer drawing beside it (CI).
    href = page.get_attribute("#edit-link", "href")
    assert href and "edit=1" in href
    page.goto(urljoin(page.url, href))
    page.wait_for_selector("#edit-form input[name=date]", state="visible")
    page.fill("#edit-form input[name=date]", "2024-03-18")
    page.fill("#edit-form input[name=number]", "试验-007")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#message")
    assert page.inner_text("#doc-date") == "2024年3月18日"
    assert "日期: " in page.inner_text("#history") and "→ 2024-03-18" in page.inner_text("#history")
    assert "人工修改" in page.inner_text("#date-reason")
    shot(page, "06c-document-edited")
    page.reload()
    page.fill("#discard input[name=reason]", "扫描重复")
    page.dispatch_event("#discard button", "click")  # (a DOM click, as for #restore below)
    page.wait_for_selector("#restore")
    assert "已移入回收站" in page.inner_text("#doc-status") and "扫描重复" in page.inner_text("#doc-status")
    shot(page, "06d-document-discarded")
    page.reload()  # (the PDF viewer again, after the full-page screenshot)
    # A DOM click, not a mouse click at coordinates: the PDF viewer above grows while it
    # loads, moves the button, and a mouse click then lands in the viewer.
    page.dispatch_event("#restore button", "click")
    page.wait_for_selector("#discard")
    assert "已归档" in page.inner_text(".where")


def _service_deadlines(page, server, home) -> None:
    """A service centre with March's tickets late and its receipts overdue: the morning list and the month."""
    from dangan.archive.projects import add_project
    from tests.test_deadlines import ROLES, put

    with Catalog.open(home) as cat:
        add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=ROLES)
        for day, filed in (("2024-02-14", "2024-03-02"), ("2024-03-31", "2024-04-01"), ("2024-03-05", "2024-04-05")):
            put(cat, "S01", day, filed)
    page.goto(f"{server}/check")
    page.click("nav >> text=服务期限")
    page.fill("#due-filter input[name=today]", "2024-04-10")
    page.click("#due-filter button[type=submit]")
    page.wait_for_selector("#due")
    assert "✘ 逾期" in page.inner_text("#due") and "王强" in page.inner_text("#due")
    shot(page, "14-deadlines-morning-list")
    page.click("#service-projects >> text=SV-BJ")
    page.fill("#period-filter input[name=period]", "2024-03")
    page.click("#period-filter button[type=submit]")
    page.wait_for_selector("#obligations")
    assert "迟交 3 天" in page.inner_text("#obligations")
    shot(page, "15-deadlines-month")
    page.click("text=按责任人")
    page.wait_for_selector("#obligations tr.group")
    shot(page, "16-deadlines-by-person")


def _render_forms(page, server, tmp_path) -> None:
    page.goto(f"{server}/forms")
    shot(page, "10-forms")
    page.click("text=维护派工单")
    page.set_input_files("#render-form input[name=data]", str(SAMPLE_CSV))  # GBK, 20 rows
    page.click("#render-form button[type=submit]")
    page.wait_for_selector("#zip")
    assert "已生成 20 份维护派工单" in page.inner_text("#message")
    shot(page, "11-forms-rendered")
    with page.expect_download() as dl:
        page.click("#zip")
    target = tmp_path / "forms.zip"
    dl.value.save_as(target)
    with zipfile.ZipFile(target) as z:
        names = z.namelist()
    assert len(names) == 20 and all(n.endswith(".docx") for n in names)


def test_after_logging_out_a_copy_of_the_old_cookie_is_refused(server, browser, home, tmp_path):
    from tests.test_web import filed_doc

    doc = filed_doc(home, tmp_path, item="C14")
    signed_in = browser.new_context(locale="zh-CN")
    page = signed_in.new_page()
    page.goto(f"{server}/documents/{doc}")
    page.fill("input[name=name]", "archivist")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/documents/{doc}")
    copied, csrf = signed_in.cookies(), page.get_attribute("form.who input[name=csrf]", "value")
    assert [c["name"] for c in copied] == ["dangan_session"]
    replay = browser.new_context(locale="zh-CN")  # someone who copied the cookie
    replay.add_cookies(copied)
    other = replay.new_page()
    other.goto(f"{server}/documents/{doc}")
    assert other.url == f"{server}/documents/{doc}"  # the copy works while the session lives
    page.click("form.who button")  # 退出
    page.wait_for_url(f"{server}/login")

    other.goto(f"{server}/documents/{doc}")
    assert other.url == f"{server}/login?next=/documents/{doc}"
    shot(other, "17-old-cookie-refused")
    r = replay.request.post(f"{server}/documents/{doc}/edit", form={"csrf": csrf, "title": "被篡改的题名"})
    assert r.status == 401 and "请先登录。" in r.text()
    with Catalog.open(home) as cat:
        assert cat.document(doc)["title"] != "被篡改的题名"
    signed_in.close()
    replay.close()
