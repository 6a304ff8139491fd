"""The last reader for PDFs that both pypdf and PDFium refuse: pdfminer.six.

Some files viewers still open have a page tree neither main parser accepts (pypdf:
"Invalid object in /Pages", PDFium: "Data format error").  pdfminer.six falls back to
finding every ``/Type /Page`` object itself, so it can still read their text layer.  It
cannot render pages, so pages without a text layer stay empty (and are noted as such).
"""

from __future__ import annotations

import logging
from pathlib import Path

from dangan.indexer import limits
from dangan.indexer.errors import LimitError

# pdfminer logs each oddity it repairs; the library must not print (see pdf.py for pypdf).
logging.getLogger("pdfminer").addHandler(logging.NullHandler())
logging.getLogger("pdfminer").propagate = False


def pdfminer_pages(path: Path) -> list[str] | None:
    """The text of each page as pdfminer.six reads it, or None when it cannot read the file
    or finds no text at all (then the file really is unreadable).

    pdfminer finds pages by scanning for page objects, so the page count is only known
    while reading: past ``max_pages`` (and past ``seconds_per_file``) it stops with the same
    LimitError as the main readers.
    """
    from pdfminer.high_level import extract_pages  # imported here: only damaged files need it
    from pdfminer.layout import LTTextContainer

    pages: list[str] = []
    try:
        # maxpages: one more than the limit is enough to know the file is over it.
        for page in extract_pages(str(path), maxpages=limits.current().max_pages + 1):
            pages.append("".join(element.get_text() for element in page if isinstance(element, LTTextContainer)))
            limits.check_pages(path, len(pages), so_far=True)
            limits.check_time(path)
    except LimitError:
        raise
    except Exception:  # noqa: BLE001 - any failure of the last resort means "unreadable"; the caller raises
        return None
    return pages if any(p.strip() for p in pages) else None
