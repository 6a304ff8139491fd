"""Scanning a page in Chromium for what a Chinese reader must not meet, and starting Chromium.

:func:`scan_page` reads the page as a person sees it (its visible text nodes, the title,
placeholders, labels read aloud) and lists: English words (outside codes, file names and
the allow-list below), a ``dangan`` command, a path under the home; and axe-core's serious
and critical accessibility violations (axe-core ships inside axe-playwright-python: no
network).
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Latin words a Chinese page may carry: the brand, the user names of the test home (one per
# role), the names of programs and file kinds people know by them.
# "root" is the account the sample home was filed under from the command line (an event's actor).
ALLOWED_WORDS = {
    "dangan",
    "admin",
    "archivist",
    "viewer",
    "desk",
    "manager",
    "reader",
    "root",
    "Word",
    "Excel",
}  # user names
# A run of Latin letters, digits and the marks codes and file names are made of.
RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/@:]*")
COMMAND = re.compile(r"\bdangan\s+[a-z-]+")

VISIBLE_TEXT = """() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
    if (el.closest('code, kbd')) continue;  // marked as a code: a field's name, a key
    if (el.tagName !== 'OPTION' && el.getClientRects().length === 0) continue;
    if (n.textContent.trim()) out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('[placeholder],[title],[aria-label],img[alt]')) {
    for (const a of ['placeholder', 'title', 'aria-label', 'alt']) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""


@contextmanager
def chromium() -> Iterator:
    """Headless Debian Chromium through Playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"]  # fmt: skip
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox as root (CI runs as root)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield browser
        finally:
            browser.close()


def english_words(text: str) -> list[str]:
    """The Latin words of ``text`` that are neither a code, a file name nor allowed."""
    found = []
    for m in RUN.finditer(text):
        run = m.group()
        if any(c.isdigit() or c in "._@:" for c in run):  # C09, HRB400, BJ-2024-017, 报价单.xls
            continue
        if text[max(0, m.start() - 1) : m.start()] == ".":  # a file name's extension: 报价单.xls, .ics
            continue
        for word in re.split(r"[-/]", run):
            if word and not word.isupper() and word not in ALLOWED_WORDS:
                found.append(word)
    return found


def scan_page(page, home: Path) -> list[str]:
    """What is wrong on the page now shown, one line per problem (empty when nothing is)."""
    problems = []
    for text in page.evaluate(VISIBLE_TEXT):
        words = english_words(text)
        if words:
            problems.append(f"English {words!r} in {text[:120]!r}")
        if COMMAND.search(text):
            problems.append(f"a command in {text[:120]!r}")
    html = page.content()
    for path in {str(home), str(home.resolve())}:
        if path in html:
            problems.append(f"the home's path {path} in the page")
    problems.extend(axe_violations(page))
    return problems


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
