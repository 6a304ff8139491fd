"""Every shipped template opens in python-docx, renders example data, and each value lands in
the cell right of its label; the layout rules (A4, CJK fonts, growing list rows) hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from dangan.archive import forms as F

MANIFEST = F.load_manifest()


def example_value(f: F.FieldSpec, n: int = 0) -> tuple[str, str]:
    """(cell text written in the data, text expected on the form) for one field."""
    if f.type == "date":
        return f"2024/3/{5 + n}", f"2024-03-{5 + n:02d}"
    if f.type == "number":
        return f"1,2{n}0.5", f"12{n}0.5"
    if f.type == "money":
        return f"¥8{n}0", f"8{n}0.00"
    if f.type == "choice":
        choice = f.choices[-1]
        boxes = "\u3000".join(("☑" if c == choice else "☐") + c for c in f.choices)
        return choice, boxes
    return f"{f.label}内容{n} & <b>", f"{f.label}内容{n} & <b>"


def example_row(form: F.FormSpec, items: int = 3) -> tuple[dict, dict, dict]:
    """A data row keyed by Chinese labels, the expected text per label, expected list rows."""
    row, expected, lists = {}, {}, {}
    for f in form.fields:
        if f.type != "list":
            row[f.label], expected[f.label] = example_value(f)
            continue
        lists[f.name] = []
        for n in range(1, items + 1):
            shown = [str(n)]
            for s in f.subfields:
                raw, text = example_value(s, n)
                row[f"{f.label}{n}{s.label}"] = raw
                shown.append(s.choices and raw or text)
            lists[f.name].append(shown)
    return row, expected, lists


def unique_cells(row) -> list:
    """A table row's cells with horizontally merged cells counted once."""
    seen, cells = set(), []
    for c in row.cells:
        if id(c._tc) not in seen:
            seen.add(id(c._tc))
            cells.append(c)
    return cells


def label_values(doc) -> dict[str, str]:
    """label cell -> the value cell right of it, for every label/value table row."""
    pairs = {}
    for table in doc.tables:
        for row in table.rows:
            cells = unique_cells(row)
            for label, value in zip(cells[0::2], cells[1::2]):
                pairs.setdefault(label.text, value.text)
    return pairs


def list_table_rows(doc, first_header: str) -> list[list[str]]:
    """Rows (after the header) of the list table whose second header cell is ``first_header``."""
    for table in doc.tables:
        head = [c.text for c in table.rows[0].cells]
        if head[0] == "序号" and head[1] == first_header:
            return [[c.text for c in r.cells] for r in table.rows[1:]]
    raise AssertionError(f"no list table starting with {first_header}")


@pytest.mark.parametrize("form_id", sorted(MANIFEST))
def test_every_template_renders_values_into_the_cell_right_of_their_label(form_id, tmp_path):
    form = MANIFEST[form_id]
    row, expected, lists = example_row(form)
    [result] = F.render_batch(form, [row], tmp_path, jobs=1, company="示例建设工程有限公司")
    doc = Document(result.docx)
    assert doc.paragraphs[0].text == "示例建设工程有限公司"
    assert doc.paragraphs[1].text == form.title
    got = label_values(doc)
    for label, text in expected.items():
        assert got[label] == text, label
    for f in form.fields:
        if f.type == "list":
            rows = list_table_rows(doc, f.subfields[0].label)
            assert rows == lists[f.name]


@pytest.mark.parametrize("form_id", sorted(MANIFEST))
def test_every_template_uses_exactly_the_manifest_fields(form_id):
    form = MANIFEST[form_id]
    assert F.check_template(form.template_path(), form) == []


@pytest.mark.parametrize("form_id", sorted(MANIFEST))
def test_templates_are_a4_with_east_asian_fonts_and_whole_tags(form_id):
    form = MANIFEST[form_id]
    doc = Document(form.template_path())
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    # Every tag sits in one run, so editing in Word cannot split it.
    runs = [r.text for p in _all_paragraphs(doc) for r in p.runs]
    tags = [t for t in runs if "{{" in t or "{%" in t]
    assert tags and all(t.count("{") == t.count("}") for t in tags)
    assert "{{ company }}" in runs


def _all_paragraphs(doc):
    yield from doc.paragraphs
    for t in doc.tables:
        for row in t.rows:
            for c in unique_cells(row):
                yield from c.paragraphs


def test_list_rows_grow_with_the_data(tmp_path):
    form = MANIFEST["dispatch_ticket"]
    row, _, _ = example_row(form, items=5)
    few, _, _ = example_row(form, items=1)
    a, b = F.render_batch(form, [row, few], tmp_path, jobs=1, name_pattern="{seq}")
    assert len(list_table_rows(Document(a.docx), "项目名称")) == 5
    assert list_table_rows(Document(b.docx), "项目名称")[0][:2] == ["1", "项目名称内容1 & <b>"]


def test_multiline_values_become_line_breaks(tmp_path):
    form = MANIFEST["dispatch_ticket"]
    row, _, _ = example_row(form, items=1)
    row["服务内容"] = "第一行\r\n第二行"
    [r] = F.render_batch(form, [row], tmp_path, jobs=1)
    assert label_values(Document(r.docx))["服务内容"] == "第一行\n第二行"


def test_generator_script_reproduces_the_shipped_templates(tmp_path):
    """make_templates.py is the source of the .docx files: rerunning it yields the same tags."""
    import runpy

    mod = runpy.run_path(str(Path(F.shipped_templates_dir()) / "make_templates.py"))
    written = mod["make_forms"](F.shipped_templates_dir() / "forms.toml", tmp_path)
    assert len(written) == len(MANIFEST)
    for path in written:
        shipped = F.shipped_templates_dir() / path.name
        assert _tags(path) == _tags(shipped), path.name


def _tags(path: Path) -> list[str]:
    return [r.text for p in _all_paragraphs(Document(path)) for r in p.runs if "{" in r.text]


def test_label_cells_are_narrower_than_value_cells():
    doc = Document(MANIFEST["dispatch_ticket"].template_path())
    first = doc.tables[0].rows[0].cells
    assert first[0].width < first[1].width and round(first[0].width.cm, 1) == 2.9


@pytest.mark.parametrize("form_id", sorted(MANIFEST))
def test_engine_output_matches_plain_docxtpl(form_id, tmp_path):
    """The compiled engine must print exactly what docxtpl itself prints for the same data."""
    from docxtpl import DocxTemplate

    form = MANIFEST[form_id]
    row, _, _ = example_row(form, items=2)
    row[form.fields[0].label] = "多行\n文字 & <符号>"
    [ours] = F.render_batch(form, [row], tmp_path / "ours", jobs=1, company="公司")
    typed, _ = F.validate_rows(form, [row])
    tpl = DocxTemplate(form.template_path())
    tpl.render(F.form_context(form, typed[0], company="公司"), autoescape=True)
    theirs = tmp_path / "theirs.docx"
    tpl.save(theirs)
    assert _texts(ours.docx) == _texts(theirs)


def _texts(path: Path) -> list[str]:
    doc = Document(path)
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
