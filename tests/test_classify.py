"""The classifier on Simplified and Traditional text, file names, ties and weak evidence."""

from __future__ import annotations

from datetime import date

from dangan.archive.intake.classify import classify_item, find_date, find_project_code, find_title


def test_heading_names_the_item(project):
    text = "开工报告\n工程名称：安居花园3号楼\n根据施工合同约定，本工程具备开工条件。\n日期：2024年3月15日"
    c = classify_item(project, "scan_0003.pdf", text)
    assert c.item.code == "C02" and c.confidence >= 0.5


def test_traditional_text_is_folded(project):
    text = "基礎及主體工程隱蔽記錄\n隱蔽工程驗收記錄：鋼筋綁扎已完成，經監理驗收合格。"
    c = classify_item(project, "IMG_2041.jpg", text)
    assert c.item.code == "C09"


def test_ocr_spaces_between_characters_do_not_hide_words(project):
    c = classify_item(project, "scan_7.pdf", "施 工 定 位 测 量 记 录\n轴线控制桩复核无误")
    assert c.item.code == "C08"


def test_file_name_alone_is_enough(project):
    c = classify_item(project, "原材料试验报告-钢筋.pdf", "")
    assert c.item.code == "C07"


def test_either_kind_in_a_two_kind_item(project):
    assert classify_item(project, "x.pdf", "图纸会审纪要\n各方对图纸提出意见").item.code == "C03"
    assert classify_item(project, "x.pdf", "技术交底记录\n交底内容如下").item.code == "C03"


def test_tie_goes_to_review_with_suggestions(project):
    c = classify_item(project, "scan.pdf", "本文件涉及施工日志与施工总结")
    assert c.item is None
    assert {s.item for s in c.suggestions[:2]} == {"C12", "C14"}
    assert "tie" in c.reason


def test_nothing_recognisable_goes_to_review(project):
    c = classify_item(project, "IMG_0001.jpg", "今天天气很好")
    assert c.item is None and c.suggestions == []


def test_body_mentions_alone_are_too_weak(project):
    c = classify_item(project, "scan.pdf", "会议纪要\n会上提到了施工方案的修改。")
    assert c.item is None and c.suggestions[0].item == "C04"


def test_project_code_in_text_longest_wins():
    assert find_project_code(["BJ-1", "BJ-12"], "scan.pdf", "项目编号 BJ-12") == "BJ-12"
    assert find_project_code(["BJ-1"], "scan.pdf", "无编号") is None


def test_dates_in_chinese_and_iso_forms():
    assert find_date("日期：2024年3月5日") == date(2024, 3, 5)
    assert find_date("2024-13-01 不对；2024.04.02 才对") == date(2024, 4, 2)
    assert find_date("日期：二〇二四年") is None


def test_title_prefers_the_line_naming_the_kind(project):
    it = project.checklist.item("C02")
    assert find_title("安居花园3号楼\n开工报告\n正文", "scan", it) == "开工报告"
    assert find_title("", "scan_0003", it) == "scan_0003"
