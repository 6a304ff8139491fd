"""Satisfaction statistics from the surveys filed: by indicator, customer class, quarter, year.

Each survey (a filed record of the service centres' 顾客满意度调查表 item dated in the year)
gives per indicator the mean of its questions' scores (4 很满意 … 1 不满意), taken from the data
row it was rendered from, else read from its text.  An indicator's figure is the mean over the
surveys that answered it, and its 满意率 the share of answers scoring 3 (满意) or more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dangan.archive.catalog import Catalog
from dangan.archive.customers.answers import INDICATORS, SATISFIED, answers_from_row, answers_from_text
from dangan.archive.customers.linking import form_data
from dangan.archive.customers.register import list_customers
from dangan.archive.customers.year import kind_of
from dangan.archive.deadlines.duelist import deadline_projects
from dangan.archive.deadlines.obligations import service_records
from dangan.archive.registers.xlsx import safe_row
from dangan.indexer.errors import InputFileError


@dataclass
class Survey:
    """One filed survey's answers."""

    doc_id: int
    day: date
    customer: str | None
    klass: str
    answers: dict[str, list[int]]

    @property
    def quarter(self) -> str:
        return f"Q{(self.day.month - 1) // 3 + 1}"


@dataclass
class Figure:
    """Mean score, number of surveys and 满意率 of one group of answers."""

    mean: float | None
    surveys: int
    satisfied: float | None  # share of answers ≥ 3, 0…1

    def to_json(self) -> dict:
        return {"mean": self.mean, "surveys": self.surveys, "satisfied": self.satisfied}


@dataclass
class Satisfaction:
    """The year's statistics: per indicator overall, by class and by quarter."""

    year: int
    surveys: list[Survey]
    overall: dict[str, Figure] = field(default_factory=dict)
    by_class: dict[str, dict[str, Figure]] = field(default_factory=dict)
    by_quarter: dict[str, dict[str, Figure]] = field(default_factory=dict)

    def to_json(self) -> dict:
        def table(t):
            return {k: {i: f.to_json() for i, f in v.items()} for k, v in t.items()}

        return {"year": self.year, "surveys": len(self.surveys),
                "overall": {i: f.to_json() for i, f in self.overall.items()},
                "by_class": table(self.by_class), "by_quarter": table(self.by_quarter)}  # fmt: skip


def figure(surveys: list[Survey], indicator: str) -> Figure:
    """The figure of ``indicator`` over ``surveys`` (those that answered it)."""
    answered = [s.answers[indicator] for s in surveys if s.answers.get(indicator)]
    if not answered:
        return Figure(None, 0, None)
    means = [sum(a) / len(a) for a in answered]
    flat = [x for a in answered for x in a]
    return Figure(
        round(sum(means) / len(means), 2), len(answered), round(sum(x >= SATISFIED for x in flat) / len(flat), 4)
    )


def filed_surveys(cat: Catalog, year: int) -> list[Survey]:
    """Every survey filed in a service centre and dated in ``year``."""
    classes = {c.id: c.klass(year) for c in list_customers(cat)}
    found = []
    for project in deadline_projects(cat):
        titles = {i.code: i.title for i in project.checklist.items}
        docs = [
            d
            for d in service_records(cat, project)
            if d.day.year == year and kind_of(titles.get(d.item, "")) == "surveys"
        ]
        rows = form_data(cat, [d.id for d in docs])
        for d in docs:
            answers = answers_from_row(rows[d.id]) if d.id in rows else answers_from_text(cat.text(d.id))
            if answers:
                found.append(Survey(d.id, d.day, d.customer, classes.get(d.customer_id or -1, "一般"), answers))
    return sorted(found, key=lambda s: (s.day, s.doc_id))


def satisfaction(cat: Catalog, year: int) -> Satisfaction:
    """The statistics of ``year``'s surveys."""
    surveys = filed_surveys(cat, year)
    out = Satisfaction(year, surveys)
    groups: dict[str, dict[str, list[Survey]]] = {"class": defaultdict(list), "quarter": defaultdict(list)}
    for s in surveys:
        groups["class"][s.klass].append(s)
        groups["quarter"][s.quarter].append(s)
    for indicator in INDICATORS:
        out.overall[indicator] = figure(surveys, indicator)
    for k in ("重点", "一般"):
        out.by_class[k] = {i: figure(groups["class"].get(k, []), i) for i in INDICATORS}
    for q in ("Q1", "Q2", "Q3", "Q4"):
        out.by_quarter[q] = {i: figure(groups["quarter"].get(q, []), i) for i in INDICATORS}
    return out


def write_xlsx(stats: Satisfaction, path: Path) -> Path:
    """The statistics as a workbook: one sheet of figures, one of the surveys they come from."""
    from openpyxl import Workbook  # only this export needs it

    wb = Workbook()
    ws = wb.active
    ws.title = f"{stats.year}年满意度"
    ws.append(
        [
            "指标",
            "全年平均分",
            "调查份数",
            "满意率",
            "重点顾客平均分",
            "一般顾客平均分",
            "一季度",
            "二季度",
            "三季度",
            "四季度",
        ]
    )
    for i, f in stats.overall.items():
        ws.append([i, f.mean, f.surveys, f.satisfied, stats.by_class["重点"][i].mean, stats.by_class["一般"][i].mean,
                   *(stats.by_quarter[q][i].mean for q in ("Q1", "Q2", "Q3", "Q4"))])  # fmt: skip
    detail = wb.create_sheet("调查表")
    detail.append(["文件号", "日期", "顾客", "类别", *INDICATORS])
    for s in stats.surveys:
        detail.append(safe_row([s.doc_id, s.day.isoformat(), s.customer, s.klass,
                       *(round(sum(v) / len(v), 2) if (v := s.answers.get(i)) else None for i in INDICATORS)]))  # fmt: skip
    try:
        wb.save(path)
    except OSError as e:
        raise InputFileError(
            "cannot write {path}: {reason}; choose a folder you can write to",
            path=str(path),
            reason=e.strerror or str(e),
        ) from e
    return path
