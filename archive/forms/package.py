"""The .docx package side of the compiled engine: the zip written per form, the core properties.

The parts a template never renders are compressed once (:func:`base_zip`); each form copies
those bytes and appends only its rendered parts (:func:`write_package`).  The document
properties (``docProps/core.xml``: title, subject, author …) are rendered the way docxtpl
renders them: six text properties through Jinja, set back through python-docx, so the
output's core.xml is the one ``DocxTemplate.render`` + ``save`` writes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Any

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same data always gives the same bytes

# The properties docxtpl renders (DocxTemplate.render_properties), in its order; it leaves
# the others alone because python-docx cannot write them all back as text.
CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def base_zip(entries: list[tuple[zipfile.ZipInfo, bytes]], rendered: set[str]) -> bytes:
    """The template's parts that are never rendered, compressed once."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, blob in entries:
            if info.filename not in rendered:
                _add(zf, info.filename, blob)
    return buf.getvalue()


def write_package(base: bytes, rendered: Mapping[str, bytes]) -> bytes:
    """``base`` (from :func:`base_zip`) with the rendered parts appended: one .docx's bytes."""
    buf = io.BytesIO(base)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, data in rendered.items():
            _add(zf, name, data)
    return buf.getvalue()


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)


def has_core_part(doc) -> bool:
    """Whether the template has docProps/core.xml (python-docx invents one, dated now, if not)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        doc.part.package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return False
    return True


class CoreProps:
    """docProps/core.xml rendered per form exactly as docxtpl renders it.

    Only meaningful when :func:`has_core_part`; the caller routes other templates to docxtpl.
    """

    def __init__(self, doc, env):
        self._props = doc.core_properties
        self._part = doc.part.package.part_related_by(_core_rel())
        self.part = self._part.partname.lstrip("/")
        initial = {p: getattr(self._props, p) for p in CORE_PROPERTIES}
        self._compiled = {p: env.from_string(text) for p, text in initial.items()}
        # Without tags the result is the same for every form: serialise it once.
        self._fixed = None if any("{" in t for t in initial.values()) else self._render({})

    def render(self, context: Mapping[str, Any]) -> bytes:
        """The core.xml bytes for one context."""
        return self._fixed if self._fixed is not None else self._render(context)

    def _render(self, context: Mapping[str, Any]) -> bytes:
        for prop, template in self._compiled.items():
            setattr(self._props, prop, template.render(context))
        return self._part.blob


def _core_rel() -> str:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    return RT.CORE_PROPERTIES
