"""The forms engine: manifest, validation messages, safe names, atomic and parallel batches,
home overrides and template checks."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from dangan.archive import forms as F
from dangan.archive.forms import batch as forms_batch
from dangan.indexer.errors import DataError, TemplateError, UnknownFormError, UsageError

MANIFEST = F.load_manifest()
DISPATCH = MANIFEST["dispatch_ticket"]
COMPLAINT = MANIFEST["complaint_record"]


def dispatch_row(n: int = 1, **overrides) -> dict:
    row = {
        "派工单号": f"PG-{n:03d}", "派工日期": "2024-03-05", "客户名称": f"客户{n}", "联系电话": "13800000000",
        "地址": "北京市朝阳区", "维修人员": "王强", "服务内容": "更换滤芯",
        "维修项目1项目名称": "滤芯", "维修项目1数量": "2", "维修项目1单价": "40", "维修项目1金额": "80",
    }  # fmt: skip
    row.update(overrides)
    return row


def complaint_row(**overrides) -> dict:
    row = {"投诉编号": "TS-1", "投诉时间": "2024-03-06", "投诉人": "陈秀英", "投诉对象": "维修人员",
           "严重程度": "一般", "投诉类别": "服务投诉", "投诉内容及要求": "迟到"}  # fmt: skip
    row.update(overrides)
    return row


def cell_texts(path: Path) -> list[str]:
    return [c.text for t in Document(path).tables for r in t.rows for c in r.cells]


# --------------------------------------------------------------------------- manifest


def test_manifest_has_the_sixteen_forms_with_their_checklist_items():
    titles = {f.title for f in MANIFEST.values()}
    assert {"顾客服务需求表", "维护派工单", "顾客投诉记录", "纠正和预防措施处理单", "顾客满意度调查表", "顾客走访记录表",
            "客户档案基本资料表", "跟踪服务电话记录表", "客服质量整改通知单", "进厂维修单", "维修结算单", "开工报告",
            "技术交底记录", "隐蔽工程验收记录", "交工验收证明书", "竣工报告"} <= titles  # fmt: skip
    items = {f.title: f.checklist_item for f in MANIFEST.values() if f.checklist_item}
    assert items == {
        "开工报告": "C02",
        "技术交底记录": "C03",
        "隐蔽工程验收记录": "C09",
        "交工验收证明书": "C11",
        "竣工报告": "C13",
    }


def test_find_form_by_id_title_and_alias():
    assert F.find_form(MANIFEST, "dispatch_ticket") is DISPATCH
    assert F.find_form(MANIFEST, "维护派工单") is DISPATCH
    assert F.find_form(MANIFEST, "顾客服务要求表").id == "service_request"
    assert F.find_form(MANIFEST, "DISPATCH_TICKET") is DISPATCH


def test_unknown_form_lists_the_valid_ids():
    with pytest.raises(UnknownFormError) as e:
        F.find_form(MANIFEST, "报销单")
    assert str(e.value).startswith(
        'no form "报销单"; known forms: service_request (顾客服务需求表), dispatch_ticket (维护派工单)'
    )
    assert str(e.value).endswith("see `dangan forms list`")


def test_broken_manifest_names_file_form_and_field(tmp_path):
    (tmp_path / "forms.toml").write_text(
        '[[forms]]\nid = "x"\ntitle = "X"\nfile = "x.docx"\nfields = [{ name = "a", type = "colour" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(TemplateError) as e:
        F.load_manifest(tmp_path)
    assert (
        str(e.value)
        == f"{tmp_path / 'forms.toml'}: form x, field a: type must be one of text, date, number, money, choice, image, list, not 'colour'"
    )


def test_name_pattern_must_use_known_fields(tmp_path):
    (tmp_path / "forms.toml").write_text(
        '[[forms]]\nid = "x"\ntitle = "X"\nfile = "x.docx"\nname_pattern = "{nope}"\nfields = [{ name = "a" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(TemplateError, match=r"name_pattern '\{nope\}': \{nope\} is no field of X"):
        F.load_manifest(tmp_path)


# --------------------------------------------------------------------------- validation


def test_columns_match_by_label_or_name_and_values_are_typed():
    row = {"ticket_no": "PG-1", "派工日期": "2024年3月5日", "customer": "甲", "联系电话": "1", "地址": "乙",
           "维修人员": "丙", "服务内容": "丁", "items.1.name": "滤芯", "items.1.quantity": "１２", "维修项目1金额": "¥1,280.5"}  # fmt: skip
    typed, problems = F.validate_rows(DISPATCH, [row])
    assert problems == []
    [values] = typed
    assert values["ticket_no"] == "PG-1" and str(values["dispatch_date"]) == "2024-03-05"
    assert values["items"] == [{"name": "滤芯", "charge": None, "quantity": Decimal("12"), "unit_price": None,
                                "amount": Decimal("1280.50")}]  # fmt: skip
    assert values["_row"] == 2


def test_bad_date_message_names_row_and_label():
    rows = [complaint_row() for _ in range(16)]
    rows[15]["投诉时间"] = "2024-13-01"
    _, problems = F.validate_rows(COMPLAINT, rows)
    assert problems == ['row 17, 投诉时间: "2024-13-01" is not a date, use YYYY-MM-DD']


def test_missing_required_bad_choice_bad_number_and_money():
    rows = [
        dispatch_row(1, 客户名称=""),
        dispatch_row(2, 服务类别="修理"),
        dispatch_row(3, 维修项目1数量="两个"),
        dispatch_row(4, 收费金额="八十"),
    ]
    _, problems = F.validate_rows(DISPATCH, rows)
    assert problems == [
        "row 2, 客户名称: is required but empty",
        'row 3, 服务类别: "修理" is not one of 上门维修, 返厂维修, 保养, 安装',
        'row 4, 维修项目1数量: "两个" is not a number, use digits like 12 or 3.5',
        'row 5, 收费金额: "八十" is not an amount of money, use digits like 120 or 120.50',
    ]


def test_list_row_with_data_but_no_required_name_is_reported():
    _, problems = F.validate_rows(DISPATCH, [dispatch_row(1, 维修项目2数量="3")])
    assert problems == ["row 2, 维修项目2项目名称: is required but empty"]


def test_unknown_and_missing_columns_are_reported_once():
    rows = [dispatch_row(1), dispatch_row(2)]
    for row in rows:
        row["客户名城"] = row.pop("客户名称")
    _, problems = F.validate_rows(DISPATCH, rows)
    assert problems[0] == (
        'column "客户名城" matches no field of 维护派工单 (did you mean 客户名称?); rename it to a label from '
        "`dangan forms fields dispatch_ticket` or delete the column"
    )
    assert problems[1] == "column 客户名称 is missing; it is required (head a column 客户名称 or customer)"
    assert len(problems) == 2


def test_blank_rows_keep_spreadsheet_numbering():
    rows = [dispatch_row(1), {k: "" for k in dispatch_row(1)}, dispatch_row(3, 派工日期="昨天")]
    typed, problems = F.validate_rows(DISPATCH, rows)
    assert [t["_row"] for t in typed] == [2]
    assert problems == ['row 4, 派工日期: "昨天" is not a date, use YYYY-MM-DD']


def test_accepted_spellings_of_dates_and_money():
    assert str(F.parse_date("2024/3/5")) == "2024-03-05"
    assert str(F.parse_date("20240305")) == "2024-03-05"
    assert str(F.parse_date("2024-03-05 14:30")) == "2024-03-05 14:30:00"
    assert str(F.parse_money("80元")) == "80.00"
    assert str(F.parse_money("RMB 1,000")) == "1000.00"
    with pytest.raises(ValueError):
        F.parse_date("2024-02-30")


# --------------------------------------------------------------------------- rendering


def test_any_problem_raises_data_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    rows = [dispatch_row(1), dispatch_row(2, 派工日期="2024-13-01"), dispatch_row(3, 联系电话="")]
    with pytest.raises(DataError) as e:
        F.render_batch(DISPATCH, rows, out, jobs=1)
    assert str(e.value) == (
        "2 problems in 2 of 3 rows of 维护派工单 data; nothing was written "
        "(fix them, or render only the valid rows with --skip-invalid)"
    )
    assert e.value.problems == [
        'row 3, 派工日期: "2024-13-01" is not a date, use YYYY-MM-DD',
        "row 4, 联系电话: is required but empty",
    ]
    assert not out.exists()


def test_skip_invalid_renders_only_the_valid_rows(tmp_path):
    rows = [dispatch_row(1), dispatch_row(2, 派工日期="2024-13-01"), dispatch_row(3)]
    done = F.render_batch(DISPATCH, rows, tmp_path, jobs=1, skip_invalid=True)
    assert [r.row for r in done] == [2, 4]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PG-001_客户1.docx", "PG-003_客户3.docx"]


def test_column_problems_stop_even_with_skip_invalid(tmp_path):
    with pytest.raises(DataError, match="^the data's columns do not fit 维护派工单; nothing was written$"):
        F.render_batch(DISPATCH, [dispatch_row(1, 备用="x")], tmp_path / "o", jobs=1, skip_invalid=True)


def test_values_with_xml_characters_are_escaped(tmp_path):
    row = dispatch_row(1, 客户名称='A&B <公司> "甲"', 服务内容="1 < 2 && 3 > 2")
    [r] = F.render_batch(DISPATCH, [row], tmp_path, jobs=1, company="R&D <中心>")
    texts = cell_texts(r.docx)
    assert 'A&B <公司> "甲"' in texts and "1 < 2 && 3 > 2" in texts
    assert Document(r.docx).paragraphs[0].text == "R&D <中心>"


def test_output_names_are_safe_and_deduplicated(tmp_path):
    rows = [
        dispatch_row(1, 客户名称="张三"),
        dispatch_row(1, 客户名称="张三"),
        dispatch_row(1, 客户名称="张三"),
        dispatch_row(2, 客户名称='a/b\\c:d*e?f"g<h>i|j'),
        dispatch_row(3, 客户名称="CON"),
    ]
    done = F.render_batch(DISPATCH, rows, tmp_path, jobs=1, name_pattern="{customer}")
    assert [r.docx.name for r in done] == [
        "张三.docx",
        "张三_2.docx",
        "张三_3.docx",
        "a_b_c_d_e_f_g_h_i_j.docx",
        "_CON.docx",
    ]


def test_names_differing_only_in_case_do_not_overwrite_each_other(tmp_path):
    rows = [dispatch_row(1, 客户名称="abc"), dispatch_row(2, 客户名称="ABC")]
    done = F.render_batch(DISPATCH, rows, tmp_path, jobs=1, name_pattern="{customer}")
    assert [r.docx.name for r in done] == ["abc.docx", "ABC_2.docx"]


def test_bad_name_pattern_is_a_usage_error(tmp_path):
    with pytest.raises(
        UsageError, match=r'^name pattern "\{kunde\}": \{kunde\} is no field of 维护派工单; use one of: '
    ):
        F.render_batch(DISPATCH, [dispatch_row(1)], tmp_path, jobs=1, name_pattern="{kunde}")


def test_long_names_are_cut_to_fit_file_systems(tmp_path):
    [r] = F.render_batch(DISPATCH, [dispatch_row(1, 客户名称="长" * 200)], tmp_path, jobs=1, name_pattern="{customer}")
    assert len(r.docx.name.encode("utf-8")) <= F.MAX_NAME_BYTES + len(".docx")


def _exploding_home(tmp_path: Path) -> Path:
    """A home template folder whose 派工单 template divides by zero for customer BOOM."""
    home = tmp_path / "home-templates"
    home.mkdir()
    doc = Document(DISPATCH.template_path())
    cell = doc.tables[0].rows[1].cells[1]
    cell.paragraphs[0].runs[0].text = "{{ customer }}{{ 1 // (0 if customer == 'BOOM' else 1) }}"
    doc.save(home / DISPATCH.file)
    return home


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_row_failing_mid_batch_leaves_no_half_written_file(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(forms_batch, "ROWS_PER_WORKER", 1)
    monkeypatch.setattr(forms_batch, "free_cores", lambda: 2)
    form = F.load_manifest(_exploding_home(tmp_path))["dispatch_ticket"]
    rows = [dispatch_row(n) for n in range(1, 41)]
    rows[24]["客户名称"] = "BOOM"
    out = tmp_path / "out"
    with pytest.raises(TemplateError) as e:
        F.render_batch(form, rows, out, jobs=jobs)
    assert str(e.value).startswith(
        "维护派工单.docx: rendering row 26 failed (ZeroDivisionError: integer division or modulo by zero)"
    )
    left = list(out.iterdir())
    assert not [p for p in left if p.suffix != ".docx"], "temporary files were left behind"
    assert "PG-025_BOOM.docx" not in {p.name for p in left}
    for p in left:  # whatever was finished is a complete Word file
        assert zipfile.ZipFile(p).testzip() is None and Document(p).tables


def test_jobs_2_writes_the_same_files_as_jobs_1(tmp_path, monkeypatch):
    monkeypatch.setattr(forms_batch, "ROWS_PER_WORKER", 1)
    monkeypatch.setattr(forms_batch, "free_cores", lambda: 2)
    rows = [dispatch_row(n, 维修项目2项目名称=f"项目{n}") for n in range(1, 31)]
    one = F.render_batch(DISPATCH, rows, tmp_path / "one", jobs=1, company="公司")
    two = F.render_batch(DISPATCH, rows, tmp_path / "two", jobs=2, company="公司")
    assert [r.docx.name for r in one] == [r.docx.name for r in two]
    for a, b in zip(one, two):
        assert a.docx.read_bytes() == b.docx.read_bytes()


def test_rerendering_replaces_files_of_the_same_name(tmp_path):
    F.render_batch(DISPATCH, [dispatch_row(1, 服务内容="旧")], tmp_path, jobs=1)
    F.render_batch(DISPATCH, [dispatch_row(1, 服务内容="新")], tmp_path, jobs=1)
    [only] = list(tmp_path.iterdir())
    assert "新" in cell_texts(only)


def test_no_rows_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="^no 维护派工单 to render: the data has no rows$"):
        F.render_batch(DISPATCH, [], tmp_path, jobs=1)


# --------------------------------------------------------------------------- home overrides


def test_home_copy_of_a_template_is_used(tmp_path):
    home = tmp_path / "templates"
    home.mkdir()
    doc = Document(DISPATCH.template_path())
    doc.paragraphs[1].runs[0].text = "维护派工单（本公司版）"
    doc.save(home / DISPATCH.file)
    form = F.load_manifest(home)["dispatch_ticket"]
    assert form.template_path() == home / DISPATCH.file
    [r] = F.render_batch(form, [dispatch_row(1)], tmp_path / "out", jobs=1)
    assert Document(r.docx).paragraphs[1].text == "维护派工单（本公司版）"
    # the other forms still come from the shipped folder
    assert F.load_manifest(home)["complaint_record"].template_path().parent == F.shipped_templates_dir()


def test_home_manifest_overrides_form_by_form(tmp_path):
    text = (F.shipped_templates_dir() / "forms.toml").read_text(encoding="utf-8")
    start = text.index('[[forms]]\nid = "dispatch_ticket"')
    end = text.index("[[forms]]", start + 5)
    block = text[start:end].replace('name_pattern = "{ticket_no}_{customer}"', 'name_pattern = "派工_{ticket_no}"')
    (tmp_path / "forms.toml").write_text(block, encoding="utf-8")
    manifest = F.load_manifest(tmp_path)
    assert manifest["dispatch_ticket"].name_pattern == "派工_{ticket_no}"
    assert len(manifest) == len(MANIFEST)


# --------------------------------------------------------------------------- check_template


def _edited(tmp_path: Path, text: str, *, cell=(0, 1, 1)) -> Path:
    doc = Document(DISPATCH.template_path())
    t, r, c = cell
    doc.tables[t].rows[r].cells[c].paragraphs[0].runs[0].text = text
    path = tmp_path / "edited.docx"
    doc.save(path)
    return path


def test_check_finds_unknown_tag_and_the_field_it_replaced(tmp_path):
    path = _edited(tmp_path, "{{ custmer }}")
    assert F.check_template(path, DISPATCH) == [
        'edited.docx: tag {{ custmer }} in table 1, row 2, cell 2 "{{ custmer }}" is no field of 维护派工单 '
        "(did you mean customer?); fix the tag in Word or add the field to forms.toml",
        "edited.docx: field 客户名称 (customer) is never printed; add {{ customer }} where it belongs, "
        "or ignore this if it is left out on purpose",
    ]


def test_check_reports_syntax_errors_with_their_place(tmp_path):
    path = _edited(tmp_path, "{{ customer }")
    [problem] = F.check_template(path, DISPATCH)
    # docxtpl joins a broken tag with the text up to the next closing braces; the place is
    # still the cell where the broken tag starts.
    assert problem.startswith('edited.docx: tag syntax error in table 1, row 2, cell 2 "{{ customer }')
    assert problem.endswith("unexpected '}'")


def test_check_finds_unknown_list_sub_fields(tmp_path):
    doc = Document(DISPATCH.template_path())
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "序号")
    table.rows[2].cells[1].paragraphs[0].runs[0].text = "{{ it.nmae }}"
    path = tmp_path / "list.docx"
    doc.save(path)
    problems = F.check_template(path, DISPATCH)
    assert problems[0].startswith("list.docx: tag .nmae in the 维修项目 rows (table 2, row 3, cell 2")
    assert problems[0].endswith(
        "is no sub-field of 维修项目; use one of: no, name, charge, quantity, unit_price, amount"
    )
    assert problems[1] == "list.docx: sub-field 维修项目项目名称 (items.name) is never printed"


def test_check_without_form_checks_syntax_only(tmp_path):
    assert F.check_template(_edited(tmp_path, "{{ anything }}")) == []


def test_render_refuses_a_template_with_unknown_tags(tmp_path):
    home = tmp_path / "t"
    home.mkdir()
    shutil.copy(_edited(tmp_path, "{{ custmer }}"), home / DISPATCH.file)
    form = F.load_manifest(home)["dispatch_ticket"]
    with pytest.raises(
        TemplateError, match=r"^edited.docx: tag \{\{ custmer \}\}|^维护派工单.docx: tag \{\{ custmer \}\}"
    ):
        F.render_batch(form, [dispatch_row(1)], tmp_path / "out", jobs=1)
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_docx_is_a_template_error(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    with pytest.raises(TemplateError, match="bad.docx: not a Word .docx file"):
        F.check_template(bad)


def test_tags_in_headers_and_footers_are_rendered_and_checked(tmp_path):
    home = tmp_path / "t"
    home.mkdir()
    doc = Document(DISPATCH.template_path())
    doc.sections[0].header.paragraphs[0].add_run("{{ company }} 售后服务部")
    doc.sections[0].footer.paragraphs[0].add_run("派工单号 {{ ticket_no }} {{ tiket }}")
    doc.save(home / DISPATCH.file)
    form = F.load_manifest(home)["dispatch_ticket"]
    [problem] = F.check_template(form.template_path(), form)
    assert problem.startswith(
        '维护派工单.docx: tag {{ tiket }} in footer paragraph 1 "派工单号 {{ ticket_no }} {{ tiket }}"'
    )
    doc = Document(home / DISPATCH.file)
    doc.sections[0].footer.paragraphs[0].runs[0].text = "派工单号 {{ ticket_no }}"
    doc.save(home / DISPATCH.file)
    [r] = F.render_batch(form, [dispatch_row(7)], tmp_path / "out", jobs=1, company="A&B 公司")
    out = Document(r.docx)
    assert out.sections[0].header.paragraphs[0].text == "A&B 公司 售后服务部"
    assert out.sections[0].footer.paragraphs[0].text == "派工单号 PG-007"


@pytest.mark.parametrize(
    "rows, jobs, free, workers",
    [
        (500, 2, 2, 1),  # too few rows to win a worker's start-up back
        (500, None, 2, 1),
        (4000, 2, 2, 2),
        (4000, None, 2, 2),
        (4000, 2, 1, 1),  # the other core is busy: in-process
        (9000, None, 8, 4),
        (9000, 3, 8, 3),  # --jobs is the most, never more
        (1, None, 1, 1),
    ],
)
def test_worker_count_follows_batch_size_and_free_cores(monkeypatch, rows, jobs, free, workers):
    monkeypatch.setattr(forms_batch, "free_cores", lambda: free)
    assert forms_batch.docx_workers(rows, jobs) == workers
