"""Reading form data: CSV encodings detected from the bytes, Excel cells, JSON with nested
lists, and one clear error per unusable file."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from dangan.archive import forms as F
from dangan.archive.forms.data import read_rows
from dangan.indexer.errors import CorruptFileError, EmptyFileError, InputFileError, UnsupportedFileError
from dangan.indexer.text import decode_text

ROOT = Path(__file__).resolve().parent.parent
TEXT = '派工单号,客户名称,地址\r\nPG-1,刘䶮,北京市朝阳区\r\nPG-2,陈秀英,"海淀区, 学院路"\r\n'


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "encoding,text",
    [
        ("utf-8", TEXT),
        ("utf-8-sig", TEXT),
        ("gbk", TEXT.replace("刘䶮", "刘岩")),  # 䶮 is not in GBK
        ("gb18030", TEXT),
    ],
)
def test_csv_encodings_are_detected_from_the_bytes(tmp_path, encoding, text):
    rows = read_rows(write(tmp_path, "d.csv", text.encode(encoding)))
    assert list(rows[0]) == ["派工单号", "客户名称", "地址"]
    assert rows[0]["客户名称"] == ("刘岩" if encoding == "gbk" else "刘䶮")
    assert rows[1]["地址"] == "海淀区, 学院路"


def test_detection_names_the_encoding_it_found():
    assert decode_text("甲".encode("gbk"), Path("x.csv"))[1] == "gb18030"
    assert decode_text("甲".encode("utf-8"), Path("x.csv"))[1] == "utf-8"
    assert decode_text("\ufeff甲".encode("utf-8"), Path("x.csv"))[1] == "utf-8-sig"


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path):
    path = write(tmp_path, "d.txt", "派工单号\t客户名称\r\nPG-1\t张三\r\n".encode("utf-16"))
    assert read_rows(path) == [{"派工单号": "PG-1", "客户名称": "张三"}]


def test_undecodable_bytes_name_the_file_and_the_byte(tmp_path):
    path = write(tmp_path, "bad.csv", b"a,b\r\n1,\xff\xfe\r\n")
    with pytest.raises(InputFileError) as e:
        read_rows(path)
    assert str(e.value) == (
        f"{path}: cannot decode the text at byte 7 (0xff); it is neither UTF-8 nor GBK/GB18030 "
        f'(read furthest as utf-8); save it from Excel as "CSV UTF-8" and try again'
    )


def test_blank_rows_are_kept_for_numbering_and_trailing_ones_dropped(tmp_path):
    path = write(tmp_path, "d.csv", "a,b\n1,2\n,\n3,4\n,\n\n".encode())
    assert read_rows(path) == [{"a": "1", "b": "2"}, {"a": "", "b": ""}, {"a": "3", "b": "4"}]


def test_short_rows_are_padded(tmp_path):
    assert read_rows(write(tmp_path, "d.csv", b"a,b,c\n1\n")) == [{"a": "1", "b": "", "c": ""}]


@pytest.mark.parametrize(
    "name,data,error,message",
    [
        ("d.xls", b"x", UnsupportedFileError, "{p}: .xls is not supported (save it from Excel as .xlsx or CSV); use .csv, .xlsx or .json"),
        ("d.pdf", b"x", UnsupportedFileError, "{p}: .pdf is not supported; use .csv, .xlsx or .json"),
        ("d.csv", b"", EmptyFileError, "{p}: the file is empty; export the data again with a header row"),
        ("d.csv", b"\xef\xbb\xbf \r\n", EmptyFileError, "{p}: the file has no text; export the data again with a header row"),
        ("d.csv", b",,\n1,2,3\n", InputFileError,
         "{p}: the first row is blank, but it must name the columns (e.g. 派工单号,客户名称,…); "
         "see `dangan forms fields FORM` for the headers a form expects"),
        ("d.csv", "客户,客户\n1,2\n".encode(), InputFileError, "{p}: the column 客户 appears twice in the header row; keep one of them"),
    ],
)  # fmt: skip
def test_unusable_files_say_what_is_wrong_and_what_to_do(tmp_path, name, data, error, message):
    path = write(tmp_path, name, data)
    with pytest.raises(error) as e:
        read_rows(path)
    assert str(e.value) == message.format(p=path)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="no such file; check the path given to --data"):
        read_rows(tmp_path / "nope.csv")


def _workbook(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "三月"
    ws.append(["派工单号", "派工日期", "数量", "金额", "时间"])
    ws.append(["PG-1", datetime(2024, 3, 5), 2, 80.5, datetime(2024, 3, 5, 14, 30)])
    ws.append([None, None, None, None, None])
    ws.append(["PG-2", date(2024, 3, 6), 3.0, 100, None])
    other = wb.create_sheet("四月")
    other.append(["派工单号"])
    other.append(["PG-9"])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    return path


def test_xlsx_cells_become_text_with_iso_dates(tmp_path):
    rows = read_rows(_workbook(tmp_path))
    assert rows == [
        {"派工单号": "PG-1", "派工日期": "2024-03-05", "数量": "2", "金额": "80.5", "时间": "2024-03-05 14:30"},
        {"派工单号": "", "派工日期": "", "数量": "", "金额": "", "时间": ""},
        {"派工单号": "PG-2", "派工日期": "2024-03-06", "数量": "3", "金额": "100", "时间": ""},
    ]


def test_xlsx_sheet_by_name_and_unknown_sheet(tmp_path):
    path = _workbook(tmp_path)
    assert read_rows(path, sheet="四月") == [{"派工单号": "PG-9"}]
    with pytest.raises(InputFileError) as e:
        read_rows(path, sheet="五月")
    assert str(e.value) == f"{path}: no sheet named 五月; its sheets are: 三月, 四月"


def test_sheet_option_on_a_csv_is_refused(tmp_path):
    with pytest.raises(InputFileError, match=r"--sheet only applies to Excel files \(.xlsx\)"):
        read_rows(write(tmp_path, "d.csv", b"a\n1\n"), sheet="x")


def test_damaged_xlsx(tmp_path):
    with pytest.raises(CorruptFileError, match="not a readable Excel workbook"):
        read_rows(write(tmp_path, "d.xlsx", b"PK\x03\x04 broken"))


def test_json_nested_lists_become_numbered_columns(tmp_path):
    data = [{"派工单号": "PG-1", "数量": 2, "免费": True, "备注": None,
             "维修项目": [{"项目名称": "滤芯", "数量": 2}, {"项目名称": "上门费"}]}]  # fmt: skip
    rows = read_rows(write(tmp_path, "d.json", json.dumps(data, ensure_ascii=False).encode()))
    assert rows == [{"派工单号": "PG-1", "数量": "2", "免费": "是", "备注": "",
                     "维修项目.1.项目名称": "滤芯", "维修项目.1.数量": "2", "维修项目.2.项目名称": "上门费"}]  # fmt: skip


def test_json_list_columns_validate_like_csv_columns(tmp_path):
    form = F.load_manifest()["dispatch_ticket"]
    data = [{"ticket_no": "PG-1", "dispatch_date": "2024-03-05", "customer": "甲", "phone": "1", "address": "乙",
             "service_person": "丙", "service_content": "丁",
             "items": [{"name": "滤芯", "quantity": "x"}]}]  # fmt: skip
    rows = read_rows(write(tmp_path, "d.json", json.dumps(data).encode()))
    _, problems = F.validate_rows(form, rows)
    assert problems == ['row 2, 维修项目1数量: "x" is not a number, use digits like 12 or 3.5']


@pytest.mark.parametrize(
    "text,message",
    [
        ('{"a": 1}', 'JSON data must be a list of objects, one per form: [{"派工单号": "…"}, …]'),
        ("[]", "the JSON list is empty; there is nothing to render"),
        ("[1]", "item 1 of the JSON list is not an object; each form is one {…}"),
        ('[{"a": {"b": 1}}]', "item 1, a: nested objects are not supported here; give text or a number"),
        ('[{"a": 1,}]', "not valid JSON (line 1, column 10: Expecting property name enclosed in double quotes)"),
    ],
)
def test_json_errors(tmp_path, text, message):
    path = write(tmp_path, "d.json", text.encode())
    with pytest.raises(InputFileError) as e:
        read_rows(path)
    assert str(e.value) == f"{path}: {message}"


def test_the_gbk_sample_reads_with_its_item_lists():
    path = ROOT / "samples" / "forms" / "维护派工单.csv"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # it really is GBK, as Excel on Chinese Windows writes it
    rows = read_rows(path)
    assert len(rows) == 20
    form = F.load_manifest()["dispatch_ticket"]
    typed, problems = F.validate_rows(form, rows)
    assert problems == [] and len(typed) == 20
    assert max(len(t["items"]) for t in typed) == 5 and min(len(t["items"]) for t in typed) == 1


def test_the_xlsx_sample_validates():
    rows = read_rows(ROOT / "samples" / "forms" / "顾客投诉记录.xlsx")
    typed, problems = F.validate_rows(F.load_manifest()["complaint_record"], rows)
    assert problems == [] and len(typed) == 3
    assert str(typed[0]["complaint_time"]) == "2024-03-06 09:30:00"
