"""A PDF text layer whose UTF-16 was read with the wrong byte order ('M' as U+4D00 䴀, 'u' as
U+7500 甀): plausible Han code points, garbage.  It is judged, repaired exactly, and
``dangan show`` says how the page was read.  The PDF is generated here: a real font subset
whose ToUnicode map has every target's two bytes swapped, as a broken producer writes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import NameObject

from dangan.archive.intake.pages import summary
from dangan.indexer.extract import extract
from dangan.indexer.extract.judge import judge_layer, unswap
from tests.test_odd_pdfs import counted_ocr, filed_and_found, make_layered_pdf  # noqa: F401  (fixture)

LINES = ["Equipment Arrival Inspection", "Model SC200/200 Serial 2024031", "Result: PASS  设备进场验收单"]


def swap_tounicode(path: Path) -> Path:
    """Swap the two bytes of every ToUnicode target: <0001> <004D> becomes <0001> <4D00>."""
    writer = pypdf.PdfWriter(clone_from=str(path))
    for page in writer.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/ToUnicode" not in font:
                continue
            stream = font["/ToUnicode"].get_object()
            data = stream.get_data().decode("latin-1")
            swapped = re.sub(r"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})>", r"<\1> <\3\2>", data)
            assert swapped != data
            stream.set_data(swapped.encode("latin-1"))
            font[NameObject("/ToUnicode")] = stream.indirect_reference or stream
    writer.write(path)
    return path


@pytest.mark.parametrize(
    "layer",
    [
        "䴀漀搀攀氀  匀䌀㈀　　 刀攀猀甀氀琀㨀 倀䄀匀匀",  # "Model SC200 Result: PASS" read byte-swapped
        "Equipment Arrival Inspection 2024-03-05 设备".encode("utf-16-le").decode(
            "utf-16-be"
        ),  # the producer's mistake
    ],
)
def test_the_judge_recognises_byte_swapped_utf16(layer):
    verdict = judge_layer(layer)
    assert not verdict.usable and verdict.swapped
    assert verdict.reason.startswith("text layer of byte-swapped UTF-16 (")
    assert judge_layer(unswap(layer)).usable


@pytest.mark.parametrize(
    "layer",
    [
        "一、开工报告：最迟于2024年3月1日开工，开工前一周完成技术交底，一次验收合格。",  # 一 U+4E00, 开 U+5F00, 最 U+6700
        "設備進場驗收單 型號SC200 結論：合格",
    ],
)
def test_chinese_with_round_code_points_is_not_taken_for_swapped(layer):
    verdict = judge_layer(layer)
    assert verdict.usable and not verdict.swapped


def test_a_byte_swapped_layer_is_repaired_and_show_says_so(tmp_path, home, counted_ocr):  # noqa: F811  (the fixture imported above)
    pdf = make_layered_pdf(tmp_path / "inspection.pdf", visible=LINES)
    swap_tounicode(pdf)
    raw = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert "\u4d00" in raw and "Model" not in raw  # the file really lies: 'M' reads as 䴀
    result = extract(pdf)
    assert [ln.strip() for ln in result.text.splitlines()] == LINES
    got = filed_and_found(home, pdf, "Serial")
    assert got["pages"] == [
        {
            "page": 1,
            "method": "text-unswapped",
            "label": "text layer (byte-swapped UTF-16, byte order repaired)",
            "why": got["pages"][0]["why"],
        }
    ]
    assert re.fullmatch(
        r"text layer of byte-swapped UTF-16 \(\d+% of characters are ASCII with their bytes swapped\); byte order repaired",
        got["pages"][0]["why"],
    )
    assert summary(got["pages"]).startswith(
        "page 1 text layer (byte-swapped UTF-16, byte order repaired) (text layer of byte-swapped UTF-16"
    )
    assert counted_ocr == []  # exact repair, no OCR guesswork
