"""Every page, as every role, at desktop and phone width: Chinese only, no command, no path.

The filed sample project is served in headless Chromium (Debian's ``chromium`` through
Playwright) at 1366×768 and 390×844.  Each page — the ordinary ones, the error pages (404,
403, a form row that is not a date, a failed upload) — is scanned for what a Chinese
archivist must never read: an English word in the visible text (outside codes such as C09,
HRB400 or GB, file names and the user names of this home), a ``dangan`` command, a path under
the home, a request to another server; axe-core (shipped with axe-playwright-python, no
network) must find no serious or critical violation.  A screenshot of every page at both
widths goes to ``build/screenshots/language/`` for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.life.edit import edit
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_PROJECT
from dangan.archive.users import ROLES, add_user
from dangan.web.app import create_app
from tests.browserutil import chromium, scan_page
from tests.conftest import write_text_doc
from tests.sample_home import sample_home
from tests.test_deadlines import ROLES as SERVICE_ROLES
from tests.test_deadlines import put
from tests.webutil import PASSWORD, running_server

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots" / "language"
WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}
# Who signs in to look: one user per role (their user names are the role names).
LOOKERS = ("admin", "archivist", "viewer", "desk", "reader")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The filed sample home with a document waiting in review, served on a free port."""
    root = tmp_path_factory.mktemp("language")
    home = sample_home(root / "home")
    with Catalog.open(home) as cat:
        for role in ROLES:
            add_user(cat, role, role, PASSWORD)
        note = write_text_doc(root / "in", "工作联系单.txt", "工作联系单\n关于施工方案与施工日志的补充说明")
        [waiting] = list(ingest_paths(cat, [note], project=SAMPLE_PROJECT))
        filed = cat.documents(project=SAMPLE_PROJECT, status="filed")[0]["id"]
        edit(cat, filed, date="2024-03-18")  # its date now says it was set by hand
        add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=SERVICE_ROLES)
        for day, done in (("2024-02-14", "2024-03-02"), ("2024-03-31", "2024-04-01"), ("2024-03-05", "2024-04-05")):
            put(cat, "S01", day, done)  # March's tickets: one late, one on time, one filed after its deadline
    with running_server(create_app(home)) as base:
        yield {"base": base, "home": home, "review": waiting.doc_id, "doc": filed, "tmp": root}


def pages(site) -> list[tuple[str, str]]:
    """(name, address) of every page a person reaches by the menu and the links."""
    code, doc = SAMPLE_PROJECT, site["doc"]
    return [
        ("search", "/search"),
        ("search-results", "/search?q=施工"),
        ("document", f"/documents/{doc}"),
        ("document-edit", f"/documents/{doc}?edit=1"),
        ("review", "/review"),
        ("check-all", "/check"),
        ("check-project", f"/check/{code}"),
        ("check-by-person", f"/check/{code}?by=person"),
        ("volumes-all", "/volumes"),
        ("volumes", f"/volumes/{code}"),
        ("volumes-check", f"/volumes/{code}/check"),
        ("deadlines", "/deadlines?today=2024-04-10"),
        ("deadlines-project", "/deadlines/SV-BJ?period=2024-03&today=2024-04-10"),
        ("deadlines-by-person", "/deadlines/SV-BJ?period=2024-03&by=person&today=2024-04-10"),
        ("upload", "/upload"),
        ("forms", "/forms"),
        ("form", "/forms/维护派工单"),
        ("admin", "/admin"),
        ("browse", f"/search?project={code}"),
        ("trash", "/trash"),
        ("customers", "/customers"),
        ("lending", "/lending"),
        ("locations-all", "/locations"),
        ("locations", f"/locations/{code}"),
        ("inventory", "/inventory"),
        ("stats", "/stats"),
        ("404-document", "/documents/99999"),
        ("404-project", "/check/NO-SUCH"),
        ("404-page", "/no-such-page"),
        ("search-bad-query", "/search?q=-草稿"),
        ("search-unknown-person", "/search?q=施工&person=无此人"),
        ("400-period", "/deadlines/SV-BJ?period=2024-13"),
    ]


def sign_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/search")


def look(page, site, name: str, findings: list[str], scrolls: list[str]) -> None:
    """Scan the page now shown and keep its screenshot; problems are added to ``findings``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    findings.extend(f"{name}: {p}" for p in scan_page(page, site["home"].root))
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if wide > 0 and name.endswith("phone"):
        scrolls.append(f"{name}: {wide}px")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_speaks_chinese_to_every_role(site, width):
    findings: list[str] = []
    scrolls: list[str] = []
    outside: list[str] = []
    base = site["base"]
    with chromium() as browser:
        for who in LOOKERS:
            context = browser.new_context(locale="zh-CN", viewport=dict(zip(("width", "height"), WIDTHS[width])))
            page = context.new_page()
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None)
            sign_in(page, base, who)
            for name, address in pages(site):
                page.goto(base + address)
                look(page, site, f"{who}-{name}-{width}", findings, scrolls)
            _error_pages(page, site, who, width, findings, scrolls)
            context.close()
        context = browser.new_context(locale="zh-CN", viewport=dict(zip(("width", "height"), WIDTHS[width])))
        page = context.new_page()
        page.goto(f"{base}/login")
        look(page, site, f"anonymous-login-{width}", findings, scrolls)
        context.close()
    # The whole list, for a person to read when the assertion below shows only its start; the
    # pages that scroll sideways at 390 px are listed too.
    (SHOTS / f"findings-{width}.txt").write_text("\n".join(findings + scrolls) + "\n", encoding="utf-8")
    assert outside == []
    assert findings == []
    assert scrolls == []  # no page scrolls sideways at 390 px (webwork's responsive layout)


def _error_pages(page, site, who: str, width: str, findings: list[str], scrolls: list[str]) -> None:
    """The pages a person reaches by a mistake: bad form rows, a broken upload, a forbidden page."""
    base, tmp = site["base"], site["tmp"]
    if who in ("admin", "desk"):
        bad = tmp / "坏日期.csv"
        bad.write_text("客户名称,设备,故障描述,报修日期\n某公司,空调,不制冷,明天\n", encoding="utf-8")
        page.goto(f"{base}/forms/维护派工单")
        page.set_input_files("#render-form input[name=data]", str(bad))
        page.click("#render-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        look(page, site, f"{who}-form-bad-rows-{width}", findings, scrolls)
    if who in ("admin", "archivist"):
        broken = tmp / "报价单.xls"
        broken.write_bytes(b"\xd0\xcf\x11\xe0 not really a spreadsheet")
        page.goto(f"{base}/upload")
        page.set_input_files("#files", str(broken))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#outcomes")
        look(page, site, f"{who}-upload-failed-{width}", findings, scrolls)
    if who == "admin":  # a password too short: a 400 page that keeps the menu, not a sign-in page
        page.goto(f"{base}/admin")
        page.fill("form[action='/admin/users/desk/password'] input[name=password]", "short")
        page.click("form[action='/admin/users/desk/password'] button[type=submit]")
        page.wait_for_selector("#message")
        assert "密码太短" in page.inner_text("#message") and page.locator("nav >> text=管理").count() == 1
        look(page, site, f"{who}-400-password-{width}", findings, scrolls)
    if who == "viewer":
        response = page.goto(f"{base}/admin")
        assert response is not None and response.status == 403
        look(page, site, f"{who}-403-admin-{width}", findings, scrolls)
