"""The command line speaks the locale's language: English by default, Chinese under zh_CN."""

from __future__ import annotations

import pytest

ENGLISH = "Error: no document 999 in the catalog; `dangan catalog CODE` lists ids\n"
CHINESE = "错误：档案库中没有编号为 999 的文件。（`dangan catalog CODE` lists ids）\n"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ENGLISH),
        ({"LANG": "zh_CN.UTF-8"}, CHINESE),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C.UTF-8"}, CHINESE),
        ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, ENGLISH),  # LC_ALL wins, as in every POSIX program
    ],
)
def test_an_error_line_follows_the_locale_with_the_same_exit_code(cli, monkeypatch, env, expected):
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    result = cli("show", "999")
    assert result.exit_code == 5
    assert result.output == expected


def test_a_chinese_error_line_keeps_the_command_to_run(cli, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    result = cli("check", "NO-SUCH")
    assert result.exit_code == 5
    assert result.output == "错误：没有项目 NO-SUCH，请管理员在“管理”页添加。（add one with `dangan project add`）\n"
