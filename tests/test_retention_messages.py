"""The retention, appraisal and statistics errors read in Chinese in the web app, without the CLI's advice."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from dangan.archive.appraisal import batch, decide
from dangan.archive.retention import set_hold
from dangan.indexer.errors import DanganError
from dangan.indexer.messages import LOCALE_DIR, say

PO = LOCALE_DIR / "zh_CN" / "retention.po"


def test_every_template_keeps_its_fields_in_chinese():
    with PO.open("rb") as fh:
        entries = [e for e in read_po(fh) if e.id]
    assert len(entries) >= 20
    for e in entries:
        assert set(re.findall(r"\{(\w+)\}", e.id)) == set(re.findall(r"\{(\w+)\}", e.string)), e.id
        assert re.search(r"[\u4e00-\u9fff]", e.string), e.id


@pytest.mark.parametrize(
    ("call", "chinese"),
    [
        (lambda cat: batch(cat, 42), "没有编号为 42 的鉴定批次。"),
        (lambda cat: set_hold(cat, "BJ-2024-017", reason=" ", by="钱坤"), "--reason 必须填写，不能为空。"),
        (lambda cat: decide(cat, 7, 1, "destroy", reason="x", by="钱坤"), "没有编号为 7 的鉴定批次。"),
    ],
)
def test_a_library_error_is_said_in_chinese_without_a_command(cat, project, call, chinese):
    with pytest.raises(DanganError) as caught:
        call(cat)
    assert say(caught.value) == chinese
    assert "dangan" in str(caught.value) or "--reason" in str(caught.value)  # the CLI keeps its English advice
