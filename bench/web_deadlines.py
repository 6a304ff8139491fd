"""The web's service-deadline pages against the same library calls, in the same run.

The busy centre of ``bench/deadlines.py`` (N 派工单 a year with their follow-ups).  Timed:
``GET /deadlines`` (the morning list and every service project's summary) and
``GET /deadlines/SV-BJ?period=…`` through Starlette's test client, signed in; baselines: the
library calls those pages make (``due_list`` and ``deadlines()`` for the month).  The page
costs what the library costs plus rendering the rows.

Run from the repository root:  python bench/web_deadlines.py [--tickets 12000] [--repeat 5]
Prints medians; the machine may be shared, so compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.deadlines import ROLES, populate, timed  # noqa: E402
from dangan.archive.catalog import Catalog  # noqa: E402
from dangan.archive.create import init_home  # noqa: E402
from dangan.archive.deadlines.duelist import due_list  # noqa: E402
from dangan.archive.deadlines.obligations import deadlines  # noqa: E402
from dangan.archive.projects import add_project  # noqa: E402
from dangan.archive.users import add_user  # noqa: E402
from dangan.web.app import create_app  # noqa: E402

TODAY = "2024-06-10"


def _client(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    import re

    c = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"csrf": token, "name": "bench", "password": "bench-password", "next": "/search"})
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=12000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    today = date.fromisoformat(TODAY)
    with tempfile.TemporaryDirectory() as tmp:
        home, _ = init_home(Path(tmp) / "home")
        with Catalog.open(home) as cat:
            add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=ROLES)
            n = populate(cat, args.tickets)
            add_user(cat, "bench", "viewer", "bench-password")
        app = create_app(home)
        with _client(app) as web, Catalog.open(home) as cat:
            assert web.get(f"/deadlines?today={TODAY}").status_code == 200
            rows = [
                ("morning list", lambda: due_list(cat, today=today, days=7),
                 lambda: web.get(f"/deadlines?today={TODAY}")),
                ("a month", lambda: deadlines(cat, "SV-BJ", today=today, first=date(2024, 5, 1), last=date(2024, 5, 31)),
                 lambda: web.get(f"/deadlines/SV-BJ?period=2024-05&today={TODAY}")),
            ]  # fmt: skip
            print(f"{n} records in SV-BJ; medians of {args.repeat}")
            for name, lib, page in rows:
                base, ours = timed(lib, args.repeat), timed(page, args.repeat)
                print(f"{name:13} library {base:7.3f} s   page {ours:7.3f} s   ({ours / base:.2f}× the library call)")


if __name__ == "__main__":
    main()
