"""Image fields: a photo or signature per form, named in the data, equal to docxtpl's InlineImage."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from PIL import Image

from dangan.archive import forms as F
from dangan.archive.forms import batch as forms_batch
from dangan.indexer.errors import DataError, TemplateError
from tests.test_forms_docxtpl import assert_same

MANIFEST = """
[[forms]]
id = "signed"
title = "签字单"
file = "签字单.docx"
name_pattern = "{ticket}"
fields = [
  { name = "ticket", label = "单号", required = true },
  { name = "signature", label = "签名", type = "image", width_mm = 30 },
]
"""


@pytest.fixture
def form(tmp_path) -> F.FormSpec:
    tpl_dir = tmp_path / "templates"
    tpl_dir.mkdir()
    (tpl_dir / "forms.toml").write_text(MANIFEST, encoding="utf-8")
    doc = Document()
    doc.add_paragraph("单号 {{ ticket }}")
    doc.add_paragraph("签名：{{ signature }}")
    doc.save(tpl_dir / "签字单.docx")
    data = tmp_path / "data" / "签名"
    data.mkdir(parents=True)
    for name, color in (("王强.png", "blue"), ("李娜.png", "red")):
        Image.new("RGB", (40, 16), color).save(data / name)
    return F.load_manifest(tpl_dir)["signed"]


def reference(form: F.FormSpec, ticket: str, picture: Path | None, out: Path) -> Path:
    tpl = DocxTemplate(str(form.template_path()))
    sig = InlineImage(tpl, str(picture), width=Mm(30)) if picture else ""
    tpl.render({"ticket": ticket, "signature": sig, "company": "", "today": ""}, None, autoescape=True)
    tpl.save(out)
    return out


@pytest.mark.parametrize("parallel", [False, True], ids=["in process", "worker pool"])
def test_each_form_gets_its_own_picture_as_docxtpl_prints_it(form, tmp_path, monkeypatch, parallel):
    if parallel:
        monkeypatch.setattr(forms_batch, "ROWS_PER_WORKER", 1)  # a pool even for three rows
        monkeypatch.setattr(forms_batch, "free_cores", lambda: 2)
    rows = [
        {"单号": "Q-1", "签名": "签名/王强.png"},
        {"单号": "Q-2", "签名": "签名\\李娜.png"},
        {"单号": "Q-3", "签名": ""},
    ]
    done = F.render_batch(form, rows, tmp_path / "out", images_dir=tmp_path / "data", jobs=2 if parallel else 1)
    assert [r.docx.name for r in done] == ["Q-1.docx", "Q-2.docx", "Q-3.docx"]
    data = tmp_path / "data" / "签名"
    for r, picture in zip(done, (data / "王强.png", data / "李娜.png", None)):
        assert_same(r.docx, reference(form, r.docx.stem, picture, tmp_path / f"want-{r.docx.name}"))


def test_a_missing_picture_stops_the_batch_before_anything_is_written(form, tmp_path):
    rows = [{"单号": "Q-1", "签名": "签名/王强.png"}, {"单号": "Q-2", "签名": "签名/张三.png"}]
    with pytest.raises(DataError) as e:
        F.render_batch(form, rows, tmp_path / "out", images_dir=tmp_path / "data")
    assert str(e.value) == "1 picture of 签字单 not found; nothing was written"
    assert e.value.problems == [
        f'row 3, 签名: picture "签名/张三.png" is not a file in {tmp_path / "data"}; put it there or correct the name'
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("cell,why", [
    ("../secret.png", "leaves the data's folder (..); put the picture next to the data file"),
    ("/etc/passwd.png", "is not a file name next to the data; give the picture's path relative to the data file"),
    ("C:\\\\photo.png", "is not a file name next to the data; give the picture's path relative to the data file"),
    ("签名/王强.exe", "is not a picture; use one of .png, .jpg, .jpeg, .gif, .bmp, .tif, .tiff"),
])  # fmt: skip
def test_hostile_picture_names_are_row_problems(form, tmp_path, cell, why):
    with pytest.raises(DataError) as e:
        F.render_batch(form, [{"单号": "Q-1", "签名": cell}], tmp_path / "out", images_dir=tmp_path / "data")
    assert e.value.problems == [f'row 2, 签名: "{cell.strip()}" {why}']
    assert not (tmp_path / "out").exists()


def test_a_link_out_of_the_data_folder_is_refused(form, tmp_path):
    outside = tmp_path / "outside.png"
    Image.new("RGB", (4, 4)).save(outside)
    (tmp_path / "data" / "签名" / "link.png").symlink_to(outside)
    with pytest.raises(DataError, match="1 picture of 签字单 not found"):
        F.render_batch(form, [{"单号": "Q-1", "签名": "签名/link.png"}], tmp_path / "out", images_dir=tmp_path / "data")


def test_a_file_that_is_no_picture_stops_the_batch(form, tmp_path):
    (tmp_path / "data" / "签名" / "fake.png").write_text("not a picture")
    with pytest.raises(DataError) as e:
        F.render_batch(form, [{"单号": "Q-1", "签名": "签名/fake.png"}], tmp_path / "out", images_dir=tmp_path / "data")
    assert e.value.problems == [
        'row 2, 签名: picture "签名/fake.png" is not a picture Word can show; save it as PNG or JPEG'
    ]
    assert not (tmp_path / "out").exists()


def test_sizes_are_checked_in_the_manifest(tmp_path):
    (tmp_path / "forms.toml").write_text(MANIFEST.replace("width_mm = 30", "width_mm = 0"), encoding="utf-8")
    with pytest.raises(TemplateError) as e:
        F.load_manifest(tmp_path)
    assert (
        str(e.value)
        == f"{tmp_path / 'forms.toml'}: form signed, field signature: width_mm must be a number of millimetres from 1 to 1000, not 0"
    )


def test_image_fields_render_on_the_compiled_engine(form, tmp_path, monkeypatch):
    """Pictures in the body need no docxtpl: the batch stays fast (see bench/FORMS.md)."""
    from dangan.archive.forms.fallback import Renderer

    def no_docxtpl(self, context):
        raise AssertionError("rendered through docxtpl")

    monkeypatch.setattr(Renderer, "_template_for", no_docxtpl)
    rows = [{"单号": "Q-1", "签名": "签名/王强.png"}, {"单号": "Q-2", "签名": "签名/王强.png"}]
    done = F.render_batch(form, rows, tmp_path / "out", images_dir=tmp_path / "data")
    assert_same(done[1].docx, reference(form, "Q-2", tmp_path / "data" / "签名" / "王强.png", tmp_path / "want.docx"))


def test_a_picture_in_the_header_or_twice_or_already_in_the_template_matches_docxtpl(form, tmp_path):
    """Cases the compiled engine hands to docxtpl (header, same bytes as the template's own
    picture) and one it keeps (the same picture twice in a row)."""
    path = form.template_path()
    doc = Document(path)
    doc.add_paragraph("again {{ signature }}")
    doc.save(path)
    data = tmp_path / "data" / "签名"
    rows = [{"单号": "Q-1", "签名": "签名/王强.png"}]
    [twice] = F.render_batch(form, rows, tmp_path / "a", images_dir=tmp_path / "data")
    assert_same(twice.docx, reference(form, "Q-1", data / "王强.png", tmp_path / "want-a.docx"))
    doc.sections[0].header.paragraphs[0].text = "header {{ signature }}"
    doc.add_picture(str(data / "李娜.png"))
    doc.save(path)
    for name in ("王强.png", "李娜.png"):
        [done] = F.render_batch(
            form, [{"单号": "Q-1", "签名": f"签名/{name}"}], tmp_path / name, images_dir=tmp_path / "data"
        )
        assert_same(done.docx, reference(form, "Q-1", data / name, tmp_path / f"want-{name}.docx"))


def test_forms_render_finds_pictures_next_to_the_data_file(cli, home, tmp_path, monkeypatch):
    """The command line looks for pictures beside the data file, wherever it is run from."""
    (home.templates_dir / "forms.toml").write_text(MANIFEST, encoding="utf-8")
    doc = Document()
    doc.add_paragraph("单号 {{ ticket }} 签名：{{ signature }}")
    doc.save(home.templates_dir / "签字单.docx")
    data = tmp_path / "data"
    (data / "签名").mkdir(parents=True)
    Image.new("RGB", (40, 16), "blue").save(data / "签名" / "王强.png")
    (data / "签字.csv").write_text("单号,签名\nQ-1,签名/王强.png\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = cli("forms", "render", "signed", "--data", str(data / "签字.csv"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(tmp_path / "o" / "Q-1.docx") as zf:
        assert zf.read("word/media/image1.png") == (data / "签名" / "王强.png").read_bytes()


def test_render_document_places_an_image_field_like_docxtpl(form, tmp_path):
    """Library callers (registers, scripts) can pass a picture without a DocxTemplate."""
    picture = tmp_path / "data" / "签名" / "李娜.png"
    ctx = {"ticket": "Q-9", "signature": F.ImageField(str(picture), width_mm=30), "company": "", "today": ""}
    got = F.render_document(form.template_path(), ctx, tmp_path / "one.docx")
    assert_same(got, reference(form, "Q-9", picture, tmp_path / "want.docx"))
