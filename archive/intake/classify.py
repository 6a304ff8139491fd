"""Classification: which project, checklist item and responsible person a document is for.

The classifier reads a document the way an archivist does.  Its own title says what it is;
words further down only say what it talks about.  So the text is cut into zones, read in
this order of weight:

1. the title zone: the short heading lines among the first few (not "label：value" fields,
   not sentences or numbered notes), plus a drawing's title block (图号 建施-03 → 建施, with
   the 竣工图 stamp → "建施竣工图");
2. the file name, which the sender wrote;
   Headings come before the form's fields: a short line after them is a table's header row;
3. form fields ("回访类别：第二次回访"): they tell neighbouring forms apart;
4. the body, which only counts a little (a 施工总结 cites every other item).

Inside a title, the head of a Chinese compound is at its end: in 施工方案技术交底 the document
is a 交底, in 重大投诉上报单 a 上报 (the longer overlapping word wins over the shorter one it
covers), in 塔吊租赁合同书 a lease.  A checklist also lists document kinds it does *not*
hold (``others``: 监理通知单, 租赁合同, 发票 …); a title headed by one of them belongs to no
item and goes to review saying so.

Matching is plain substring search on text folded to Simplified characters with whitespace
removed (OCR puts spaces between characters).  The result is a :class:`Scoring`: every
item's evidence (zone, word, weight, where), so ``dangan show`` and the review page can say
what decided, and so another score (a learned model) can be blended into it before
:func:`decide` picks the item or review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dangan.archive.checklist import Checklist, Item
from dangan.archive.intake.dates import document_date
from dangan.archive.projects import Project
from dangan.indexer.text import fold as fold_chars

# Weights per zone; each tier outweighs everything below it added together.
WEIGHTS = {"title": 8.0, "name": 4.0, "title-part": 2.5, "field": 2.0, "name-part": 1.0, "body": 1.0}
TITLE_LINES = 6  # the title is among the first lines…
TITLE_MAX_CHARS = 30  # …and short
FIELD_LABEL_CHARS = 8  # a table cell this short before a gap is a field's label
STRONG_SCORE = 4  # a file name alone, with nothing against it, is enough to file
# Words that join two document kinds as equals (施工日志与施工总结): neither is the head.
_COORDINATE = re.compile(r"^[与和及、或/]?$")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[，。；！？,;!?]")
_CELL_GAP = re.compile(r"\t|\s{2,}|\u3000")
_FIELD = re.compile(r"^[^:：]{1,12}[:：]")
_NUMBERED = re.compile(
    r"^(?:\d{1,2}[.、．)]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+、|第[一二三四五六七八九十\d]+[章节条])"
)
_SHEET = re.compile(r"图号[:：]?\s*([\u4e00-\u9fff]{1,2}施)\s*[-－—_]?\s*\d")
_STAMP = re.compile(r"^竣工图$|竣工图章")


@dataclass
class Suggestion:
    """A candidate item with its score and the evidence behind it."""

    item: str
    title: str
    score: float
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"item": self.item, "title": self.title, "score": self.score, "evidence": self.evidence}


@dataclass
class Classification:
    """The classifier's verdict for one document on one project."""

    item: Item | None
    confidence: float
    suggestions: list[Suggestion] = field(default_factory=list)
    reason: str = ""  # why it went to review (empty when filed)
    decided_by: str = ""  # the evidence that decided, for ``dangan show``


@dataclass(frozen=True)
class Evidence:
    """One reason to think a document is of an item: a word found in a zone."""

    zone: str  # title | title-part | name | name-part | field | body (| anything a blend adds)
    word: str
    weight: float
    where: str = ""  # the line or name it was found in

    def describe(self) -> str:
        place = {
            "title": "title",
            "title-part": "title (qualifier)",
            "name": "file name",
            "name-part": "file name (qualifier)",
            "field": "form field",
            "body": "body",
        }.get(self.zone, self.zone)
        return f"{place} '{self.where}' has {self.word}" if self.where else f"{place}: {self.word}"


@dataclass
class ItemScore:
    """An item's evidence; its score is the sum of the weights."""

    item: Item
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(e.weight for e in self.evidence), 2)

    @property
    def named(self) -> bool:
        """Whether the title or the file name names the item (body words alone never file)."""
        return any(
            e.zone in ("title", "name", "title-part", "name-part") or e.zone not in WEIGHTS for e in self.evidence
        )

    def suggestion(self) -> Suggestion:
        return Suggestion(self.item.code, self.item.title, self.score, [e.describe() for e in self.evidence])


@dataclass
class Scoring:
    """Every item's evidence for one document, and the not-on-the-list kinds its title names."""

    items: list[ItemScore]
    others: list[Evidence] = field(default_factory=list)  # heads naming a kind the checklist does not hold

    def ranked(self) -> list[ItemScore]:
        return sorted(self.items, key=lambda s: (-s.score, s.item.position))


def fold(text: str) -> str:
    """The search fold (Traditional → Simplified, full-width → ASCII, lower case), whitespace
    removed: the form all matching happens in, so the classifier reads text as search does."""
    return _SPACE.sub("", fold_chars(text or ""))


@dataclass(frozen=True)
class _Zones:
    titles: list[str]
    name: str
    fields: list[str]
    body: str


def zones(file_name: str, text: str) -> _Zones:
    """Cut a document into title lines, file name, field lines and body (all folded)."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    titles: list[str] = []
    fields: list[str] = []
    body: list[str] = []
    for n, line in enumerate(lines):
        f = fold(line)
        if _is_field(line, first=n == 0):
            fields.append(f)
        elif n < TITLE_LINES and not (titles and (fields or body)) and _is_heading(line, f, first=n == 0):
            titles.append(f)
        else:
            body.append(f)
    titles += drawing_titles(lines)
    return _Zones(titles, fold(file_name.rsplit(".", 1)[0]), fields, "\n".join(body))


def _is_field(line: str, *, first: bool = False) -> bool:
    """A form field: "label：value", or (below the first line) a label cell and a value cell
    ("回访类别 <tab> 第二次回访")."""
    if _FIELD.match(line.replace(" ", "")):
        return not _SENTENCE.search(re.split("[:：]", line, maxsplit=1)[0])
    label = _CELL_GAP.split(line, maxsplit=1)[0]
    return not first and label != line and 0 < len(label) <= FIELD_LABEL_CHARS and not _SENTENCE.search(label)


def _is_heading(line: str, folded: str, *, first: bool = False) -> bool:
    """A heading: short, not a sentence or a numbered note, not a table row (a Word table comes
    out as cells with gaps: "派工单号 <tab> PG1234", "日期  客户  …") unless it is the first line."""
    return (
        0 < len(folded) <= TITLE_MAX_CHARS
        and not _SENTENCE.search(folded)
        and not _NUMBERED.match(folded)
        and (first or not _CELL_GAP.search(line))
    )


def drawing_titles(lines: list[str]) -> list[str]:
    """A drawing's title from its title block: discipline of the sheet number and the stamp.

    图号 建施-03 with a 竣工图 stamp reads "建施竣工图"; without the stamp "建施施工图" (a
    construction drawing, not an as-built one).  The block sits anywhere on the sheet.
    """
    folded = [fold(ln) for ln in lines]
    sheet = next((m[1] for ln in folded if (m := _SHEET.search(ln))), None)
    if sheet is None:
        return []
    stamped = any(_STAMP.search(ln) for ln in folded)
    return [f"{sheet}{'竣工图' if stamped else '施工图'}"]


def _matches(line: str, words: dict[str, list]) -> list[tuple[int, int, str, object]]:
    """Every (start, end, word, owner) of the words in ``line``."""
    found: list[tuple[int, int, str, object]] = []
    for word, owners in words.items():
        start = line.find(word)
        while start >= 0:
            found.extend((start, start + len(word), word, o) for o in owners)
            start = line.find(word, start + 1)
    return found


def heads(line: str, words: dict[str, list]) -> list[tuple[str, object, bool]]:
    """(word, owner, is_head) for the words that survive in a title line.

    A word covered by a longer overlapping word is dropped (重大投诉 inside 重大投诉上报); of
    the rest, the ones ending last are the head, unless a conjunction joins them as equals.
    """
    found = _matches(line, words)
    kept = [m for m in found if not any(o[1] - o[0] > m[1] - m[0] and o[0] < m[1] and m[0] < o[1] for o in found)]
    if not kept:
        return []
    last = max(m[1] for m in kept)
    out = []
    for m in kept:
        later = [o for o in kept if o[0] >= m[1]]
        is_head = m[1] == last or any(_COORDINATE.match(line[m[1] : o[0]]) for o in later)
        out.append((m[2], m[3], is_head))
    return out


def score_items(checklist: Checklist, file_name: str, text: str) -> Scoring:
    """The evidence for every item of ``checklist`` (and for the kinds it does not hold)."""
    z = zones(file_name, text)
    words: dict[str, list] = {}
    for it in checklist.items:
        for k in {fold(k) for k in it.keywords}:
            words.setdefault(k, []).append(it)
    for k in {fold(k) for k in checklist.others}:
        words.setdefault(k, []).append(None)
    by_item = {it.code: ItemScore(it) for it in checklist.items}
    others: list[Evidence] = []
    for zone, lines in (("title", z.titles), ("name", [z.name])):
        for line in lines:
            for word, owner, is_head in heads(line, words):
                ev = Evidence(
                    zone if is_head else f"{zone}-part", word, WEIGHTS[zone if is_head else f"{zone}-part"], line
                )
                _add(by_item, others, owner, ev)
    for zone, lines in (("field", z.fields), ("body", [z.body])):
        for it in checklist.items:
            hit = next((k for k in it.keywords for line in lines if fold(k) in line), None)
            if hit:
                where = next(line for line in lines if fold(hit) in line)[:40] if zone == "field" else ""
                by_item[it.code].evidence.append(Evidence(zone, hit, WEIGHTS[zone], where))
    return Scoring(list(by_item.values()), others)


def _add(by_item: dict[str, ItemScore], others: list[Evidence], owner, ev: Evidence) -> None:
    """One title or name match: an item's evidence (the strongest per zone) or a foreign kind."""
    if owner is None:
        if ev.zone in ("title", "name"):
            others.append(ev)
        return
    mine = by_item[owner.code].evidence
    same = [e for e in mine if e.zone.split("-")[0] == ev.zone.split("-")[0]]
    if same and max(e.weight for e in same) >= ev.weight:
        return
    mine[:] = [e for e in mine if e not in same] + [ev]


def decide(scoring: Scoring, *, min_confidence: float = 0.5) -> Classification:
    """Pick the item, or none (→ review, with the reason) when the evidence does not decide."""
    ranked = scoring.ranked()
    suggestions = [s.suggestion() for s in ranked[:3] if s.score > 0]
    best = ranked[0] if ranked else None
    second = ranked[1].score if len(ranked) > 1 else 0.0
    foreign = _foreign(scoring, best)
    if foreign is not None:
        return Classification(
            None, 0.0, suggestions, f"a {foreign.where}: {foreign.word} is not an item of this checklist"
        )
    if best is None or best.score <= 0:
        return Classification(None, 0.0, suggestions, "no checklist item's words found in the name or text")
    if not best.named:
        words = "、".join(dict.fromkeys(e.word for e in best.evidence))
        return Classification(
            None,
            0.0,
            suggestions,
            f"neither the title nor the file name names an item; the text mentions {words} ({best.item.code})",
        )
    if best.score == second:
        tied = [s for s in ranked if s.score == best.score]
        return Classification(
            None,
            0.0,
            suggestions,
            f"tie between {tied[0].item.code} and {tied[1].item.code}: "
            + "; ".join(e.describe() for e in best.evidence[:2]),
        )
    margin = best.score - second
    confidence = round(margin / (margin + 1.5) * min(1.0, best.score / STRONG_SCORE), 2)
    decided_by = "; ".join(e.describe() for e in sorted(best.evidence, key=lambda e: -e.weight))
    if confidence < min_confidence:
        return Classification(
            None,
            confidence,
            suggestions,
            f"evidence too weak to file without a person's look ({best.item.code} by {decided_by}, "
            f"{ranked[1].item.code} close behind)",
        )
    return Classification(best.item, confidence, suggestions, "", decided_by)


def _foreign(scoring: Scoring, best: ItemScore | None) -> Evidence | None:
    """The not-on-the-list kind heading the title (or, with no title match, the file name)."""
    for zone in ("title", "name"):
        hit = next((e for e in scoring.others if e.zone == zone), None)
        item_here = best is not None and any(e.zone == zone for e in best.evidence)
        if hit is not None and not item_here:
            return hit
        if item_here:
            return None
    return None


def classify_item(project: Project, file_name: str, text: str, *, min_confidence: float = 0.5) -> Classification:
    """Pick the checklist item, or none (→ review) when the evidence is weak, tied or foreign."""
    return decide(score_items(project.checklist, file_name, text), min_confidence=min_confidence)


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
