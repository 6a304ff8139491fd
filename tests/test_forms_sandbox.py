"""Templates are untrusted: code in a tag is refused (exit 6), on every render path, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from PIL import Image

from dangan.archive import forms as F
from dangan.indexer.errors import ExitCode, TemplateError

# Each expression, and the part of it the error names.
ATTACKS = [
    ("{{ ''.__class__.__mro__ }}", "''.__class__.__mro__", "__mro__"),
    ("{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}", "cycler.__init__.__globals__", "__globals__"),
    ("{{ joiner.__init__.__globals__ }}", "joiner.__init__.__globals__", "__globals__"),
    ("{{ ().__class__.__base__.__subclasses__() }}", "().__class__.__base__.__subclasses__", "__subclasses__"),
    ("{{ joiner['__globals__'] }}", "joiner['__globals__']", "__globals__"),
]
FILE_TAGS = [
    ("{% include '/etc/passwd' %}", "{% include %}"),
    ("{% import '/etc/passwd' as p %}", "{% import %}"),
    ("{% extends '/etc/passwd' %}", "{% extends %}"),
]


@pytest.fixture
def nohome(tmp_path):
    """Run dangan with --home pointing at a folder that is not a home."""
    from click.testing import CliRunner

    from dangan.cli import main

    return lambda *args: CliRunner().invoke(main, ["--home", str(tmp_path / "nowhere"), *args], catch_exceptions=False)


def template_with(path: Path, text: str) -> Path:
    doc = Document()
    doc.add_paragraph("维修记录 {{ name }}")
    doc.add_paragraph(text)
    doc.save(path)
    return path


def message(path, expression: str, why: str) -> str:
    return f"{path}: expression {expression} refused ({why}); templates may only print fields, fix the template in Word"


@pytest.mark.parametrize("tag,expression,attr", ATTACKS)
def test_private_attributes_are_refused_on_the_compiled_path(tmp_path, tag, expression, attr):
    path = template_with(tmp_path / "t.docx", tag)
    out = tmp_path / "out" / "x.docx"
    with pytest.raises(TemplateError) as e:
        F.render_document(path, {"name": "王强"}, out)
    assert e.value.exit_code == ExitCode.config_error == 6
    assert str(e.value) == message(path, expression, f"access to {attr} is not allowed")
    assert not out.parent.exists()


@pytest.mark.parametrize("tag,expression,attr", ATTACKS)
def test_private_attributes_are_refused_on_the_docxtpl_path(tmp_path, monkeypatch, tag, expression, attr):
    """A picture in the context sends the document through docxtpl: the same sandbox."""
    monkeypatch.chdir(tmp_path)  # where 'touch PWNED' would land
    path = template_with(tmp_path / "t.docx", tag + " {{ photo }}")
    Image.new("RGB", (4, 4), "red").save(tmp_path / "p.png")
    tpl = DocxTemplate(str(path))
    out = tmp_path / "out" / "x.docx"
    with pytest.raises(TemplateError) as e:
        F.render_document(tpl, {"name": "王强", "photo": InlineImage(tpl, str(tmp_path / "p.png"), width=Mm(5))}, out)
    assert e.value.exit_code == 6
    assert str(e.value) == message(path, expression, f"access to {attr} is not allowed")
    assert not out.exists() and not (tmp_path / "PWNED").exists()
    assert [p.name for p in out.parent.iterdir()] == []  # no temporary file left behind


@pytest.mark.parametrize("tag,shown", FILE_TAGS)
def test_include_import_and_extends_of_a_file_are_refused(tmp_path, tag, shown):
    path = template_with(tmp_path / "t.docx", tag)
    for template in (path, DocxTemplate(str(path))):
        with pytest.raises(TemplateError) as e:
            F.render_document(template, {"name": "x"}, tmp_path / "x.docx")
        assert str(e.value) == message(path, shown, "templates may not read other files")
    assert not (tmp_path / "x.docx").exists()


def test_the_attr_filter_with_a_private_name_is_refused(tmp_path):
    path = template_with(tmp_path / "t.docx", "{{ name|attr('__class__') }}")
    with pytest.raises(TemplateError) as e:
        F.render_document(path, {"name": "x"}, tmp_path / "x.docx")
    assert str(e.value) == message(path, "name|attr('__class__')", "access to __class__ is not allowed")
    assert not (tmp_path / "x.docx").exists()


def test_the_sandbox_also_holds_at_render_time(tmp_path):
    """A name only known when rendering (here from the data) gets nothing out of the sandbox."""
    path = template_with(tmp_path / "t.docx", "[{{ name|attr(key) }}][{{ name[key] }}]")
    out = F.render_document(path, {"name": "x", "key": "__class__"}, tmp_path / "x.docx")
    assert Document(out).paragraphs[1].text == "[][]"


def test_unsafe_data_is_only_printed(tmp_path):
    """A spreadsheet cell holding template code is text, not a template."""
    path = template_with(tmp_path / "t.docx", "")
    out = F.render_document(path, {"name": "{{ ''.__class__ }} & <x>"}, tmp_path / "x.docx")
    assert Document(out).paragraphs[0].text == "维修记录 {{ ''.__class__ }} & <x>"


def test_forms_check_reports_the_refused_expression(nohome, tmp_path):
    path = template_with(tmp_path / "t.docx", ATTACKS[1][0])
    r = nohome("forms", "check", str(path))
    assert r.exit_code == 6
    assert r.stderr.startswith(
        "error: " + message("t.docx", "cycler.__init__.__globals__", "access to __globals__ is not allowed")
    )


def test_a_poisoned_home_form_template_is_refused_by_forms_render(cli, home, tmp_path, monkeypatch):
    from tests.test_forms_cli import START_HEADER, START_ROW, write_csv

    monkeypatch.chdir(tmp_path)
    target = home.templates_dir / "开工报告.docx"
    doc = Document(target)
    doc.add_paragraph(ATTACKS[1][0])
    doc.save(target)
    data = write_csv(tmp_path / "start.csv", START_HEADER, START_ROW)
    r = cli("forms", "render", "start_report", "--data", str(data), "--out", str(tmp_path / "o"))
    assert r.exit_code == 6
    assert (
        r.stderr
        == "Error: " + message(target, "cycler.__init__.__globals__", "access to __globals__ is not allowed") + "\n"
    )
    assert not (tmp_path / "o").exists() and not (tmp_path / "PWNED").exists()


def test_a_poisoned_home_register_template_is_refused_by_register(cli, home, project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = home.templates_dir / "registers" / "卷内目录.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(F.shipped_templates_dir() / "registers" / "卷内目录.docx", target)
    doc = Document(target)
    doc.add_paragraph(ATTACKS[1][0])
    doc.save(target)
    out = tmp_path / "卷内目录.docx"
    r = cli("register", "BJ-2024-017", "--kind", "卷内目录", "--out", str(out))
    assert r.exit_code == 6
    assert (
        r.stderr
        == "Error: " + message(target, "cycler.__init__.__globals__", "access to __globals__ is not allowed") + "\n"
    )
    assert not out.exists() and not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("tag,why", [
    ("{{ 'x' * 1000000000 }}", "repeating text or a list beyond 100000 items is not allowed"),
    ("{{ [1] * n }}", "repeating text or a list beyond 100000 items is not allowed"),
    ("{{ 9 ** 99999999 }}", "a power above 1000 is not allowed"),
])  # fmt: skip
def test_expressions_that_would_exhaust_memory_are_refused(tmp_path, tag, why):
    path = template_with(tmp_path / "t.docx", tag)
    with pytest.raises(TemplateError) as e:
        F.render_document(path, {"name": "x", "n": 10**9}, tmp_path / "x.docx")
    assert (
        str(e.value) == f"{path}: expression refused ({why}); templates may only print fields, fix the template in Word"
    )
    assert not (tmp_path / "x.docx").exists()


def test_ordinary_arithmetic_still_works(tmp_path):
    path = template_with(tmp_path / "t.docx", "{{ '－' * 3 }}{{ 2 ** 10 }}{{ n * 2 }}")
    out = F.render_document(path, {"name": "x", "n": 21}, tmp_path / "x.docx")
    assert Document(out).paragraphs[1].text == "－－－102442"


def test_filler_text_is_not_available(tmp_path):
    """lipsum(n=10**9) would fill the memory; the sandbox has no lipsum."""
    path = template_with(tmp_path / "t.docx", "{{ lipsum(n=1000000000) }}")
    with pytest.raises(TemplateError) as e:
        F.render_document(path, {"name": "x"}, tmp_path / "x.docx")
    assert "'lipsum' is undefined" in str(e.value)
    assert not (tmp_path / "x.docx").exists()
