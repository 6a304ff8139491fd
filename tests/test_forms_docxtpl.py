"""The forms engine prints exactly what docxtpl prints, for every docxtpl feature.

Each case builds a small template of our own (python-docx), renders it with
``DocxTemplate(t).render(ctx, env, autoescape=True); save()`` and with our
``render_document`` and ``render_many``, and compares the packages part by part:
XML after canonicalisation, relationships and content types as sets, media bytes equal.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from jinja2 import Environment
from lxml import etree
from PIL import Image

from dangan.archive import forms as F

# --------------------------------------------------------------------------- comparing


def package(path: Path) -> dict[str, object]:
    """A .docx as comparable values: part name -> canonical XML, a set, or raw bytes."""
    out: dict[str, object] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".rels") or name == "[Content_Types].xml":
                root = etree.fromstring(data)
                out[name] = {(c.tag, tuple(sorted(c.attrib.items()))) for c in root}
            elif name.endswith(".xml"):
                out[name] = etree.tostring(etree.fromstring(data), method="c14n")
            else:
                out[name] = data
    return out


def assert_same(ours: Path, reference: Path) -> None:
    a, b = package(ours), package(reference)
    assert sorted(a) == sorted(b), "different parts"
    for name in b:
        assert a[name] == b[name], f"part {name} differs"


def png(path: Path, color: str, size=(8, 6)) -> Path:
    Image.new("RGB", size, color).save(path)
    return path


# --------------------------------------------------------------------------- templates


def doc_with(*paragraphs: str) -> Document:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    return doc


def save(doc, path: Path) -> Path:
    doc.save(path)
    return path


def reference(template: Path, build_ctx, out: Path, env=None, prepare=None) -> Path:
    """What docxtpl itself writes."""
    tpl = DocxTemplate(str(template))
    if prepare:
        prepare(tpl)
    tpl.render(build_ctx(tpl), env or Environment(), autoescape=True)
    tpl.save(out)
    return out


def prepared(template: Path, prepare) -> DocxTemplate | Path:
    """What a docxtpl user hands over: the DocxTemplate the context's objects are made on
    (with its replacements), or just the path when nothing is bound to a template."""
    if prepare is None:
        return template
    tpl = DocxTemplate(str(template))
    prepare(tpl)
    return tpl


def case_pictures(tmp: Path):
    doc = doc_with("logo: {{ logo }}", "{% for p in photos %}{{ p }}{% endfor %}")
    doc.sections[0].header.paragraphs[0].text = "header {{ stamp }}"
    template = save(doc, tmp / "pictures.docx")
    red, blue = png(tmp / "red.png", "red"), png(tmp / "blue.png", "blue", (10, 10))

    def ctx(tpl):
        return {"logo": InlineImage(tpl, str(red), width=Mm(20)), "stamp": InlineImage(tpl, str(blue), height=Mm(8)),
                "photos": [InlineImage(tpl, str(blue)), InlineImage(tpl, str(red))]}  # fmt: skip

    return template, ctx, {}


def case_subdoc_file(tmp: Path):
    sub = Document()
    style = sub.styles.add_style("子文档样式", 1)
    style.font.bold = True
    sub.add_paragraph("子文档段落", style="子文档样式")
    sub.add_picture(str(png(tmp / "green.png", "green")), width=Mm(15))
    sub_path = save(sub, tmp / "sub.docx")
    template = save(doc_with("before", "{{p sub }}", "after {{ name }}"), tmp / "subdoc.docx")
    return template, lambda tpl: {"sub": tpl.new_subdoc(str(sub_path)), "name": "张三"}, {}


def case_subdoc_code(tmp: Path):
    template = save(doc_with("{{p sub }}"), tmp / "subcode.docx")

    def ctx(tpl):
        sd = tpl.new_subdoc()
        sd.add_paragraph("built in code & <escaped>")
        sd.add_table(rows=2, cols=2).cell(0, 0).text = "格"
        return {"sub": sd}

    return template, ctx, {}


def case_richtext_link(tmp: Path):
    template = save(doc_with("see {{r link }} and {{r plain }}"), tmp / "link.docx")

    def ctx(tpl):
        link = RichText()
        link.add("档案网站", url_id=tpl.build_url_id("https://example.com/a?b=1&c=2"), underline=True)
        return {"link": link, "plain": RichText("粗体", bold=True)}

    return template, ctx, {}


def picture_template(tmp: Path) -> Path:
    doc = doc_with("{{ name }}")
    doc.add_picture(str(png(tmp / "old.png", "white")), width=Mm(10))
    return save(doc, tmp / "withpic.docx")


def case_replace_pic(tmp: Path):
    template = picture_template(tmp)
    new = png(tmp / "new.png", "black", (12, 12))
    return template, lambda tpl: {"name": "x"}, {"prepare": lambda tpl: tpl.replace_pic("old.png", str(new))}


def case_replace_media(tmp: Path):
    template = picture_template(tmp)
    new = png(tmp / "new.png", "purple", (12, 12))
    return (
        template,
        lambda tpl: {"name": "x"},
        {"prepare": lambda tpl: tpl.replace_media(str(tmp / "old.png"), str(new))},
    )


def embedded_template(tmp: Path) -> Path:
    doc = doc_with("{{ name }}")
    part = Part(PackURI("/word/embeddings/oleObject1.bin"), "application/vnd.openxmlformats-officedocument.oleObject",
                b"old embedded bytes", doc.part.package)  # fmt: skip
    doc.part.relate_to(part, RT.OLE_OBJECT)
    (tmp / "old.bin").write_bytes(b"old embedded bytes")
    (tmp / "new.bin").write_bytes(b"new embedded bytes, longer")
    return save(doc, tmp / "embedded.docx")


def case_replace_embedded(tmp: Path):
    template = embedded_template(tmp)

    def prepare(tpl):
        tpl.replace_embedded(str(tmp / "old.bin"), str(tmp / "new.bin"))

    return template, lambda tpl: {"name": "x"}, {"prepare": prepare}


def case_replace_zipname(tmp: Path):
    template = embedded_template(tmp)

    def prepare(tpl):
        tpl.replace_zipname("word/embeddings/oleObject1.bin", str(tmp / "new.bin"))

    return template, lambda tpl: {"name": "x"}, {"prepare": prepare}


def case_filter(tmp: Path):
    env = Environment()
    env.filters["shout"] = lambda s: f"{s}！"
    template = save(doc_with("{{ name|shout }}", "{{ n|round(1) }}"), tmp / "filter.docx")
    return template, lambda tpl: {"name": "李四 & 王五", "n": 2.345}, {"env": env}


def case_core_properties(tmp: Path):
    doc = doc_with("{{ test }}")
    doc.core_properties.title = "{{ test }} 标题"
    doc.core_properties.subject = "主题 {{ n }}"
    doc.core_properties.author = "固定作者"
    template = save(doc, tmp / "core.docx")
    return template, lambda tpl: {"test": "A&B", "n": 3}, {}


def table_doc(rows: list[list[str]]) -> Document:
    doc = Document()
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    return doc


def case_tc_comment(tmp: Path):
    template = save(
        table_doc([["甲", "{#tc 删除此列 #}", "丙"], ["{{ a }}", "{#tc #}", "{{ c }}"]]), tmp / "tccomment.docx"
    )
    return template, lambda tpl: {"a": "1", "c": "3"}, {}


def case_tc_if(tmp: Path):
    rows = [
        ["甲", "{%tc if show %}", "乙", "{%tc endif %}", "丙"],
        ["{{ a }}", "{%tc if show %}", "{{ b }}", "{%tc endif %}", "{{ c }}"],
    ]
    template = save(table_doc(rows), tmp / "tcif.docx")
    return template, lambda tpl: {"a": "1", "b": "2", "c": "3", "show": False}, {}


def case_tc_loop(tmp: Path):
    rows = [["项目", "{%tc for m in months %}", "{{ m }}", "{%tc endfor %}"],
            ["合计", "{%tc for m in months %}", "{{ loop.index }}", "{%tc endfor %}"]]  # fmt: skip
    template = save(table_doc(rows), tmp / "tcloop.docx")
    return template, lambda tpl: {"months": ["一月", "二月", "三月"]}, {}


def case_merges(tmp: Path):
    rows = [
        ["{%tr for r in rows %}", "", ""],
        ["{% vm %}{{ r.group }}", "{{ r.item }}", "末"],
        ["{%tr endfor %}", "", ""],
        ["{%tc for c in cols %}", "{% hm %}{{ c }}", "{%tc endfor %}"],
    ]
    template = save(table_doc(rows), tmp / "merges.docx")
    ctx = {"rows": [{"group": "甲", "item": "1"}, {"group": "甲", "item": "2"}, {"group": "乙", "item": "3"}],
           "cols": ["同", "同", "异"]}  # fmt: skip
    return template, lambda tpl: ctx, {}


def case_listing(tmp: Path):
    template = save(
        doc_with("{{ text }}", "{_{ not a tag }_} {_% neither %_}", "{{ '<b>' }} & {{ amp }}"), tmp / "listing.docx"
    )
    text = "第一行 & <尖括号>\n第二行\t制表\a新段\f分页"
    return template, lambda tpl: {"text": text, "amp": "A&B"}, {}


DOCXTPL_SAMPLES = Path(__file__).resolve().parent / "samples" / "docxtpl"  # docxtpl's own test templates


def case_docxtpl_nested_vertical_merge(tmp: Path):
    """docxtpl's vertical_merge_nested_tpl.docx: {% vm %} inside a table of merged cells,
    saved by LibreOffice (a paragraph redeclares a namespace prefix; other content types)."""
    return DOCXTPL_SAMPLES / "vertical_merge_nested_tpl.docx", lambda tpl: {}, {}


def case_docxtpl_horizontal_merge(tmp: Path):
    """docxtpl's horizontal_merge_tpl.docx: {% hm %} cells, saved by LibreOffice."""
    return DOCXTPL_SAMPLES / "horizontal_merge_tpl.docx", lambda tpl: {}, {}


CASES = [
    case_pictures, case_subdoc_file, case_subdoc_code, case_richtext_link, case_replace_pic, case_replace_media,
    case_replace_embedded, case_replace_zipname, case_filter, case_core_properties, case_tc_comment, case_tc_if,
    case_tc_loop, case_merges, case_listing, case_docxtpl_nested_vertical_merge, case_docxtpl_horizontal_merge,
]  # fmt: skip


# Objects made on a DocxTemplate (pictures, sub-documents, links) belong to it: the caller
# passes that DocxTemplate, as a docxtpl user renders through it.
BOUND = {case_pictures, case_subdoc_file, case_subdoc_code, case_richtext_link}


def template_and_prepare(case, template: Path, opts: dict):
    prepare = opts.get("prepare")
    if case in BOUND:
        prepare = prepare or (lambda tpl: None)
    return prepare


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
def test_render_document_writes_what_docxtpl_writes(tmp_path, case):
    template, ctx, opts = case(tmp_path)
    env, prepare = opts.get("env"), template_and_prepare(case, template, opts)
    want = reference(template, ctx, tmp_path / "want.docx", env, prepare)
    given = prepared(template, prepare)
    got = F.render_document(given, ctx(given if prepare else None), tmp_path / "out" / "got.docx", jinja_env=env)
    assert_same(got, want)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
def test_the_batch_api_writes_what_docxtpl_writes(tmp_path, case):
    """Three documents from one template (compiled once), each equal to docxtpl's render.

    Contexts are consumed one by one, so objects made on the DocxTemplate for each
    document (as a docxtpl loop makes them) belong to that document's render."""
    template, ctx, opts = case(tmp_path)
    env, prepare = opts.get("env"), template_and_prepare(case, template, opts)
    given = prepared(template, prepare)
    contexts = (ctx(given if prepare else None) for _ in range(3))
    outs = [tmp_path / "batch" / f"{n}.docx" for n in range(3)]
    assert F.render_many(given, contexts, outs, jinja_env=env) == outs
    want = reference(template, ctx, tmp_path / "want.docx", env, prepare)
    for out in outs:
        assert_same(out, want)


def test_objects_made_on_another_template_are_refused_or_rebound(tmp_path):
    """A hyperlink or sub-document belongs to the DocxTemplate that made it; a picture can move."""
    from dangan.indexer.errors import UsageError

    template, ctx, _ = case_richtext_link(tmp_path)
    other = DocxTemplate(str(template))
    with pytest.raises(UsageError) as e:
        F.render_document(template, ctx(other), tmp_path / "x.docx")
    assert str(e.value) == (f"{template}: rich text with a hyperlink needs the DocxTemplate whose build_url_id() "
                            "made the link; pass that DocxTemplate as the template")  # fmt: skip
    assert e.value.exit_code == 2 and not (tmp_path / "x.docx").exists()
    template, ctx, _ = case_subdoc_code(tmp_path)
    with pytest.raises(UsageError, match="a sub-document was made with another template's new_subdoc"):
        F.render_document(
            template, ctx(DocxTemplate(str(save(doc_with("x"), tmp_path / "elsewhere.docx")))), tmp_path / "y.docx"
        )
    # A picture made on a different file's template is simply made again on this one.
    template, ctx, _ = case_pictures(tmp_path)
    stranger = DocxTemplate(str(save(doc_with("x"), tmp_path / "stranger.docx")))
    got = F.render_document(template, ctx(stranger), tmp_path / "z.docx")
    assert_same(got, reference(template, ctx, tmp_path / "want.docx"))


@pytest.mark.parametrize("form_id", sorted(F.load_manifest()))
def test_every_shipped_form_is_docxtpls_package(form_id, tmp_path):
    """Our 16 forms through render_batch: the same package as docxtpl's, part by part."""
    from tests.test_forms_templates import example_row

    form = F.load_manifest()[form_id]
    row, _, _ = example_row(form, items=2)
    row[form.fields[0].label] = "多行\n文字 & <符号>\t制表"
    [ours] = F.render_batch(form, [row], tmp_path / "ours", jobs=1, company="公司")
    typed, _ = F.validate_rows(form, [row])
    ctx = F.form_context(form, typed[0], company="公司")
    assert_same(ours.docx, reference(form.template_path(), lambda tpl: ctx, tmp_path / "theirs.docx"))
