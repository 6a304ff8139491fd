"""Form data out of bounds (issue 25 item 15): typed errors naming the row or field, never exit 1.

A huge CSV cell and a 5,000-digit JSON number were internal errors; a 50,000×50,000
signature image was embedded as it was.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from dangan.archive import forms as F
from dangan.archive.forms.data import read_rows
from dangan.indexer.errors import DataError, ExitCode, InputFileError
from tests.test_forms_cli import START_HEADER, START_ROW, write_csv
from tests.test_forms_images import form  # noqa: F401 - the image-field form fixture


def test_a_csv_cell_over_the_field_limit_names_its_row(tmp_path):
    data = write_csv(tmp_path / "start.csv", START_HEADER, START_ROW, [START_ROW[0], "楼" * 200_000, *START_ROW[2:]])
    with pytest.raises(InputFileError) as e:
        read_rows(data)
    assert e.value.exit_code == ExitCode.input_error == 4
    assert str(e.value) == (
        f"{data}: row 3: a cell is longer than 131,072 characters, more than any form field holds; "
        "correct that row in the spreadsheet and export it again"
    )


def test_forms_render_with_a_huge_csv_cell_exits_4(cli, home, tmp_path):
    data = write_csv(tmp_path / "start.csv", START_HEADER, [START_ROW[0], "楼" * 200_000, *START_ROW[2:]])
    r = cli("forms", "render", "start_report", "--data", str(data), "--out", str(tmp_path / "o"))
    assert r.exit_code == 4
    assert r.stderr.startswith(f"Error: {data}: row 2: a cell is longer than 131,072 characters")


@pytest.mark.parametrize("number,what", [
    ("9" * 5000, "a number of 5,000 characters"),
    ("1" + "0" * 5000 + ".5", "a number of 5,003 characters"),
    ("1e999", "the number 1e999"),
])  # fmt: skip
def test_a_json_number_too_long_for_a_form_names_its_item_and_field(tmp_path, number, what):
    data = tmp_path / "data.json"
    data.write_text('[{"派工单号": "A1", "金额": 12.5}, {"派工单号": "A2", "金额": ' + number + "}]", encoding="utf-8")
    with pytest.raises(InputFileError) as e:
        read_rows(data)
    assert e.value.exit_code == 4
    assert str(e.value) == (
        f"{data}: item 2, 金额: {what} is too long for a form (at most 50 characters, and finite); "
        "correct it, or give it as text in quotes"
    )


def test_ordinary_json_numbers_still_read(tmp_path):
    data = tmp_path / "data.json"
    data.write_text('[{"派工单号": "A1", "金额": 12.5, "身份证": 110101199003071234}]', encoding="utf-8")
    assert read_rows(data)[0] == {"派工单号": "A1", "金额": "12.5", "身份证": "110101199003071234"}


def _png_header_claiming(path: Path, width: int, height: int) -> Path:
    """A small PNG whose header says ``width``×``height`` (the pixels need never be decoded)."""
    Image.new("L", (1, 1), 255).save(path)
    data = bytearray(path.read_bytes())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    path.write_bytes(bytes(data))
    return path


def test_a_gigapixel_signature_is_refused_before_anything_is_written(form, tmp_path):  # noqa: F811
    _png_header_claiming(tmp_path / "data" / "签名" / "巨大.png", 50_000, 50_000)
    with pytest.raises(DataError) as e:
        F.render_batch(form, [{"单号": "Q-1", "签名": "签名/巨大.png"}], tmp_path / "out", images_dir=tmp_path / "data")
    assert e.value.problems == [
        'row 2, 签名: picture "签名/巨大.png" is 50,000×50,000 pixels, over the limit of 25 megapixels for a picture '
        "in a form; save it smaller (a signature needs about 600×200 pixels)"
    ]
    assert not (tmp_path / "out").exists()
