"""Denial-of-service payloads in a template end in exit 6 naming the template (issue 25 item 13).

21 of 39 payloads got through the sandbox: they hung past 90 s, used 5.8 GB and wrote a
1 GB document.xml with exit 0, or ended in MemoryError/RecursionError (exit 1).  Each one
here must be refused quickly, with the reason, and write nothing.
"""

from __future__ import annotations

import pytest
from docx import Document

from dangan.archive import forms as F
from dangan.indexer.errors import TemplateError
from tests.test_forms_sandbox import template_with

TEXT = "text longer than 1,000,000 characters is not allowed"
BITS = "a number of more than 100,000 bits is not allowed"
LOOPS = "loops of more than 1,000,000 steps in one form are not allowed"

PAYLOADS = [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", LOOPS),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}", LOOPS),
    ("{{ ((9**999)**999)**999 }}", BITS),
    ("{{ (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) * (9**999) }}", BITS),
    ("{{ name|indent(1000000000) }}", "indent(1000000000) is not allowed (at most 1,000)"),
    ("{{ name|indent(width=1000000000) }}", "indent(1000000000) is not allowed (at most 1,000)"),
    ("{{ 'a\\tb'.expandtabs(1000000000) }}", TEXT),
    ("{{ '{0:>1000000000}'.format(1) }}", TEXT),
    ("{{ '{0:>{1}}'.format(1, 1000000000) }}", TEXT),
    ("{{ '{x:>1000000000}'.format_map({'x': 1}) }}", TEXT),
    ("{{ 'x'.center(1000000000) }}", TEXT),
    ("{{ 'x'.ljust(1000000000) }}", TEXT),
    ("{{ 'x'.rjust(1000000000) }}", TEXT),
    ("{{ '1'.zfill(1000000000) }}", TEXT),
    ("{{ name|center(1000000000) }}", "center(1000000000) is not allowed (at most 1,000)"),
    ("{{ '%01000000000d'|format(1) }}", TEXT),
    ("{{ '%01000000000d' % 1 }}", TEXT),
    ("{{ '%*d' % (1000000000, 1) }}", TEXT),
    ("{{ ('x' * 100000)|replace('x', 'y' * 100000) }}", TEXT),
    ("{{ ('x' * 100000).replace('x', 'y' * 100000) }}", TEXT),
    ("{{ ('x' * 100000) + ('x' * 100000) + ('x' * 100000) }}", None),  # 300,000: allowed
    ("{{ [1]|batch(1000000000, 0)|list }}", "batch(1000000000) is not allowed (at most 1,000)"),
    ("{{ [1]|slice(1000000000)|list }}", "slice(1000000000) is not allowed (at most 1,000)"),
    ("{{ name|tojson(indent=1000000000) }}", "tojson(1000000000) is not allowed (at most 1,000)"),
    ("{% set s = 'x' * 100000 %}{% set s = s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s %}"
     "{% set s = s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s %}{{ s }}", TEXT),
    ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", "a macro that calls itself without end is not allowed"),
    ("{% for i in range(10) %}{% for j in range(1000) %}{{ 'y' * 99999 }}{% endfor %}{% endfor %}",
     "a form larger than 64 million characters is not allowed"),
]  # fmt: skip


@pytest.mark.parametrize("payload,why", PAYLOADS, ids=[p for p, _ in PAYLOADS])
def test_a_denial_of_service_payload_is_refused_with_exit_6(tmp_path, payload, why):
    path = template_with(tmp_path / "t.docx", payload)
    out = tmp_path / "x.docx"
    if why is None:
        assert F.render_document(path, {"name": "王强"}, out).exists()
        return
    with pytest.raises(TemplateError) as e:
        F.render_document(path, {"name": "王强"}, out)
    assert e.value.exit_code == 6
    assert str(e.value) == (
        f"{path}: expression refused ({why}); templates may only print fields, fix the template in Word"
    )
    assert not out.exists()


def test_ordinary_padding_loops_and_formats_still_render(tmp_path):
    path = template_with(
        tmp_path / "t.docx",
        "{{ '{0:>6}'.format(n) }}|{{ '%05d'|format(n) }}|{{ 'ab'.center(6, '*') }}|"
        "{% for i in range(3) %}{{ i }}{% endfor %}|{{ 2 ** 64 }}",
    )
    out = F.render_document(path, {"name": "x", "n": 42}, tmp_path / "x.docx")
    assert Document(out).paragraphs[1].text == "    42|00042|**ab**|012|18446744073709551616"


def test_forms_render_refuses_a_padding_bomb_in_a_home_template_with_exit_6(cli, home, tmp_path):
    """The 1 GB document.xml written with exit 0: now exit 6 naming the template, nothing written."""
    from tests.test_forms_cli import START_HEADER, START_ROW, write_csv

    target = home.templates_dir / "开工报告.docx"
    doc = Document(target)
    doc.add_paragraph("{{ 'x'.center(1000000000) }}")
    doc.save(target)
    data = write_csv(tmp_path / "start.csv", START_HEADER, START_ROW)
    r = cli("forms", "render", "start_report", "--data", str(data), "--out", str(tmp_path / "o"))
    assert r.exit_code == 6
    assert r.stderr == (
        f"Error: {target}: expression refused ({TEXT}); templates may only print fields, fix the template in Word\n"
    )
    assert not any((tmp_path / "o").glob("*.docx"))


def test_a_render_past_its_time_is_refused(monkeypatch):
    """Loops the other bounds allow still end: each sandbox check looks at the render's clock."""
    from jinja2.exceptions import SecurityError

    from dangan.archive.forms import limits
    from dangan.archive.forms.sandbox import sandboxed_env

    template = sandboxed_env().from_string("{% for c in 'abc' %}{{ c.upper() }}{% endfor %}")
    assert template.render() == "ABC"
    monkeypatch.setattr(limits, "MAX_SECONDS", -1.0)  # every render is already late
    with pytest.raises(SecurityError, match=r"^rendering one form took longer than -1 seconds$"):
        template.render()
