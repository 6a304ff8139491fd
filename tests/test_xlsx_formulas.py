"""Hostile text in a workbook dangan writes (a customer's name, a document's title, a project's
name) is stored as text, never as a formula a spreadsheet program would run."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook

from dangan.archive.registers.xlsx import safe_row

HOSTILE = ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-2+3"]


def test_a_row_of_hostile_text_is_saved_as_text_and_numbers_stay_numbers(tmp_path):
    wb = Workbook()
    wb.active.append(safe_row([*HOSTILE, "北京华信", None, 7, 3.5]))
    path = tmp_path / "t.xlsx"
    wb.save(path)
    cells = next(load_workbook(path).active.iter_rows())
    assert [c.data_type for c in cells[:5]] == ["s"] * 5
    assert [c.value for c in cells] == [*("'" + h for h in HOSTILE), "北京华信", None, 7, 3.5]
