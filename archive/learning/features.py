"""The words a document is known by, for the learned model.

The same analysis the search index uses (``dangan.indexer.analysis``: folded text, CJK bigrams,
Latin words) so the model and search read a document alike.  A form's printed title says
what it is, so tokens of the first short lines are repeated with a ``^`` mark, and tokens of
the file name with an ``@`` mark: the model can weigh them apart from body words.
"""

from __future__ import annotations

import re

from dangan.indexer.analysis import token_texts
from dangan.indexer.text import fold

# Forms put what decides in their first page; the tail of a 200-page report adds time, not
# evidence.  Training and prediction read the same prefix.
MAX_CHARS = 6000
TITLE_LINES = 5
TITLE_MAX_CHARS = 30
_SPACE = re.compile(r"\s+")


def document_tokens(name: str, text: str) -> list[str]:
    """Body tokens, title-zone tokens marked ``^`` and file-name tokens marked ``@``."""
    text = (text or "")[:MAX_CHARS]
    tokens = list(token_texts(fold(text), 2))
    tokens += ["^" + t for t in token_texts(fold(_title_zone(text)), 2)]
    stem = (name or "").rsplit(".", 1)[0]
    tokens += ["@" + t for t in token_texts(fold(stem), 2)]
    return tokens


def _title_zone(text: str) -> str:
    """The short lines among the first few non-empty ones: where a form prints its title."""
    lines = [_SPACE.sub("", ln) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln][:TITLE_LINES]
    return "\n".join(ln for ln in lines if len(ln) <= TITLE_MAX_CHARS)
