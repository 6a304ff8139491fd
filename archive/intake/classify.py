"""Classification: which project, checklist item and responsible person a document is for.

Chinese has no spaces between words, so matching is plain substring search on text folded
to Simplified characters with whitespace removed (OCR often puts spaces between characters);
no ``\\b`` regexes.  Each item is scored by where its keywords appear: the file name and the
heading weigh most, body mentions a little.  A weak or tied best score sends the document
to review with its best three suggestions instead of a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dangan.archive.checklist import Item
from dangan.archive.intake.dates import document_date
from dangan.archive.projects import Project
from dangan.indexer.text import fold as fold_chars

FILENAME_WEIGHT = 5
HEADING_WEIGHT = 4
BODY_CAP = 3  # body mentions count at most this much: a long report cites other documents
HEADING_LINES = 5  # a document's kind is printed in one of its first lines…
HEADING_MAX_CHARS = 30  # …and a heading is short; longer lines are body text
STRONG_SCORE = 4  # a score this high is a clear signal on its own


@dataclass
class Suggestion:
    """A candidate item with its score."""

    item: str
    title: str
    score: float

    def to_json(self) -> dict:
        return {"item": self.item, "title": self.title, "score": self.score}


@dataclass
class Classification:
    """The classifier's verdict for one document on one project."""

    item: Item | None
    confidence: float
    suggestions: list[Suggestion] = field(default_factory=list)
    reason: str = ""


_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[，。；！？,;]")


def fold(text: str) -> str:
    """The search fold (Traditional → Simplified, full-width → ASCII, lower case), whitespace
    removed: the form all matching happens in, so the classifier reads text as search does."""
    return _SPACE.sub("", fold_chars(text or ""))


def score_item(item: Item, name: str, heading: str, body: str) -> float:
    """How strongly the folded name/heading/body point at ``item``."""
    keywords = [fold(k) for k in item.keywords]
    score = 0.0
    if any(k in name for k in keywords):
        score += FILENAME_WEIGHT
    if any(k in heading for k in keywords):
        score += HEADING_WEIGHT
    score += min(BODY_CAP, sum(body.count(k) for k in keywords))
    return score


def classify_item(project: Project, file_name: str, text: str, *, min_confidence: float = 0.5) -> Classification:
    """Pick the checklist item, or none (→ review) when the evidence is weak or tied."""
    name = fold(file_name.rsplit(".", 1)[0])
    body = fold(text)
    heading = heading_lines(text)
    scored = sorted(
        ((score_item(it, name, heading, body), it) for it in project.checklist.items),
        key=lambda si: (-si[0], si[1].position),
    )
    suggestions = [Suggestion(it.code, it.title, s) for s, it in scored[:3] if s > 0]
    best, second = scored[0][0], scored[1][0] if len(scored) > 1 else 0.0
    if best <= 0:
        return Classification(None, 0.0, suggestions, "no checklist item's words found in the name or text")
    confidence = (best - second) / best * min(1.0, best / STRONG_SCORE)
    if best == second:
        return Classification(None, 0.0, suggestions, f"tie between {scored[0][1].code} and {scored[1][1].code}")
    if confidence < min_confidence:
        return Classification(None, round(confidence, 2), suggestions, "evidence too weak to file without a person's look")
    return Classification(scored[0][1], round(confidence, 2), suggestions)


def heading_lines(text: str) -> str:
    """The short lines among the first few: where forms print their title."""
    lines = [fold(ln) for ln in (text or "").splitlines()]
    lines = [ln for ln in lines if ln][:HEADING_LINES]
    # A sentence (it has ，。；) is body text even when short: "根据施工合同约定，…"
    return "\n".join(ln for ln in lines if len(ln) <= HEADING_MAX_CHARS and not _SENTENCE.search(ln))


def find_project_code(codes: list[str], file_name: str, text: str) -> str | None:
    """A known project code named in the file name or text (longest wins: BJ-1 vs BJ-12)."""
    haystack = f"{file_name}\n{text}".upper()
    hits = [c for c in codes if c.upper() in haystack]
    return max(hits, key=len) if hits else None


def find_project(projects: list[Project], file_name: str, text: str) -> tuple[str | None, str]:
    """The project a document names: by code, else by name (滨江雅苑5号楼); (None, why) otherwise.

    A name counts only when exactly one project's name appears (the longest when one name
    contains another); two different projects named means a person must decide.
    """
    code = find_project_code([p.code for p in projects], file_name, text)
    if code is not None:
        return code, ""
    haystack = fold(f"{file_name}\n{text}")
    hits = [p for p in projects if len(fold(p.name)) >= 2 and fold(p.name) in haystack]
    hits = [p for p in hits if not any(q is not p and fold(p.name) in fold(q.name) for q in hits)]
    if len(hits) == 1:
        return hits[0].code, ""
    if hits:
        named = ", ".join(f"{p.code} {p.name}" for p in hits)
        return None, f"the text names more than one project ({named}); file it by hand"
    return None, "no project given and no project code or name found in the name or text"


def find_date(text: str):
    """The document's own date (see :mod:`dangan.archive.intake.dates`: labelled and signature dates win)."""
    return document_date(text)[0]


def find_title(text: str, fallback: str, item: Item | None = None) -> str:
    """A short heading line from the text, else the file name without extension."""
    lines = [ln.strip() for ln in (text or "").splitlines()[:8]]
    lines = [ln for ln in lines if 2 <= len(ln) <= 40 and not _is_noise(ln)]
    if item is not None:
        # Prefer the line that names the document kind (the form's printed heading).
        for line in lines:
            if any(fold(k) in fold(line) for k in item.keywords):
                return line
    return lines[0] if lines else fallback


def _is_noise(line: str) -> bool:
    return bool(re.fullmatch(r"[\d\W_]+", line))
