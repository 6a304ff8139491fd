"""The lending, locations and inventory pages through Starlette's test client, with the role rules."""

from __future__ import annotations

import json

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.holdings import set_location
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.labelcodes import box_code_text, volume_code_text
from dangan.archive.lending import lend
from dangan.archive.volumes import list_volumes, plan_volumes
from dangan.web.app import create_app
from tests.conftest import write_text_doc
from tests.webutil import login, make_client, prepare_home

CODE = "BJ-2024-017"


@pytest.fixture
def app(home, tmp_path, monkeypatch):
    """Two volumes in box 盒017 of 库房1, volume 2 lent until 2025-03-05; today is 2025-03-10."""
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-01")
    prepare_home(home)
    folder = tmp_path / "in"
    write_text_doc(folder, "施工合同书.txt", "施工合同书 2024年2月1日")
    write_text_doc(folder, "土建建施竣工图.txt", "土建建施竣工图 2024年9月1日")
    with Catalog.open(home) as cat:
        ingest_paths(cat, [folder], project=CODE)
        plan_volumes(cat, CODE)
        set_location(cat, [f"{CODE}:1", f"{CODE}:2"], "库房1/A03/2/盒017")
        lend(cat, f"{CODE}:2", to="李明", dept="工程部", purpose="改造设计", until="2025-03-05")
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-10")
    return create_app(home)


def as_role(app, role: str):
    c = make_client(app)
    c.__enter__()
    return c, login(c, role)


def test_the_lending_page_lists_overdue_first_and_lets_the_archivist_lend_and_return(app):
    c, csrf = as_role(app, "archivist")
    page = c.get("/lending")
    assert page.status_code == 200 and "逾期 5 天" in page.text and 'id="lend-form"' in page.text
    r = c.post("/lending/lend", data={"csrf": csrf, "what": f"{CODE}:1", "to": "王芳", "dept": "法务部",
                                      "purpose": "合同核对", "until": "2025-03-20"})  # fmt: skip
    assert (r.status_code, r.headers["location"]) == (303, "/lending?done=lent")
    text = c.get("/lending?done=lent").text
    assert "已登记借出。" in text and text.index(f"{CODE}:2") < text.index("王芳")  # overdue first
    again = c.post("/lending/lend", data={"csrf": csrf, "what": f"{CODE}:1", "to": "张三", "dept": "工程部",
                                          "purpose": "查阅", "until": "2025-03-20"})  # fmt: skip
    assert again.status_code == 400 and f"{CODE}:1 已借出：{CODE}:1 由 王芳（法务部）借阅" in again.text
    assert "dangan" not in again.text.split("<main>")[1]
    r = c.post("/lending/return", data={"csrf": csrf, "what": f"{CODE}:2", "effect": "按原图完成改造设计"})
    assert r.status_code == 303
    assert "逾期" not in c.get("/lending").text.split('id="loans"')[1].split("</table>")[0]


def test_a_viewer_sees_the_loans_but_cannot_lend_or_return(app):
    c, csrf = as_role(app, "viewer")
    page = c.get("/lending")
    assert page.status_code == 200 and "李明" in page.text and 'id="lend-form"' not in page.text
    r = c.post("/lending/lend", data={"csrf": csrf, "what": f"{CODE}:1", "to": "王芳", "dept": "法务部",
                                      "purpose": "合同核对", "until": "2025-03-20"})  # fmt: skip
    assert r.status_code == 403 and "没有此操作的权限" in r.text
    assert c.post("/lending/return", data={"csrf": csrf, "what": f"{CODE}:2"}).status_code == 403
    assert "李明" in c.get("/lending").text  # nothing changed


def test_a_post_without_the_csrf_token_is_refused(app):
    c, _ = as_role(app, "archivist")
    assert c.post("/lending/return", data={"what": f"{CODE}:2"}).status_code == 403


def test_locations_page(app):
    c, _ = as_role(app, "viewer")
    text = c.get(f"/locations/{CODE}").text
    assert "库房1/A03/2/盒017" in text and "<td>李明（工程部）借阅，应于 2025-03-05 归还</td>" in text
    assert "until" not in text
    reader, _ = as_role(app, "reader")  # a public reader is not shown the shelves at all
    r = reader.get(f"/locations/{CODE}")
    assert r.status_code == 403 and "李明" not in r.text


def test_an_inventory_run_finds_missing_and_misplaced(app, home):
    with Catalog.open(home) as cat:
        v1, v2 = list_volumes(cat, CODE)
        set_location(cat, [f"{CODE}:2"], "库房2/B01/1/盒003")  # volume 2 belongs in 库房2
    c, csrf = as_role(app, "viewer")
    assert c.get("/inventory").status_code == 200
    codes = "\n".join([volume_code_text(v2.id, "x"), "BJ-2024-017:9", volume_code_text(9999, "gone")])
    r = c.post("/inventory", data={"csrf": csrf, "scope": "库房1", "codes": codes, "code": "garbage"})
    assert r.status_code == 200
    missing = r.text.split('id="missing"')[1].split("</table>")[0]
    unexpected = r.text.split('id="unexpected"')[1].split("</table>")[0]
    assert f"{CODE}:1" in missing
    assert f"{CODE}:2" in unexpected and "应存放在别处" in unexpected and "库房2/B01/1/盒003" in unexpected
    assert "没有编号为 9999 的案卷，该标签所属的案卷已被删除。" in unexpected
    assert "garbage" in unexpected and "既不是本档案室的标签" in unexpected and "BJ-2024-017:9" in unexpected
    # the box label of 盒017 counts for volume 1 standing in it
    r = c.post("/inventory", data={"csrf": csrf, "scope": "库房1", "codes": "", "code": box_code_text(
        "库房1/A03/2/盒017")})  # fmt: skip
    assert "在位 1 卷，缺失 0 卷，不应在此 0 个。" in r.text
    bad = c.post("/inventory", data={"csrf": csrf, "scope": "库房1//x", "codes": "", "code": ""})
    assert bad.status_code == 400 and "盘点位置“库房1//x”应写成" in bad.text


def test_the_deadlines_page_lists_overdue_loans_for_the_roles_that_see_loans(app, cli):
    desk, _ = as_role(app, "desk")
    page = desk.get("/deadlines").text
    table = page.split('id="late-loans"')[1].split("</table>")[0]
    assert "<caption>借阅逾期 1 件</caption>" in table
    assert (f"<td>李明（工程部）</td><td>{CODE}:2</td><td>安居花园3号楼竣工图</td><td>2025年3月5日</td>"
            '<td class="status">✘ 逾期 5 天</td>') in table  # fmt: skip
    ics = desk.get("/deadlines.ics").content.decode("utf-8")
    assert f"SUMMARY:借阅逾期 {CODE}:2（李明，工程部）" in ics  # the calendar `dangan due --ics` writes
    assert 'id="late-loans"' not in desk.get("/deadlines?person=王芳").text  # only 李明's loans are late
    (late,) = desk.get("/api/due").json()  # the API gives what `dangan due --json` gives
    assert [late] == json.loads(cli("due", "--json").output) and (late["kind"], late["borrower"]) == ("loan", "李明")
    reader, _ = as_role(app, "reader")  # a public reader sees neither the deadlines nor any borrower
    for url in ("/deadlines", "/deadlines.ics", "/api/due", "/lending"):
        r = reader.get(url)
        assert r.status_code == 403 and "李明" not in r.content.decode("utf-8"), url
    assert "公开查阅只能查阅已开放的档案" in reader.get("/lending").text


def test_sealing_and_the_handover_pages_warn_in_chinese_of_a_volume_out_on_loan(app):
    c, csrf = as_role(app, "archivist")
    warning = f"案卷 {CODE}:2 正在借出：{CODE}:2 由 李明（工程部）借阅，应于 2025-03-05 归还。"
    r = c.post(f"/volumes/{CODE}/2/seal", data={"csrf": csrf})
    assert r.status_code == 303  # sealed all the same, as `dangan volume seal` does
    page = c.get(r.headers["location"]).text
    box = page.split('id="on-loan"')[1].split("</div>")[0]
    assert "已封卷。" in page and f"<li>{warning}</li>" in box and f"{CODE}:1 " not in box
    assert page.index('id="on-loan"') < page.index('id="handover"')  # read before the package is asked for
    assert f"<li>{warning}</li>" in c.get(f"/volumes/{CODE}/check").text
    viewer, _ = as_role(app, "viewer")  # who cannot seal or hand over is not told
    assert 'id="on-loan"' not in viewer.get(f"/volumes/{CODE}").text
    assert c.post("/lending/return", data={"csrf": csrf, "what": f"{CODE}:2"}).status_code == 303
    assert 'id="on-loan"' not in c.get(f"/volumes/{CODE}").text
