"""A document's date: every date written in its text, scored, and the one that wins.

The first date in a text is often not the document's own: a 施工总结 quotes the start of works
before its 编制日期, a 开工报告 names the planned start before its 报告日期.  So each date found
is a candidate with a kind:

- ``period``: for a periodic record (a weekly table, a monthly report), the period it covers:
  统计周期 2026-09-14 至 09-20 dates it 2026-09-14, 报表月份 2026年9月 → 2026-09-01,
  2026年第三季度 → 2026-07-01 (the first day, so the record counts for that period);
- ``label``: right after a label that dates the document itself (编制日期, 签订日期, 日期 …),
  the record's own act (回访日期 on a 回访记录, 上报日期 on a 上报单) is one of these, and the
  service day or a planned start is not;
- ``signature``: in the signature block, a short line among the last lines of the text;
- ``body``: anywhere else (quoted dates);
- ``event``: after a label that names some other event (开工日期, 计划竣工日期 …).

A period beats a labelled date beats a signature date beats a body date beats an event date;
among labelled dates the first wins (the form's own field), among signature dates the latest.
A 2-page PDF repeating its header lists each date twice: repeats are kept once.  The candidates
are kept in the catalog so ``dangan show`` can explain the choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dangan.archive.periodtext import covered_periods
from dangan.indexer.text import fold as fold_chars

# Labels that date the document itself (folded to Simplified); "日期" alone counts too.
DOCUMENT_LABELS = (
    "编制日期",
    "报告日期",
    "签发日期",
    "验收日期",
    "填表日期",
    "填报日期",
    "签署日期",
    "签字日期",
    "记录日期",
    "出具日期",
    "发文日期",
    "审核日期",
    "审批日期",
    "交底日期",
    "会审日期",
    "检查日期",
    "评定日期",
    "测量日期",
    "试验日期",
    "报验日期",
    "派工日期",
    "成文日期",
    "编制时间",
    "报告时间",
    "签订日期",
    "申请日期",
    "编写日期",
    "回访日期",
    "上报日期",
    "出厂日期",
    "受理日期",
    "建档日期",
    "开票日期",
    "制表日期",
    "填写日期",
    "登记日期",
    "批准日期",
    "签收日期",
    "发布日期",
    "编写时间",
    "报送日期",
    # A service record's own act written as a time (回访时间 on a call, 上报时间 on a report)
    # and a 纠正和预防措施处理单's 发出日期: not the service day or a deadline it names.
    "回访时间",
    "上报时间",
    "发出日期",
)
SCORES = {"period": 5, "label": 4, "signature": 3, "body": 2, "event": 1}
SIGNATURE_LINES = 6  # the signature block is among the last lines…
SIGNATURE_MAX_CHARS = 30  # …and its lines are short
MAX_KEPT = 12  # candidates stored per document (a long log can hold hundreds of dates)

_DATE_PATTERNS = (
    re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})(?!\d)"),
)
_SENTENCE = re.compile(r"[,;。，；！？!?]")  # a line with these is a sentence, not a signature
_LABEL_BEFORE = re.compile(r"([\u4e00-\u9fff]{0,8})\s*[:：]?\s*$")


@dataclass(frozen=True)
class Candidate:
    """One date found in a text, where and why it counts."""

    day: date
    kind: str  # label | signature | body | event
    label: str
    position: int  # character offset in the text

    @property
    def score(self) -> int:
        return SCORES[self.kind]

    def to_json(self) -> dict:
        return {"date": self.day.isoformat(), "kind": self.kind, "label": self.label, "score": self.score}


def candidates(text: str, period: str = "") -> list[Candidate]:
    """Every plausible date in ``text`` in reading order (impossible dates like 2024-13-45 skipped).

    ``period`` (week, month, quarter) is the checklist item's: the periods the text names
    that fit it are candidates too.  A date repeated with the same kind and label (the header
    of every page) is kept once.
    """
    folded = fold_chars(text or "")
    signature_from = _signature_start(folded)
    found = [Candidate(start, "period", label, pos) for start, label, pos in covered_periods(folded, period)]
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(folded):
            try:
                day = date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                continue
            kind, label = _kind(folded, m.start(), signature_from)
            found.append(Candidate(day, kind, label, m.start()))
    seen, unique = set(), []
    for c in sorted(found, key=lambda c: c.position):
        if (c.day, c.kind, c.label) not in seen:
            seen.add((c.day, c.kind, c.label))
            unique.append(c)
    return unique


def choose(found: list[Candidate]) -> Candidate | None:
    """The document's own date among the candidates (see the module docstring for the order)."""
    if not found:
        return None
    best = max(c.score for c in found)
    top = [c for c in found if c.score == best]
    if top[0].kind == "signature":
        return max(top, key=lambda c: (c.day, c.position))
    return top[0]


def document_date(text: str, period: str = "") -> tuple[date | None, list[dict]]:
    """The chosen date and the candidates as stored in the catalog (the chosen one marked).

    ``period``: the item's period (a weekly or monthly record is dated by the period it covers).
    """
    found = candidates(text, period)
    chosen = choose(found)
    kept = sorted(found, key=lambda c: (-c.score, c.position))[:MAX_KEPT]
    rows = [{**c.to_json(), "chosen": c is chosen} for c in kept]
    return (chosen.day if chosen else None), rows


def explain(rows: list[dict]) -> str:
    """One line saying why the chosen candidate won, for ``dangan show``."""
    chosen = next((r for r in rows if r.get("chosen")), None)
    if chosen is None:
        return "no date found in the text; the filing day was used"
    why = {
        "period": f"the first day of the period it covers ({chosen['label']})",
        "label": f"labelled {chosen['label']}",
        "signature": "in the signature block",
        "body": "the first date in the text",
        "event": f"only an event date ({chosen['label']}) was found",
    }[chosen["kind"]]
    others = len(rows) - 1
    return f"{chosen['date']} ({why}; {others} other candidate(s))"


def _kind(folded: str, start: int, signature_from: int) -> tuple[str, str]:
    line_start = folded.rfind("\n", 0, start) + 1
    m = _LABEL_BEFORE.search(folded[line_start:start])
    label = m[1] if m else ""
    if label and any(label.endswith(lb) for lb in DOCUMENT_LABELS):
        return "label", next(lb for lb in DOCUMENT_LABELS if label.endswith(lb))
    if label == "日期":
        return "label", "日期"
    if label.endswith(("日期", "时间")):
        return "event", label
    if start >= signature_from and _line_is_short(folded, start):
        return "signature", ""
    return "body", ""


def _line_is_short(folded: str, pos: int) -> bool:
    start = folded.rfind("\n", 0, pos) + 1
    end = folded.find("\n", pos)
    line = folded[start : end if end >= 0 else len(folded)].strip()
    return len(line) <= SIGNATURE_MAX_CHARS and not _SENTENCE.search(line)


def _signature_start(folded: str) -> int:
    """Offset where the signature block begins: the last lines (none in a text under 4 lines)."""
    offsets = [m.start() for m in re.finditer(r"[^\n]*\S[^\n]*", folded)]
    if len(offsets) < 4:
        return len(folded) + 1  # a short note has no separate signature block
    return offsets[-min(SIGNATURE_LINES, len(offsets) // 2)]
