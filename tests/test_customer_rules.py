"""The per-customer keys of a service checklist (per, times, when) and the readers behind them:
a bad key names the file, line and item; seriousness, answers and tickets read from text."""

from __future__ import annotations

from pathlib import Path

import pytest

from dangan.archive.checklist import load_checklist, parse_checklist
from dangan.archive.customers.answers import answers_from_text, dissatisfied
from dangan.archive.customers.complaints import severity_of
from dangan.archive.customers.duties import parts_of_year
from dangan.archive.customers.matching import tickets_in
from dangan.archive.customers.names import norm_name
from dangan.indexer.errors import ChecklistError

HEAD = 'id = "svc"\ntitle = "测试"\n\n[[groups]]\ntitle = "组"\n'


def _item(code: str, extra: str) -> str:
    return f'\n  [[groups.items]]\n  code = "{code}"\n  title = "记录{code}"\n  role = "客服主管"\n  retention = "短期"\n{extra}'


@pytest.mark.parametrize(
    ("extra", "line", "problem"),
    [
        (
            '  period = "year"\n  per = "vip"\n  due = "period-end"\n',
            21,
            "per 'vip' must be one of key-customer, warranty",
        ),
        (
            '  period = "month"\n  per = "warranty"\n  due = "period-end"\n',
            21,
            "an item owed per customer counts times a year",
        ),
        (
            '  period = "year"\n  per = "warranty"\n  times = 5\n  due = "period-end"\n',
            22,
            "'times' must be 1, 2, 3, 4, 6 or 12",
        ),
        (
            '  period = "year"\n  times = 2\n  due = "period-end"\n',
            21,
            'times needs per = "key-customer" or per = "warranty"',
        ),
        ('  after = "S01"\n  when = "angry"\n  due = "+7d"\n', 21, "when 'angry' must be one of serious, dissatisfied"),
        (
            '  when = "serious"\n  due = "+7d"\n',
            20,
            'when keeps only some records of the after item: add after = "S15"',
        ),
    ],
)
def test_a_bad_customer_key_names_the_file_line_and_item(tmp_path: Path, extra, line, problem):
    path = tmp_path / "svc.toml"
    path.write_text(
        HEAD + _item("S01", '  period = "month"\n  due = "period-end"\n') + _item("S02", extra), encoding="utf-8"
    )
    with pytest.raises(ChecklistError) as e:
        parse_checklist(path)
    assert str(e.value).startswith(f"{path}, line {line}: ")
    assert problem in str(e.value)


def test_the_shipped_checklist_owes_surveys_visits_and_warranty_calls_per_customer():
    cl = load_checklist("service")
    assert (cl.item("S21").per, cl.item("S22").per) == ("key-customer", "key-customer")
    s24 = cl.item("S24")
    assert (s24.per, s24.times, s24.satisfied_by) == ("warranty", 2, "S13, S14")
    assert (cl.item("S16").when, cl.item("S25").when) == ("serious", "dissatisfied")


def test_parts_of_a_year():
    assert [k for k, _, _ in parts_of_year(2026, 2)] == ["2026-H1", "2026-H2"]
    assert parts_of_year(2026, 4)[3][1:] == (parts_of_year(2026, 4)[3][1], parts_of_year(2026, 1)[0][2])
    assert parts_of_year(2026, 12)[1][0] == "2026-02"


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("顾客投诉记录\n严重程度：一般\n投诉内容：…", "一般"),
        ("投诉级别: 严重", "重大"),
        ("重大投诉记录\n顾客名称：X", "重大"),
        ("投诉等级 ☑一般 □重大", "一般"),
        ("顾客投诉记录\n投诉内容：一般性咨询", None),  # 一般 in the body is not the field
    ],
)
def test_a_complaints_seriousness_is_its_field_not_a_word_anywhere(text, severity):
    assert severity_of(text) == severity


def test_answers_are_read_by_label_or_ticked_box_and_a_wrong_neighbour_label_is_not_taken():
    text = "产品设计：满意\n产品质量 □很满意 ☑一般 □不满意\n服务与沟通：很满意\n与同行相比：不如同行"
    assert answers_from_text(text) == {"设计": [3], "产品实物质量": [2], "服务与沟通": [4], "与竞争对手比较": [1]}
    assert dissatisfied(answers_from_text(text))
    assert not dissatisfied(answers_from_text("产品设计：满意\n价格：一般"))


def test_tickets_and_names():
    assert tickets_in("维护派工单\n派工单号：pg-2026-0312\n客户名称：瑞丰") == ("PG-2026-0312", None)
    assert tickets_in("回访记录\n原派工单号：PG-2026-0312") == (None, "PG-2026-0312")
    assert norm_name("清源市瑞豐大酒店 有限公司") == norm_name("清源市瑞丰大酒店") == "清源市瑞丰大酒店"
    assert norm_name("公司") == "公司"


@pytest.mark.parametrize(
    "text, expected",
    [
        # a plain 派工单号 on what follows a service is the ticket it follows
        ("客户回访记录\n派工单号：KT-0405\n回访日期：2026-04-10", (None, "KT-0405")),
        ("投诉记录\n维修单号：WX-77\n投诉日期：2026-04-10", (None, "WX-77")),
        ("致：东湖游泳馆\n贵馆空调已修复（服务单号：FW-0501）。", (None, "FW-0501")),
        # …and on the ticket or the repair record itself it is its own
        ("冷水机组维修派工单\n派工单号：KT-0405", ("KT-0405", None)),
        ("电梯故障维修单\n派工单号：DT-0507", ("DT-0507", None)),
        # 原 / 关联 / 对应 always quote, with or without 号
        ("维修派工单\n对应派工单：FY-0702\n工单编号：FY-0710", ("FY-0710", "FY-0702")),
        # the number after a tab, a table border, spaces or on the next line
        ("回访单\n原派工单号\nDT-2026-0142", (None, "DT-2026-0142")),
        ("| 回访单 |\n| 原派工单号 | DT-2026-0142 |", (None, "DT-2026-0142")),
        ("回访单 服务单号 KT260405 回访日期 2026-04-17", (None, "KT260405")),
        # numbers of other things are no tickets
        ("回访单\n回访单号：HF-0311\n投诉编号：TS-044", (None, None)),
        ("维修服务单\n客户名称：东湖游泳馆", (None, None)),
    ],
)
def test_tickets_own_or_quoted_by_the_form_kind(text, expected):
    assert tickets_in(text) == expected
