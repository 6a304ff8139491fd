"""Helpers for the web tests: a home with a project, one user per role, signed-in clients."""

from __future__ import annotations

import re
import warnings

from dangan.archive.catalog import Catalog
from dangan.archive.projects import add_project
from dangan.archive.sample import SAMPLE_ROLES
from dangan.archive.users import ROLES, add_user

PASSWORD = "secret-pw-123"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def prepare_home(home) -> None:
    """Project BJ-2024-017 and a user named after each role (password PASSWORD)."""
    with Catalog.open(home) as cat:
        add_project(cat, "BJ-2024-017", "安居花园3号楼", roles=dict(SAMPLE_ROLES))
        for role in ROLES:
            add_user(cat, role, role, PASSWORD)


def make_client(app, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice about httpx's successor
        from starlette.testclient import TestClient
    return TestClient(app, follow_redirects=False, **kw)


def csrf_of(html: str) -> str:
    return CSRF_RE.search(html).group(1)


def login(client, name: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": name, "password": password, "next": "/search"})
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/search").text)
