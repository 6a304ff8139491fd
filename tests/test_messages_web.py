"""What a signed-in person is told when something goes wrong: Chinese, the menu kept, the right status."""

from __future__ import annotations

import pytest

from dangan.web.app import create_app
from tests.test_web import as_role
from tests.webutil import make_client, prepare_home


@pytest.fixture
def app(home):
    prepare_home(home)
    return create_app(home)


def test_a_short_password_set_by_an_admin_is_a_400_page_with_the_menu_not_a_sign_in_page(app):
    admin, token = as_role(app, "admin")
    r = admin.post("/admin/users/desk/password", data={"csrf": token, "password": "short"})
    assert r.status_code == 400
    assert "<h1>400 请求有误</h1>" in r.text and "密码太短：至少 8 位。" in r.text
    assert "请先登录" not in r.text and '<a href="/admin" aria-current="page">管理</a>' in r.text
    r = admin.post("/admin/users", data={"csrf": token, "name": "desk", "role": "viewer", "password": "long-enough-1"})
    assert r.status_code == 409 and "用户 desk 已存在" in r.text and "dangan " not in r.text


def test_a_signed_in_user_without_the_right_gets_403_with_the_menu(app):
    viewer, token = as_role(app, "viewer")
    r = viewer.post("/admin/users", data={"csrf": token, "name": "x1", "role": "viewer", "password": "long-enough-1"})
    assert r.status_code == 403 and "<h1>403 没有权限</h1>" in r.text
    assert '<a href="/search">搜索</a>' in r.text and '<a href="/admin">管理</a>' not in r.text
    assert viewer.get("/api/review").status_code == 200  # the same session reads the API


def test_an_unsigned_api_request_is_401_in_chinese_with_the_english_for_scripts(app):
    r = make_client(app).get("/api/review")
    assert r.status_code == 401
    assert r.json()["error"] == "请先登录，或在请求中带上 API 令牌（Authorization: Bearer 令牌）。"
    assert r.json()["english"].startswith("sign in or send Authorization: Bearer TOKEN; make one with `dangan user")


def test_a_bad_search_query_is_said_in_chinese_above_the_filters(app):
    viewer, _ = as_role(app, "viewer")
    r = viewer.get("/search", params={"q": "-草稿"})
    assert r.status_code == 400 and "搜索内容“-草稿”只有要排除的词：请加一个要找的词，如 竣工 -草稿" in r.text
    r = viewer.get("/search", params={"q": "竣工", "person": "无此人"})
    assert r.status_code == 404 and "没有责任人“无此人”" in r.text and "people" not in r.text


def test_form_data_problems_are_said_row_by_row_in_chinese(app):
    desk, token = as_role(app, "desk")
    url = "/forms/维护派工单/render"
    empty = desk.post(url, data={"csrf": token}, files={"data": ("空.csv", "派工单号,派工日期\n".encode())})
    assert "数据中没有任何一行，没有可生成的维护派工单" in empty.text
    bad = "派工单号,派工日期,客户名称,联系电话,地址,维修人员,服务内容\nP-1,明天,某公司,123,某路1号,王强,修空调\n"
    r = desk.post(url, data={"csrf": token}, files={"data": ("坏日期.csv", bad.encode())})
    assert "第 2 行，派工日期：“明天”不是日期，请写成 年-月-日（如 2025-03-01）" in r.text
    assert "is not a date" not in r.text and "dangan " not in r.text
