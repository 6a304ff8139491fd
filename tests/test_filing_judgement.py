"""Filing judgement as an archivist reads: title over file name over fields over body, kinds
that are no item, drawings by their title block, neighbouring items, and the date a record
carries (its own label, the period it covers), on texts written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from dangan.archive.checklist import load_checklist, parse_checklist
from dangan.archive.deadlines.servicedata import customer_from_text
from dangan.archive.intake.classify import classify_item, decide, score_items
from dangan.archive.intake.dates import document_date
from dangan.archive.projects import add_project
from dangan.indexer.errors import ChecklistError
from tests.conftest import write_text_doc


@pytest.fixture
def service(cat):
    roles = load_checklist("service", cat.home).roles
    return add_project(
        cat, "SV-TJ", "塘沽服务站", checklist="service", roles={r: f"员工{n}" for n, r in enumerate(roles)}
    )


def test_the_title_beats_a_file_name_naming_another_item(project):
    text = "屋面防水技术交底记录\n交底部位：屋面\n依据已审批的施工方案施工，卷材搭接一百毫米。\n交底日期：2026年5月6日"
    c = classify_item(project, "屋面防水施工方案交底.pdf", text)
    assert c.item.code == "C03"
    assert c.decided_by == "title '屋面防水技术交底记录' has 交底记录"


def test_a_notice_naming_the_construction_scheme_belongs_to_no_item(project):
    text = "监理通知单\n编号：JL-031\n事由：施工组织设计未按审批意见修改\n请于三日内将施工组织设计修改稿报审。\n签发日期：2026-04-02"
    c = classify_item(project, "关于施工组织设计的通知.pdf", text)
    assert c.item is None
    assert c.reason == "a 监理通知单: 监理通知单 is not an item of this checklist"
    assert c.suggestions[0].item == "C04"  # the archivist still sees what it talks about


def test_a_lease_contract_is_not_the_construction_contract(project):
    text = "塔式起重机租赁合同书\n出租方：顺达起重设备有限公司\n承租方：明川建工有限公司\n签订日期：2026年3月9日"
    c = classify_item(project, "合同书.pdf", text)
    assert c.item is None and "租赁合同 is not an item of this checklist" in c.reason


def test_the_longer_word_in_a_title_decides_between_neighbours(service):
    report = "重大投诉情况上报\n关联重大投诉记录：TS-2026-007\n上报日期：2026-07-17"
    record = "客户重大投诉记录表\n投诉内容：同一故障一周内再次发生\n记录日期：2026-07-16"
    assert classify_item(service, "x.pdf", report).item.code == "S16"
    assert classify_item(service, "x.pdf", record).item.code == "S15"


def test_first_and_second_follow_up_calls_are_told_apart_by_their_field(service):
    base = "客户回访记录\n回访类别：{}回访    派工单号：PG2338\n服务日期：2026-08-01\n回访日期：2026-08-{}"
    assert classify_item(service, "回访.pdf", base.format("第一次", "05")).item.code == "S13"
    assert classify_item(service, "回访.pdf", base.format("第二次", "20")).item.code == "S14"
    c = classify_item(service, "回访.pdf", "客户回访记录\n回访内容：运行正常\n回访日期：2026-08-05")
    assert c.item is None and c.reason.startswith("tie between S13 and S14")


def test_a_phone_dispatch_register_listing_tickets_is_not_a_ticket(service):
    text = "电话派工登记表\n记录期间：2026年第三季度\n来电日期  客户  派工单号  接线员\n2026-07-03  瑞丰大酒店  PG1234  冯雪"
    assert classify_item(service, "登记.pdf", text).item.code == "S02"


def test_an_as_built_drawing_is_known_by_its_title_block(project):
    notes = "说明：\n1. 本图尺寸以毫米计。\n2. 依据设计变更通知单 BG-07 修改。\n"
    block = "图名：二层梁配筋图\n图号：结施-05\n比例：1:50\n"
    assert classify_item(project, "scan_0001.pdf", notes + block + "竣工图\n编制日期：2026-10-18").item.code == "D02"
    unstamped = classify_item(project, "scan_0002.pdf", notes + block.replace("结施", "建施"))
    assert unstamped.item is None  # a construction drawing without the stamp is not an as-built one


def test_vocabulary_variants_file_to_their_item(project):
    assert classify_item(project, "a.pdf", "钢筋质保书\n批号：PH-1\n出厂日期：2026-07-23").item.code == "C06"
    assert classify_item(project, "b.pdf", "水泥检验报告\n结论：合格\n报告日期：2026-05-02").item.code == "C07"
    assert classify_item(project, "c.pdf", "工程开工报审表\n工程名称：某小学\n申请日期：2026-03-01").item.code == "C02"


def test_body_mentions_alone_say_why_they_do_not_file(project):
    c = classify_item(project, "scan.pdf", "今天的例会\n会上提到了施工方案的修改。")
    assert c.item is None
    assert c.reason == "neither the title nor the file name names an item; the text mentions 施工方案 (C04)"


def test_a_blended_score_changes_the_decision_in_one_place(project):
    """Another scorer (a learned model) adds evidence before the decision: one small change."""
    from dangan.archive.intake.classify import Evidence

    scoring = score_items(project.checklist, "scan.pdf", "本公司内部用表\n内容若干")
    assert decide(scoring).item is None
    c14 = next(s for s in scoring.items if s.item.code == "C14")
    c14.evidence.append(Evidence("model", "learned from 5 filed documents", 9.0))
    assert decide(scoring).item.code == "C14"


@pytest.mark.parametrize(
    "text, period, expected, kind",
    [
        ("施工合同\n计划开工日期：2026-05-01\n签订日期：2026年4月1日", "", date(2026, 4, 1), "label"),
        ("跟踪服务电话记录表\n服务日期：2026-07-29\n回访日期：2026-08-02", "", date(2026, 8, 2), "label"),
        ("重大投诉上报单\n投诉日期：2026-07-16\n上报日期：2026-07-17", "", date(2026, 7, 17), "label"),
        (
            "施工总结\n本工程于2025年2月22日开工。\n编写人：罗文静\n编写日期：2026年3月29日",
            "",
            date(2026, 3, 29),
            "label",
        ),
        ("服务记录统计表\n统计周期：2026-09-14 至 09-20\n填报日期：2026-09-21", "week", date(2026, 9, 14), "period"),
        ("客服质量月报\n2026年8月份\n报送日期：2026-09-02", "month", date(2026, 8, 1), "period"),
        ("电话派工记录\n记录期间：2026年第三季度\n2026-08-02 来电", "quarter", date(2026, 7, 1), "period"),
        ("营业周报\n周期：2026.12.28至2027.1.3\n报告日期：2027.1.2", "week", date(2026, 12, 28), "period"),
    ],
)
def test_the_document_date_is_its_own_or_its_period(text, period, expected, kind):
    day, rows = document_date(text, period)
    assert day == expected
    assert next(r for r in rows if r["chosen"])["kind"] == kind


def test_a_period_that_does_not_fit_the_item_is_not_used():
    # a monthly report naming a week: the week is not its period; the labelled date wins
    day, _ = document_date("客服质量月报\n统计周期：2026-09-14 至 09-20\n报送日期：2026-10-02", "month")
    assert day == date(2026, 10, 2)


def test_dates_repeated_on_every_page_are_candidates_once():
    page = "施工日志\n日期：2026-05-06\n浇筑三层柱混凝土。\n"
    _, rows = document_date(page + "\f" + page)
    assert [r["date"] for r in rows] == ["2026-05-06"]


@pytest.mark.parametrize("gap", ["    ", "\t", "　　", " "])
def test_a_two_field_line_gives_the_first_field(gap):
    assert customer_from_text(f"客户名称：清源市瑞丰大酒店{gap}联系人：王芳") == "清源市瑞丰大酒店"


def test_a_customer_name_with_spaces_is_kept_whole():
    assert customer_from_text("顾客：Blue Sky Hotel Beijing") == "Blue Sky Hotel Beijing"


def _checklist(tmp_path, extra: str):
    path = tmp_path / "mine.toml"
    path.write_text(
        'id = "mine"\ntitle = "我的清单"\n'
        + extra
        + '\n[[groups]]\ntitle = "组"\n  [[groups.items]]\n  code = "A1"\n  title = "开工报告"\n'
        '  role = "项目经理"\n  retention = "长期"\n  aliases = ["开工申请"]\n',
        encoding="utf-8",
    )
    return path


def test_others_in_a_checklist_are_validated_with_file_and_line(tmp_path):
    path = _checklist(tmp_path, 'others = ["发票", ""]\n')
    with pytest.raises(ChecklistError) as e:
        parse_checklist(path)
    assert (
        str(e.value) == f"{path}, line 3: 'others' must be a list of non-empty strings, e.g. others = [\"监理通知单\"]"
    )
    path = _checklist(tmp_path, 'others = ["开工申请"]\n')
    with pytest.raises(ChecklistError) as e:
        parse_checklist(path)
    assert (
        str(e.value)
        == f"{path}, line 3: '开工申请' is in 'others' and is also a word of item A1; remove it from one of them"
    )
    assert parse_checklist(_checklist(tmp_path, 'others = ["发票"]\n')).others == ("发票",)


def test_bad_aliases_name_the_line(tmp_path):
    path = _checklist(tmp_path, "")
    path.write_text(path.read_text(encoding="utf-8").replace('["开工申请"]', '"开工申请"'), encoding="utf-8")
    with pytest.raises(ChecklistError) as e:
        parse_checklist(path)
    assert str(e.value) == f"{path}, line 11: item A1: aliases must be a list of non-empty strings"


def test_show_and_review_say_why(cli, project, tmp_path):
    write_text_doc(tmp_path / "in", "a.txt", "屋面防水技术交底记录\n交底日期：2026-05-06")
    write_text_doc(tmp_path / "in", "b.txt", "增值税专用发票\n开票日期：2026-05-07\n货物：钢筋")
    assert cli("ingest", str(tmp_path / "in"), "--project", project.code).exit_code == 0
    shown = cli("show", "1")
    assert "item chosen: filed by the classifier: title '屋面防水技术交底记录' has 交底记录" in shown.output
    review = cli("review", "--json")
    import json

    assert [d["reason"] for d in json.loads(review.output)] == [
        "a 增值税专用发票: 发票 is not an item of this checklist"
    ]


def test_word_table_cells_are_fields_not_titles(service):
    text = "客户回访记录\n回访类别\t第二次回访\n派工单号\tPG2338\n回访日期\t2026-08-20"
    c = classify_item(service, "回访.docx", text)
    assert c.item.code == "S14"
    assert "form field '回访类别第二次回访' has 第二次回访" in c.decided_by


def test_an_ordinal_in_the_title_tells_the_calls_apart(service):
    assert (
        classify_item(service, "x.docx", "回访记录（第二次）\n客户：绿洲商贸城\n回访日期：2026-07-31").item.code
        == "S14"
    )
    assert (
        classify_item(service, "x.docx", "回访记录（首次）\n客户：绿洲商贸城\n回访日期：2026-07-21").item.code == "S13"
    )
