"""Rendering through docxtpl itself, for what the compiled engine does not compile.

The compiled engine (:mod:`dangan.archive.forms.engine`) writes only the XML parts it renders.
Pictures made with ``InlineImage``, sub-documents (``Subdoc``), rich text with hyperlinks
and docxtpl's replacements (``replace_pic``, ``replace_media``, ``replace_embedded``,
``replace_zipname``) add media, relationships, styles and content types to the package:
such a document is rendered by ``DocxTemplate.render(context, env, autoescape=True)`` and
``save`` – correct first, then fast.  The environment is the same sandbox as the compiled
engine's.

:class:`Renderer` picks the path per document: docxtpl when the template is a prepared
``DocxTemplate`` or the context holds one of those objects; the compiled engine otherwise,
including image fields of the manifest (:mod:`dangan.archive.forms.pictures`) unless a picture
sits where only docxtpl places it (a header, say).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2.exceptions import SecurityError

from dangan.archive.forms.engine import CompiledTemplate, bind_values, open_docx
from dangan.archive.forms.images import ImageField
from dangan.archive.forms.pictures import NeedsDocxtpl
from dangan.archive.forms.sandbox import refused
from dangan.indexer.errors import UsageError

_MAX_DEPTH = 20  # contexts are fields, lists of rows and their sub-fields; deeper is hostile


class Renderer:
    """A template rendered by the compiled engine where it can, by docxtpl where it must.

    ``template`` is a .docx path or a ``DocxTemplate`` the caller prepared (replacements,
    hyperlinks from ``build_url_id``, ``new_subdoc``); the latter always renders via docxtpl.
    """

    def __init__(self, template: Any, env):
        self.env = env
        self._tpl = template if _is_docxtpl(template) else None
        if self._tpl is not None:
            self.path = Path(str(getattr(self._tpl, "template_file", "template")))
            self.compiled = None
        else:
            self.path = Path(template)
            self.compiled = CompiledTemplate(self.path, env)

    @property
    def sources(self):
        """The compiled template's sources (for checks); empty for a prepared DocxTemplate."""
        return self.compiled.sources if self.compiled else []

    def write(self, context: Mapping[str, Any], out: Path) -> None:
        """Render ``context`` into ``out`` (the caller makes it atomic)."""
        if self.compiled is not None and not self.compiled.needs_docxtpl:
            kinds = {_kind(v) for v in _values(context)} - {None}
            if not kinds:
                self.compiled.write(context, out)
                return
            if kinds == {"picture"}:  # only image fields: the compiled engine places them
                try:
                    self.compiled.write_with_pictures(context, out)
                    return
                except NeedsDocxtpl:
                    pass
        tpl = self._template_for(context)
        ready = bind_values(context, lambda v: _inline(tpl, v))
        try:
            tpl.render(ready, self.env, autoescape=True)
        except SecurityError as e:
            raise refused(self.path, e) from e
        tpl.save(str(out))

    def _template_for(self, context: Mapping[str, Any]):
        """The DocxTemplate to render through: the caller's, the one the context's objects
        were made with (for the same file), or a fresh one."""
        if self._tpl is not None:
            return self._tpl
        bound = {id(t): t for t in (getattr(v, "tpl", None) for v in _values(context) if _kind(v)) if t is not None}
        for tpl in bound.values():
            if _same_file(tpl, self.path):
                return tpl
        kinds = {_kind(v) for v in _values(context)}
        if "subdoc" in kinds:
            raise UsageError(f"{self.path}: a sub-document was made with another template's new_subdoc(); "
                             "make it with the DocxTemplate being rendered and pass that as the template")  # fmt: skip
        if "link" in kinds:  # its relationship lives in a DocxTemplate we were not given
            raise UsageError(f"{self.path}: rich text with a hyperlink needs the DocxTemplate whose build_url_id() "
                             "made the link; pass that DocxTemplate as the template")  # fmt: skip
        helper, _doc = open_docx(self.path)
        return helper


def _is_docxtpl(obj: Any) -> bool:
    from docxtpl import DocxTemplate

    return isinstance(obj, DocxTemplate)


def _kind(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) or value is None:  # nearly every value: answer fast
        return None
    if isinstance(value, ImageField):
        return "picture"
    image, subdoc, rich = _docxtpl_types()
    if isinstance(value, image):
        return "image"
    if isinstance(value, subdoc):
        return "subdoc"
    if isinstance(value, rich) and "<w:hyperlink" in value.xml:
        return "link"
    return None


@functools.cache
def _docxtpl_types() -> tuple[type, type, tuple[type[Any], type[Any]]]:
    from docxtpl import InlineImage, RichText, RichTextParagraph
    from docxtpl.subdoc import Subdoc

    return InlineImage, Subdoc, (RichText, RichTextParagraph)


def _values(value: Any, depth: int = 0):
    """Every value in a context, through dicts, lists and tuples."""
    if depth > _MAX_DEPTH:
        raise UsageError(f"the data is nested more than {_MAX_DEPTH} levels deep; flatten it")
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _values(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _values(v, depth + 1)
    else:
        yield value


def _inline(tpl, value: Any) -> Any:
    """An image field (or an InlineImage made with another template) as an InlineImage of ``tpl``."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    if isinstance(value, ImageField):
        width = Mm(value.width_mm) if value.width_mm else None
        height = Mm(value.height_mm) if value.height_mm else None
        return InlineImage(tpl, value.path, width=width, height=height)
    if isinstance(value, InlineImage) and value.tpl is not tpl:
        return InlineImage(tpl, value.image_descriptor, value.width, value.height, value.anchor)
    return value


def _same_file(tpl, path: Path) -> bool:
    try:
        return Path(str(tpl.template_file)).resolve() == path.resolve()
    except (OSError, TypeError):
        return False
