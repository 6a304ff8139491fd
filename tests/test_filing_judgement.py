"""Filing judgement as an archivist reads: title over file name over fields over body, kinds
that are no item, drawings by their title block, neighbouring items, and the date a record
carries (its own label, the period it covers), on texts written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from dangan.archive.checklist import load_checklist, parse_checklist
from dangan.archive.customers.matching import tickets_in
from dangan.archive.customers.reading import customer_from_text
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


# Reading service records of other trades (elevators, HVAC, medical equipment …): the records
# below are written for these tests.  Our own company, the manufacturer and subcontractors sit
# beside customer-like labels and are never the customer.
@pytest.mark.parametrize(
    "text, name",
    [
        ("冷水机组维修记录\n报修单位：东湖游泳馆\n维修日期：2026-05-06", "东湖游泳馆"),
        ("CT机保养单\n使用单位：滨江医院放射科\n保养日期：2026-05-06", "滨江医院放射科"),
        ("水质检测报告\n委托方：城南污水处理厂\n受托方：北辰检测技术有限公司", "城南污水处理厂"),
        ("电梯维保确认单\n乙方：华宇电梯有限公司\n甲方：星河湾物业管理处", "星河湾物业管理处"),
        ("送修登记\n送修单位：第七中学总务处\n送修日期：2026-05-06", "第七中学总务处"),
        ("回访单\n被回访单位：东湖游泳馆\n回访日期：2026-05-09", "东湖游泳馆"),
    ],
)
def test_customer_labels_of_other_trades(text, name):
    assert customer_from_text(text) == name


@pytest.mark.parametrize(
    "label", ["客户名称（盖章）", "客户名称(公章)", "用户单位（签字/盖章）", "甲方（盖章）", "使用单位（签章）"]
)
def test_a_label_with_a_stamp_note_names_the_customer(label):
    assert customer_from_text(f"服务确认单\n{label}：星河湾物业管理处\n服务日期：2026-05-06") == "星河湾物业管理处"


@pytest.mark.parametrize(
    "text",
    [
        "保养记录\n顾客名称   星河湾物业管理处   联系电话   0531-6601",  # wide gaps, no colon
        "保养记录\n客户名称\n星河湾物业管理处\n联系电话\n0531-6601",  # the value on the next line
        "| 保养记录 |\n| 客户单位 | 星河湾物业管理处 | 联系人 | 周工 |",  # table borders
        "保养记录 使用单位 星河湾物业管理处 设备名称 冷水机组 保养日期 2026-05-06",  # one flattened line
        "保 养 记 录\n客 户 名 称 : 星河湾物业管理处",  # OCR spaced the label out
        "保养记录\n客户名称; 星河湾物业管理处\n保养人; 周工",  # OCR read the colon as a semicolon
        "保養紀錄\n客戶名稱：星河灣物業管理處",  # Traditional (the name comes back as written)
    ],
)
def test_the_name_is_paired_with_its_label_in_any_layout(text):
    assert customer_from_text(text) in ("星河湾物业管理处", "星河灣物業管理處")


def test_a_letter_names_its_addressee_without_the_honorific():
    assert customer_from_text("尊敬的王立新先生：\n您家的净水器已于5月8日更换滤芯。") == "王立新"
    assert customer_from_text("致：城南污水处理厂\n贵厂的鼓风机已完成保养。") == "城南污水处理厂"
    assert customer_from_text("尊敬的客户：\n感谢您选用本公司产品。") is None


def test_the_strongest_label_wins_over_a_complainant_written_first():
    assert customer_from_text("投诉记录\n投诉人：周工\n客户名称：东湖游泳馆") == "东湖游泳馆"


@pytest.mark.parametrize(
    "text",
    [
        "维修服务单\n维保单位：华宇电梯有限公司\n客户名称：\n联系人：周工",  # blank, the next line is a field
        "保养记录\n生产厂家：康源医疗器械股份有限公司\n服务商：北辰暖通工程有限公司\n分包单位：鑫达配件部",
        "确认单\n乙方：华宇电梯有限公司\n甲方代表签字：\n客户经理：李娜\n客户服务中心：华宇电梯客服部",
        "投诉处理单\n被投诉单位：华宇电梯有限公司\n投诉日期：2026-07-03",
    ],
)
def test_our_company_the_manufacturer_and_subcontractors_are_never_the_customer(text):
    assert customer_from_text(text) is None


def test_a_manufacturer_cell_before_the_customer_cell_is_skipped():
    assert customer_from_text("PM报告\n制造商\t康源医疗器械股份有限公司\t使用单位\t滨江医院") == "滨江医院"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("第二次回访记录\n首次回访日期：2026-06-02\n回访日期：2026-06-09", date(2026, 6, 9)),
        ("设备回访单\n完成日期：2026-06-01\n回访日期：2026-06-05", date(2026, 6, 5)),
        ("空调维修派工单\n报修日期：2026-05-03\n派工日期：2026-05-04\n完成日期：2026-05-06", date(2026, 5, 4)),
        ("上门服务派工单\n派单时间：2026-09-08 09:30\n完工时间：2026-09-09 16:00", date(2026, 9, 8)),  # 派单 = 派工
        ("冷水机组维修记录\n报修日期：2026-05-03\n维修完成日期：2026-05-06", date(2026, 5, 6)),
        ("投诉处理单\n处理完成日期：2026-07-09\n投诉日期：2026-07-03", date(2026, 7, 3)),
        ("满意度调查表\n合同签订日期：2025-10-01\n调查日期：2026-11-20", date(2026, 11, 20)),
        ("电梯保养记录\n保养日期：2026-03-04\n下次保养日期：2026-04-04", date(2026, 3, 4)),
    ],
)
def test_a_service_record_is_dated_by_its_own_label_for_its_kind(text, expected):
    assert document_date(text)[0] == expected


def test_a_report_of_another_trade_keeps_its_first_labelled_date():
    # 报告 alone names no service record: a 竣工报告 keeps the first of its labelled dates
    assert document_date("竣工报告\n编制日期：2026-03-01\n报告日期：2026-03-05")[0] == date(2026, 3, 1)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("冷水机组保养记录\n保养日期\n2026-03-04\n下次保养日期\n2026-04-04", date(2026, 3, 4)),  # label above
        ("| 回访记录 |\n| 完成日期 | 2026-03-01 | 回访日期 | 2026-03-06 |", date(2026, 3, 6)),  # table borders
        ("维 修 服 务 单\n报 修 时 间 : 2026. 7. 2\n完 成 时 间 : 2026. 7. 3", date(2026, 7, 3)),  # OCR spacing
        ("服務紀錄單\n報修日期：民國115年3月2日\n完工日期：中華民國115年3月4日", date(2026, 3, 4)),  # 民國 years
        ("保養紀錄\n保養日期\n115/05/21", date(2026, 5, 21)),  # a 民國 date right after its label
        (
            "致：城南污水处理厂\n贵厂鼓风机已于2026年10月20日保养。\n\n北辰暖通\n二〇二六年十月二十六日",
            date(2026, 10, 26),
        ),
    ],
)
def test_dates_are_read_in_other_layouts_and_calendars(text, expected):
    assert document_date(text)[0] == expected


def test_a_bare_three_digit_year_in_a_sentence_is_not_a_date():
    # 115.6.12 could be anything in running text: only after a date label is it a 民國 date
    assert document_date("說明：本公司已於115年6月12日完成保養，機號115.6.12。")[0] is None


def test_show_says_a_date_was_the_forms_own_label_in_english_and_chinese():
    from dangan.archive.intake.dates import explain
    from dangan.indexer.messages import say_text

    _, rows = document_date("冷水机组维修记录\n报修日期：2026-05-03\n维修完成日期：2026-05-06")
    line = explain(rows)
    assert line == "2026-05-06 (labelled 维修完成日期, this kind of form's own date; 1 other candidate(s))"
    assert say_text(line) == "2026-05-06（标注为“维修完成日期”，这类表单以此为本身日期；另有 1 个候选日期）"


@pytest.mark.parametrize(
    "label", ["客户全称", "报修人单位", "甲方名称", "服务对象", "机主姓名", "用户单位名称", "受检单位", "公司名称"]
)
def test_a_field_shaped_like_a_customers_names_the_customer(label):
    assert customer_from_text(f"保养单\n{label}：星河湾物业管理处\n保养日期：2026-05-06") == "星河湾物业管理处"


@pytest.mark.parametrize(
    "label", ["承修单位", "检测单位", "乙方名称", "经销商名称", "客户联系人", "投诉对象", "设备名称", "施工单位"]
)
def test_a_field_shaped_like_ours_or_a_third_partys_is_not_the_customer(label):
    assert customer_from_text(f"保养单\n{label}：华宇电梯有限公司\n保养日期：2026-05-06") is None


def test_a_comma_separated_line_and_an_addressee_line_are_read():
    assert customer_from_text("回访记录,客户名称,东湖游泳馆,回访日期,2026-05-06") == "东湖游泳馆"
    assert tickets_in("回访记录,客户名称,东湖游泳馆,工单号,KT-0506") == (None, "KT-0506")
    letter = "整改回复函\n星河湾物业管理处：\n贵处来函所提电梯异响一事已处理完毕。\n华宇电梯有限公司\n2026年6月26日"
    assert customer_from_text(letter) == "星河湾物业管理处"
    assert customer_from_text("回 访 记 录\n客 户 ： 东 湖 游 泳 馆") == "东湖游泳馆"


def test_a_settlement_quotes_its_ticket_and_a_next_check_is_another_event():
    assert tickets_in("维修结算单\n派单号：HY-0617\n结算日期：2026-06-20") == (None, "HY-0617")
    assert document_date("维修结算单\n维修完工日期：2026-06-18\n结算日期：2026-06-20")[0] == date(2026, 6, 20)
    assert document_date("空调随访记录\n上门日期：2026-03-02\n随访日期：2026-03-08")[0] == date(2026, 3, 8)
    text = "设备巡检记录\n使用单位 东湖游泳馆\n巡检日期 2026.07.03\n下次巡检 2026.08.03\n巡检人 王工"
    assert document_date(text)[0] == date(2026, 7, 3)


def test_hostile_texts_are_read_without_a_name():
    # a long comma-separated line that ends in a colon, a huge cell, control characters
    assert customer_from_text("甲," * 60 + "乙：") is None
    assert customer_from_text("客户名称：" + "很" * 100_000 + "。") is None
    assert customer_from_text("客户名称：\x00\x07\n\n\n") is None
    assert document_date("回访单\n回访日期：" + "1" * 10_000)[0] is None
