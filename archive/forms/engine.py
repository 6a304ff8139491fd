"""The template engine: a .docx template parsed and compiled once, rendered into many files.

Rendering follows docxtpl's rules (``{{ tag }}``, ``{%tr for it in items %}`` …) with
autoescaping on, but each template is parsed and compiled once per process and every row is
written straight into a copy of the template's zip package: that is what makes a batch of a
thousand forms take seconds instead of minutes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dangan.archive.forms.package import CoreProps, base_zip, has_core_part, write_package
from dangan.archive.forms.pictures import PictureSlots, RowPictures
from dangan.archive.forms.sandbox import RefusedTemplate, refused, sandboxed_env
from dangan.indexer.errors import TemplateError


def plain_jinja_env():
    """The Jinja environment of every check: sandboxed, autoescape on (& < > print as such)."""
    return sandboxed_env()


@dataclass
class Source:
    """One part of a template as Jinja source, and where its lines sit in the document."""

    part: str  # zip member name, e.g. word/document.xml
    src: str
    paragraphs: list[tuple[str, str]]  # (location, text) of every paragraph of the part
    prefix: str = ""  # "header " etc.; empty for the body

    def place(self, line: int) -> str:
        """Where source line ``line`` (1-based) sits, as a person finds it in Word."""
        lines = self.src.split("\n")
        text = re.sub(r"<[^>]+>", "", lines[max(1, min(line, len(lines))) - 1]).strip()
        if not text:
            return f"{self.prefix}(between paragraphs)".strip()
        for where, para_text in self.paragraphs:
            if para_text and (text in para_text or para_text in text):
                return f'{self.prefix}{where} "{_short(text)}"'
        return f'{self.prefix}"{_short(text)}"'


class CompiledTemplate:
    """A .docx template read, patched and compiled once, then rendered into many files.

    It applies docxtpl's own preprocessing (``patch_xml``) and postprocessing
    (listing/newline handling, table-grid fixes, drawing ids) but writes each result straight
    into a copy of the template's zip, so the per-row cost is one Jinja render and one zip.
    """

    def __init__(self, path: Path, env=None):
        """``env``: the sandboxed Jinja environment (:func:`sandboxed_env`; a plain one by default)."""
        self.path = Path(path)
        self._helper, doc = open_docx(self.path)
        entries = _docx_content_types(zip_entries(self.path), doc)
        self.sources = template_sources(self.path, self._helper, doc, entries)
        self._head, self._tail = _split_document(doc)
        body = self.sources[0].src
        # A namespace declared below <w:body> (a Word 2010 paragraph id under a prefix the root
        # binds to another namespace): docxtpl puts the body back into python-docx's tree, and
        # lxml then writes it with the root's prefixes; splicing text would keep the local ones.
        self._root = _root_with_mark(doc) if _LOCAL_NAMESPACE.search(body.split(">", 1)[-1]) else None
        # docxtpl's table-grid and drawing-id fixes only change something when columns are
        # removed ({%tc %} or a {#tc #} comment) or drawings can repeat; skipping them
        # otherwise halves the cost.
        self._fix_tables = bool(re.search(r"\{[%#]-?\s*tc\b", _body_text(doc))) or "docPr" in body
        env = env or sandboxed_env()
        self._compiled = {}
        for s in self.sources:
            try:
                self._compiled[s.part] = env.from_string(s.src)
            except RefusedTemplate as e:
                raise refused(self.path, e) from e
            except jinja_syntax_error() as e:
                raise TemplateError(f"{self.path}: {syntax_message(s, e)}; fix the tag in Word") from e
        # Without docProps/core.xml python-docx (and so docxtpl) invents one, dated now:
        # such a template renders through docxtpl (see dangan.archive.forms.fallback).
        self.needs_docxtpl = not has_core_part(doc)
        try:
            self._core = None if self.needs_docxtpl else CoreProps(doc, env)
        except RefusedTemplate as e:
            raise refused(self.path, e) from e
        except jinja_syntax_error() as e:
            raise TemplateError(f"{self.path}: tag syntax error in the document properties: {e.message}") from e
        rendered = {s.part for s in self.sources} | {self._core.part if self._core else ""}
        self._base = base_zip(entries, rendered)
        self._slots = PictureSlots(doc, entries)
        self._base_pictures = base_zip(entries, rendered | self._slots.replaced)  # parts a row with pictures keeps

    def render(self, context: Mapping[str, Any], pictures: RowPictures | None = None) -> dict[str, bytes]:
        """The rendered parts (zip member -> bytes) for one context (whose image fields
        ``pictures`` places, see :meth:`write_with_pictures`)."""
        out = {}
        for s in self.sources:
            if pictures is not None:
                pictures.part = s.part
            xml = _postprocess(self._helper, self._compiled[s.part].render(context))
            if s.part == self._main_part:
                fix = self._fix_tables or (pictures is not None and pictures.added)
                body = _fix_body(self._helper, xml) if fix else xml
                xml = _in_document(self._root, body) if self._root is not None else self._head + body + self._tail
            else:
                xml = _XML_DECL + xml
            out[s.part] = xml.encode("utf-8")
        if self._core:
            out[self._core.part] = self._core.render(context)
        return out

    @property
    def _main_part(self) -> str:
        return self.sources[0].part

    def write(self, context: Mapping[str, Any], out: Path) -> None:
        """Render ``context`` into the .docx ``out`` (the caller makes it atomic).

        The unchanged parts were compressed once into ``_base``; each form copies those bytes
        and appends only its rendered parts, instead of recompressing styles, theme and fonts.
        """
        out.write_bytes(write_package(self._base, self.render(context)))

    def write_with_pictures(self, context: Mapping[str, Any], out: Path) -> None:
        """:meth:`write` for a context holding image fields: each picture is added to the
        package as docxtpl adds it (raises NeedsDocxtpl for what only docxtpl does)."""
        pictures = RowPictures(self._slots)
        rendered = self.render(bind_values(context, pictures.bind), pictures)
        rendered.update(pictures.parts())
        out.write_bytes(write_package(self._base_pictures, rendered))


def bind_values(value: Any, fn) -> Any:
    """``value`` with every leaf passed through ``fn`` (dicts, lists and tuples rebuilt)."""
    if isinstance(value, Mapping):
        return {k: bind_values(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [bind_values(v, fn) for v in value]
    if isinstance(value, tuple):
        return tuple(bind_values(v, fn) for v in value)
    return fn(value)


def _body_text(doc) -> str:
    """The body's text with the XML removed, so a tag Word split across runs still reads whole."""
    from lxml import etree

    return re.sub(r"<[^>]+>", "", etree.tostring(doc.element.body, encoding="unicode"))


_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BODY_MARK = "dangan-body-mark"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_LOCAL_NAMESPACE = re.compile(r"<[\w:]+\s[^>]*\bxmlns:")  # an element (below the body) declaring a prefix


def jinja_syntax_error():
    from jinja2 import TemplateSyntaxError

    return TemplateSyntaxError


def open_docx(path: Path):
    """docxtpl's helper object (for its XML fixes) and the parsed document."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    helper = DocxTemplate(str(path))
    try:
        helper.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as e:
        raise TemplateError(f"{path}: not a Word .docx file ({e}); save it from Word as .docx") from e
    except OSError as e:
        raise TemplateError(f"{path}: cannot be read ({e})") from e
    return helper, helper.docx


def zip_entries(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def template_sources(path: Path, helper, doc, entries) -> list[Source]:
    """The body, then every header, footer and footnote part that holds a tag, as Jinja source."""
    from docx.oxml import parse_xml

    body_xml = helper.xml_to_string(doc.element.body)
    main = doc.part.partname.lstrip("/")
    sources = [_source(helper, main, body_xml, doc.element.body, "")]
    names = {info.filename for info, _ in entries}
    for rel in doc.part.rels.values():
        if rel.is_external or rel.reltype not in _EXTRA_PART_TYPES:
            continue
        part = rel.target_part
        name = part.partname.lstrip("/")
        if name not in names:
            continue
        element = parse_xml(part.blob)
        xml = helper.xml_to_string(element)
        src = _source(helper, name, xml, element, _EXTRA_PART_TYPES[rel.reltype] + " ")
        if re.search(r"\{[{%#]", src.src):
            sources.append(src)
    return sources


_EXTRA_PART_TYPES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header": "header",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer": "footer",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes": "footnotes",
}


def _source(helper, part: str, xml: str, element, prefix: str) -> Source:
    """docxtpl's preprocessing of one part; every paragraph starts a new source line, so a
    Jinja line number leads back to a paragraph."""
    src = re.sub(r"<w:p([ >])", r"\n<w:p\1", helper.patch_xml(xml))
    return Source(part=part, src=src, paragraphs=list(_paragraph_places(element)), prefix=prefix)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _paragraph_places(element) -> Iterable[tuple[str, str]]:
    """(location, text) of every paragraph: "table 2, row 3, cell 1" or "paragraph 5"."""
    from docx.oxml.ns import qn

    body_paras = 0
    # Keyed by the elements themselves: holding them keeps lxml's proxies (and so their
    # identity) alive while we look them up.
    tables = {t: n for n, t in enumerate(element.iter(qn("w:tbl")), 1)}
    for p in element.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        tc = next((a for a in p.iterancestors(qn("w:tc"))), None)
        if tc is None:
            body_paras += 1
            yield f"paragraph {body_paras}", text
            continue
        # Through ancestors, not parents: rows may sit inside content controls (w:sdt).
        tr = next(tc.iterancestors(qn("w:tr")))
        tbl = next(tr.iterancestors(qn("w:tbl")))
        row = _position(tbl.iter(qn("w:tr")), tr)
        cell = _position(tr.iter(qn("w:tc")), tc)
        yield f"table {tables.get(tbl, '?')}, row {row}, cell {cell}", text


def _position(elements: Iterable, wanted) -> int | str:
    """1-based position of ``wanted`` among ``elements`` ("?" if it is not there)."""
    return next((n for n, e in enumerate(elements, 1) if e is wanted), "?")


def syntax_message(source: Source, e) -> str:
    return f"tag syntax error in {source.place(e.lineno or 1)}: {e.message}"


def _split_document(doc) -> tuple[str, str]:
    """The document part's XML before and after its body, so a rendered body can be spliced in."""
    from copy import deepcopy

    from lxml import etree

    root = deepcopy(doc.element)
    body = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body")
    root.replace(body, etree.Element(_BODY_MARK))
    xml = etree.tostring(root, encoding="unicode")
    head, tail = xml.split(f"<{_BODY_MARK}/>")
    return _XML_DECL + head, tail


def _docx_content_types(entries: list[tuple[zipfile.ZipInfo, bytes]], doc) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """The template's parts with ``[Content_Types].xml`` as python-docx writes it when docxtpl
    saves (one Default per extension, an Override per part): a template saved by Word or
    LibreOffice lists the same types in another way, and the output must be docxtpl's."""
    from docx.opc.pkgwriter import _ContentTypesItem  # python-docx's own writer of that part

    blob = _ContentTypesItem.from_parts(list(doc.part.package.iter_parts())).blob
    return [(info, blob if info.filename == "[Content_Types].xml" else data) for info, data in entries]


def _root_with_mark(doc):
    """A copy of the document element with a mark where the body goes (:func:`_in_document`)."""
    from copy import deepcopy

    from lxml import etree

    root = deepcopy(doc.element)
    root.replace(root.find(f"{{{_W}}}body"), etree.Element(_BODY_MARK))
    return root


def _in_document(root, body: str) -> str:
    """The rendered body put into the document element as docxtpl does (parsed leniently, then
    moved into the tree, where lxml rewrites its namespace prefixes), the whole part written."""
    from copy import deepcopy

    from lxml import etree

    tree = deepcopy(root)
    tree.replace(tree.find(_BODY_MARK), etree.fromstring(body, etree.XMLParser(recover=True)))
    return _XML_DECL + etree.tostring(tree, encoding="unicode")


def _postprocess(helper, xml: str) -> str:
    """docxtpl's steps after Jinja: paragraph joins, escaped-brace markers, newlines as breaks."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    # resolve_listing only rewrites tabs, line and page breaks in values: skip its regex
    # passes over the whole document when the rendered text has none.
    if any(c in xml for c in "\t\n\a\f"):
        xml = helper.resolve_listing(xml)
    return xml


def _fix_body(helper, xml: str) -> str:
    """docxtpl's table-grid and drawing-id fixes on a rendered body."""
    from lxml import etree

    tree = helper.fix_tables(xml)
    helper.docx_ids_index = 1000
    helper.fix_docpr_ids(tree)
    return etree.tostring(tree, encoding="unicode")
