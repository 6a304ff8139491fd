"""Custom filters: only the allow-listed ones, and only when the form names them in forms.toml."""

from __future__ import annotations

import pytest
from docx import Document

from dangan.archive import forms as F
from dangan.archive.forms.filters import cn_date, cn_money
from dangan.indexer.errors import TemplateError

MANIFEST = """
[[forms]]
id = "receipt"
title = "收据"
file = "收据.docx"
filters = [{filters}]
fields = [
  {{ name = "amount", label = "金额", type = "money", required = true }},
  {{ name = "paid_on", label = "日期", type = "date" }},
]
"""


def receipt(tmp_path, filters: str = '"cn_money", "cn_date"') -> F.FormSpec:
    (tmp_path / "forms.toml").write_text(MANIFEST.format(filters=filters), encoding="utf-8")
    doc = Document()
    doc.add_paragraph("人民币（大写）{{ amount|cn_money }}，{{ paid_on|cn_date }}")
    doc.save(tmp_path / "收据.docx")
    return F.load_manifest(tmp_path)["receipt"]


def test_a_form_uses_the_filters_it_names(tmp_path):
    form = receipt(tmp_path)
    [done] = F.render_batch(form, [{"金额": "1,280.5", "日期": "2024/3/5"}], tmp_path / "out")
    assert Document(done.docx).paragraphs[0].text == "人民币（大写）壹仟贰佰捌拾元伍角整，2024年3月5日"


def test_a_filter_the_form_does_not_name_is_a_template_error(tmp_path):
    form = receipt(tmp_path, '"cn_date"')
    with pytest.raises(TemplateError, match="No filter named 'cn_money'"):
        F.render_batch(form, [{"金额": "1", "日期": "2024/3/5"}], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_only_allow_listed_filters_can_be_named(tmp_path):
    with pytest.raises(TemplateError) as e:
        receipt(tmp_path, '"os.system"')
    assert str(e.value) == (f"{tmp_path / 'forms.toml'}: form receipt: unknown filter 'os.system'; "
                            "the filters a form may use: cn_money, cn_date")  # fmt: skip


@pytest.mark.parametrize("value,text", [
    ("1280.50", "壹仟贰佰捌拾元伍角整"), ("0.05", "伍分"), ("100", "壹佰元整"), ("10001", "壹万零壹元整"),
    ("101000.01", "壹拾万壹仟元零壹分"), ("1000000", "壹佰万元整"), ("0", "零元整"), ("不是数", "不是数"),
])  # fmt: skip
def test_cn_money(value, text):
    assert cn_money(value) == text


def test_cn_date():
    assert (cn_date("2024-03-05"), cn_date("2024-11-23 08:30"), cn_date("明天")) == (
        "2024年3月5日",
        "2024年11月23日",
        "明天",
    )


def test_forms_check_names_a_filter_the_form_does_not_name(tmp_path):
    form = receipt(tmp_path, '"cn_date"')
    assert F.check_template(form.template_path(), form) == [
        "收据.docx: tag syntax error in paragraph 1 \"人民币（大写）{{ amount|cn_money }}，{{ paid_on|cn_date }}\": No filter named 'cn_money'."
    ]
