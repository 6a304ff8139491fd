"""Helpers for the web tests: a home with a project, one user per role, signed-in clients."""

from __future__ import annotations

import re
import socket
import threading
import time
import warnings
from contextlib import contextmanager
from typing import Iterator

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


@contextmanager
def running_server(app) -> Iterator[str]:
    """``app`` under uvicorn in this process on a free 127.0.0.1 port; yields its base URL.

    Real threads, as in production: requests run in the server's worker-thread pool, which
    the in-process TestClient (one event loop per call) does not reproduce.
    """
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


def http_login(base: str, name: str, password: str = PASSWORD):
    """An httpx client signed in to the server at ``base`` as ``name``, and its CSRF token."""
    import httpx

    client = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": name, "password": password, "next": "/search"})
    assert r.status_code == 303, r.text
    return client, csrf_of(client.get("/search").text)
