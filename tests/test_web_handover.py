"""The handover package as a ZIP download and moving a document to another volume, in the web app."""

from __future__ import annotations

import io
import zipfile

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.users import ROLES, add_user
from dangan.archive.volumes import list_volumes, plan_volumes, seal
from dangan.web.app import create_app
from dangan.web.handover import HANDOVER_WORK
from tests.test_handover import CODE, ready, set_doc  # noqa: F401 - ready is a fixture
from tests.webutil import PASSWORD, login, make_client


@pytest.fixture
def app(home, ready):  # noqa: F811
    with Catalog.open(home) as cat:
        for role in ROLES:
            add_user(cat, role, role, PASSWORD)
    return create_app(home)


def signed_in(app, role: str):
    c = make_client(app)
    c.__enter__()
    return c, login(c, role)


def test_the_handover_package_downloads_as_one_zip(app, home):
    archivist, token = signed_in(app, "archivist")
    assert 'action="/volumes/BJ-2024-017/handover.zip"' in archivist.get(f"/volumes/{CODE}").text
    r = archivist.post(f"/volumes/{CODE}/handover.zip", data={"csrf": token})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert "filename*=UTF-8''BJ-2024-017-" in r.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert f"{CODE}-移交包/案卷目录.xlsx" in names and f"{CODE}-移交包/四性检测报告.html" in names
    assert any(n.endswith(".xml") for n in names) and any(
        n.endswith("-001.pdf") or n.endswith("-001.txt") for n in names
    )
    assert list((home.root / HANDOVER_WORK).iterdir()) == []  # the work folder went once sent


def test_a_failing_check_sends_no_package_and_shows_what_to_fix(app, home, ready):  # noqa: F811
    with Catalog.open(home) as cat:
        set_doc(cat, ready["施工合同书.txt"]["id"], sha256="0" * 64)
    archivist, token = signed_in(app, "archivist")
    r = archivist.post(f"/volumes/{CODE}/handover.zip", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == f"/volumes/{CODE}/check?handover=failed"
    page = archivist.get(r.headers["location"]).text
    assert "四性检测未通过，移交包没有生成" in page and "不通过" in page
    viewer, vtoken = signed_in(app, "viewer")
    assert viewer.post(f"/volumes/{CODE}/handover.zip", data={"csrf": vtoken}).status_code == 403


def test_a_document_moves_to_another_draft_volume(app, home, ready):  # noqa: F811
    with Catalog.open(home) as cat:
        plan_volumes(cat, CODE, max_pages=1)  # one document per volume: two volumes
        first, second = list_volumes(cat, CODE)
    moving = first.entries[0].document_id
    archivist, token = signed_in(app, "archivist")
    page = archivist.get(f"/volumes/{CODE}").text
    assert "移到另一卷" in page and f'<option value="{second.sequence}">第{second.sequence}卷</option>' in page
    r = archivist.post(f"/volumes/{CODE}/move", data={"csrf": token, "doc": str(moving), "to": str(second.sequence)})
    assert r.status_code == 303 and "done=move" in r.headers["location"]
    with Catalog.open(home) as cat:
        after = {v.sequence: [e.document_id for e in v.entries] for v in list_volumes(cat, CODE)}
        assert moving in after[second.sequence] and moving not in after.get(first.sequence, [])
        seal(cat, CODE, second.sequence)
    back = archivist.post(f"/volumes/{CODE}/move", data={"csrf": token, "doc": str(moving), "to": str(first.sequence)})
    assert back.status_code == 409  # a sealed volume keeps its numbers: the library refuses, the page says so
    bad = archivist.post(f"/volumes/{CODE}/move", data={"csrf": token, "doc": "x", "to": "1"})
    assert bad.status_code == 400
