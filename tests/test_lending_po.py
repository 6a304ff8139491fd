"""The lending area's Chinese catalog: every translation keeps exactly its template's {fields}."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from dangan.indexer.messages import LOCALE_DIR

FIELD = re.compile(r"\{(\w+)\}")


def test_every_lending_translation_keeps_its_fields():
    with (LOCALE_DIR / "zh_CN" / "lending.po").open("rb") as fh:
        entries = [e for e in read_po(fh, locale="zh_CN") if e.id]
    assert len(entries) > 40
    wrong = [
        e.id for e in entries if set(FIELD.findall(str(e.id))) != set(FIELD.findall(str(e.string))) or not e.string
    ]
    assert wrong == []
