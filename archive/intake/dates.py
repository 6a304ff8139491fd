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
A service record's kind, read from its title, says which label is its own
(:func:`~dangan.archive.customers.reading.own_date_labels`: a follow-up's 回访日期 over the
service day, a 派工单's 派工日期 over the 报修日期, a repair record's 完成日期); that label wins
over the other labelled and event dates.  A label qualified as another event (首次回访日期,
下次保养日期) is an event.  A label alone on the line above its date counts (a Word table
turned into one cell per line), and so do dates OCR spaced out (2026. 7. 3), a 民國 year
(民國115年3月2日; 115/05/21 only right after a date label) and a letter's 二〇二六年十月二十六日.
A 2-page PDF repeating its header lists each date twice: repeats are kept once.  The candidates
are kept in the catalog so ``dangan show`` can explain the choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from dangan.archive.customers.reading import DATE_QUALIFIERS, is_own_date_label, own_date_labels, unspace
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
    re.compile(r"(?<!\d)((?:19|20)\d{2}) ?[-./] ?(\d{1,2}) ?[-./] ?(\d{1,2})(?!\d)"),
)
# A 民國 year (+1911): 民國115年3月2日 always; 115/05/21 or 115.08.07 only after a date label.
_ROC = re.compile(
    r"((?:中华)?民国\s*)?(?<![\d./-])(\d{2,3})(?:\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|([./])(\d{1,2})\5(\d{1,2})(?![\d./]))"
)
_CN_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_CN_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_SENTENCE = re.compile(r"[,;。，；！？!?]")  # a line with these is a sentence, not a signature
_LABEL_BEFORE = re.compile(r"([\u4e00-\u9fff]{0,8})[ \t]*[:：;；|]?[ \t]*$")
_LABEL_LINE = re.compile(r"[ \t|]*([\u4e00-\u9fff]{2,10})[ \t]*[:：;；]?[ \t|]*")


@dataclass(frozen=True)
class Candidate:
    """One date found in a text, where and why it counts."""

    day: date
    kind: str  # label | signature | body | event
    label: str
    position: int  # character offset in the text
    written: str = field(default="", compare=False)  # the label as written (维修完成日期)

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
    folded = unspace(fold_chars(text or ""))
    signature_from = _signature_start(folded)
    found = [Candidate(start, "period", label, pos) for start, label, pos in covered_periods(folded, period)]
    for day, pos, needs_label in _dates_in(folded):
        kind, label, written = _kind(folded, pos, signature_from)
        if needs_label and kind not in ("label", "event"):
            continue
        found.append(Candidate(day, kind, label, pos, written))
    seen, unique = set(), []
    for c in sorted(found, key=lambda c: c.position):
        if (c.day, c.kind, c.label) not in seen:
            seen.add((c.day, c.kind, c.label))
            unique.append(c)
    return unique


def _dates_in(folded: str) -> Iterator[tuple[date, int, bool]]:
    """(day, offset, whether it counts only after a label) for each date written in the text."""
    raw: list[tuple[int, int, int, int, bool]] = []
    for pat in _DATE_PATTERNS:
        raw += [(int(m[1]), int(m[2]), int(m[3]), m.start(), False) for m in pat.finditer(folded)]
    for m in _ROC.finditer(folded):
        month, day = (m[3], m[4]) if m[3] else (m[6], m[7])
        if m[1] or len(m[2]) == 3:  # a bare 2-digit year is more likely 26.3.5 (2026) than 民國
            raw.append((int(m[2]) + 1911, int(month), int(day), m.start(), not m[1]))
    for m in _CN_DATE.finditer(folded):
        year = int("".join(str(_CN_DIGITS[c]) for c in m[1]))
        raw.append((year, _cn_number(m[2]), _cn_number(m[3]), m.start(), False))
    for year, month, day, pos, needs_label in raw:
        if not 1900 <= year <= 2100:
            continue
        try:
            yield date(year, month, day), pos, needs_label
        except ValueError:
            continue


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十六 → 26 (a month or day in Chinese numerals)."""
    tens, ten, units = text.partition("十")
    if not ten:
        return _CN_DIGITS.get(text, 0)
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


def choose(found: list[Candidate], own: Sequence[str] = ()) -> Candidate | None:
    """The document's own date among the candidates (see the module docstring for the order).

    ``own``: a service record's own date labels, most preferred first; the first of them
    written on the form wins over every candidate but a covered period.
    """
    if not found:
        return None
    best = max(c.score for c in found)
    if best < SCORES["period"]:
        for label in own:
            hit = next((c for c in found if c.written and is_own_date_label(c.written, label)), None)
            if hit is not None:
                return hit
    top = [c for c in found if c.score == best]
    if top[0].kind == "signature":
        return max(top, key=lambda c: (c.day, c.position))
    return top[0]


def document_date(text: str, period: str = "") -> tuple[date | None, list[dict]]:
    """The chosen date and the candidates as stored in the catalog (the chosen one marked).

    ``period``: the item's period (a weekly or monthly record is dated by the period it covers).
    """
    found = candidates(text, period)
    own = own_date_labels(text)
    chosen = choose(found, own)
    kept = sorted(found, key=lambda c: (-c.score, c.position))[:MAX_KEPT]
    if chosen is not None and chosen not in kept:
        kept[-1] = chosen  # an event date chosen as the form's own is kept to be explained
    rows = [{**c.to_json(), "chosen": c is chosen} for c in kept]
    if chosen is not None and chosen.kind != "period" and any(is_own_date_label(chosen.written, lb) for lb in own):
        next(r for r in rows if r["chosen"])["own"] = chosen.written
    return (chosen.day if chosen else None), rows


def explain(rows: list[dict]) -> str:
    """One line saying why the chosen candidate won, for ``dangan show``."""
    chosen = next((r for r in rows if r.get("chosen")), None)
    if chosen is None:
        return "no date found in the text; the filing day was used"
    if chosen.get("own"):  # a service record's own date label for its kind (see own_date_labels)
        return f"{chosen['date']} (labelled {chosen['own']}, this kind of form's own date; {len(rows) - 1} other candidate(s))"
    why = {
        "period": f"the first day of the period it covers ({chosen['label']})",
        "label": f"labelled {chosen['label']}",
        "signature": "in the signature block",
        "body": "the first date in the text",
        "event": f"only an event date ({chosen['label']}) was found",
    }[chosen["kind"]]
    others = len(rows) - 1
    return f"{chosen['date']} ({why}; {others} other candidate(s))"


def _kind(folded: str, start: int, signature_from: int) -> tuple[str, str, str]:
    """(kind, label, label as written) of the date at ``start``."""
    label = _label_before(folded, start)
    own = [lb for lb in DOCUMENT_LABELS if is_own_date_label(label, lb)] if label else []
    if own:
        return "label", own[0], label
    if label == "日期":
        return "label", "日期", label
    if label.endswith(("日期", "时间")) or label.startswith(DATE_QUALIFIERS):  # 下次巡检 2026.08.03
        return "event", label, label
    if start >= signature_from and _line_is_short(folded, start):
        return "signature", "", label
    return "body", "", label


def _label_before(folded: str, start: int) -> str:
    """The label written before a date: on its line, else alone on the line above it."""
    line_start = folded.rfind("\n", 0, start) + 1
    before = folded[line_start:start]
    if before.strip(" \t|"):
        m = _LABEL_BEFORE.search(before)
        return m[1] if m else ""
    above_end = line_start - 1
    while above_end > 0:
        above_start = folded.rfind("\n", 0, above_end) + 1
        line = folded[above_start:above_end]
        if line.strip(" \t|"):
            m = _LABEL_LINE.fullmatch(line)
            return m[1][-8:] if m and m[1].endswith(("日期", "时间")) else ""
        above_end = above_start - 1
    return ""


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
