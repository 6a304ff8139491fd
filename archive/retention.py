"""保管期限 that runs out: each record's period in years, the year it expires, and legal holds.

A record's 保管期限 is what the archivist set, else its checklist item's
(:func:`dangan.archive.volumes.metadata.retention_of`).  永久 never expires; 长期 and 短期 are
the DA/T 22 periods D30 and D10, as years configurable in dangan.toml
(``[retention] long_years`` / ``short_years``).  When the period starts is the checklist's
``retention_start``: the year after filing (the document date's year + 1, else the filing
year's; the default), or the year after the project's 竣工 (``completion``) or close
(``close``) date, set with ``dangan retention dates``; until that date is set the period has
not started and nothing of the project falls due.  An approved 延长 sets the record's
own last year (``documents.keep_until``); a record an appraisal opened (开放) is kept and is
not listed again.

A hold (冻结) on a project or a document stops it being appraised for destruction, disposed
of, or emptied from the trash until it is released.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import insert, select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.projects import ProjectCache
from dangan.archive.schema import holds, projects
from dangan.archive.volumes.metadata import retention_of
from dangan.indexer.errors import ConfigError, ConflictError, NotFoundError, UsageError

DEFAULT_YEARS = {"长期": 30, "短期": 10}
DESTROYED = "destroyed"  # status of a record whose bytes were disposed of (已销毁)


def period_years(cat: Catalog) -> dict[str, int]:
    """Years of 长期 and 短期 from dangan.toml ``[retention]``, else DA/T 22's 30 and 10."""
    years = {}
    for name, key in (("长期", "long_years"), ("短期", "short_years")):
        value = cat.home.setting("retention", key, DEFAULT_YEARS[name])
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 200:
            raise ConfigError(
                "dangan.toml [retention] {key} = {value}: give a whole number of years, 1 to 200",
                key=key,
                value=repr(value),
            )
        years[name] = value
    return years


def project_dates(cat: Catalog) -> dict[str, dict[str, date | None]]:
    """Every project's 竣工 (``completion``) and ``close`` dates, by project code."""
    with cat.engine.connect() as conn:
        rows = conn.execute(select(projects.c.code, projects.c.completed_on, projects.c.closed_on)).all()
    return {code: {"completion": done, "close": closed} for code, done, closed in rows}


def start_year(doc: dict, rule: str = "filing", dates: dict[str, date | None] | None = None) -> int | None:
    """The first year of the period under the checklist's ``retention_start`` rule.

    ``filing``: the year after the document's date, else after filing; ``completion`` and
    ``close``: the year after the project's 竣工 or close date — None while it has none (the
    period has not started, so nothing can be due).
    """
    if rule == "filing":
        base = doc["document_date"] or doc["filed_at"]
    else:
        base = (dates or {}).get(rule)
    return base.year + 1 if base else None


def start_rule(doc: dict, projects_: ProjectCache) -> str:
    """The record's checklist's ``retention_start`` (``filing`` outside a project)."""
    project = projects_.get(doc["project_code"])
    return project.checklist.retention_start if project else "filing"


def record_start(doc: dict, projects_: ProjectCache, dates: dict[str, dict]) -> int | None:
    """The first year of ``doc``'s period (None: its project's start date is not set yet)."""
    return start_year(doc, start_rule(doc, projects_), dates.get(doc["project_code"] or ""))


def record_retention(doc: dict, projects_: ProjectCache) -> str:
    """The record's 保管期限 (永久/长期/短期)."""
    project = projects_.get(doc["project_code"]) if doc["project_code"] else None
    item = project.checklist.item(doc["item_code"]) if project and doc["item_code"] else None
    return retention_of(doc, item.retention if item else None)


def expiry_year(doc: dict, retention: str, years: dict[str, int], start: int | None) -> int | None:
    """The last year the record must be kept (None: 永久, opened by an appraisal, or not started)."""
    if doc.get("keep_until"):
        return int(doc["keep_until"])
    if retention == "永久" or doc.get("opened_at") or start is None:
        return None
    return start + years[retention] - 1


def _check_year(year: int | None) -> int:
    year = year or date.today().year
    if not 1900 <= year <= 9999:
        raise UsageError("--year {year}: give a year like 2025", year=year)
    return year


def due(cat: Catalog, year: int | None = None) -> list[dict]:
    """Filed records whose period has run out by the end of ``year`` (this year by default)."""
    year = _check_year(year)
    years, cache, dates = period_years(cat), ProjectCache(cat), project_dates(cat)
    rows = []
    for doc in cat.documents(status="filed"):
        retention, start = record_retention(doc, cache), record_start(doc, cache, dates)
        last = expiry_year(doc, retention, years, start)
        if last is None or last > year:
            continue
        rows.append({
            "id": doc["id"], "project": doc["project_code"], "item": doc["item_code"], "title": doc["title"],
            "retention": retention, "start_year": start, "expired": last, "pages": doc["pages"],
            "hold": hold_on(cat, doc),
        })  # fmt: skip
    return sorted(rows, key=lambda r: (r["expired"], r["id"]))


def not_started(cat: Catalog) -> list[dict]:
    """Projects whose checklist counts from 竣工 or close but that have no such date yet,
    with how many filed records (not 永久) wait for it: none of them can fall due."""
    cache, dates, waiting = ProjectCache(cat), project_dates(cat), Counter[tuple[str, str]]()
    for doc in cat.documents(status="filed"):
        rule = start_rule(doc, cache)
        if rule != "filing" and record_retention(doc, cache) != "永久" and record_start(doc, cache, dates) is None:
            waiting[(doc["project_code"], rule)] += 1
    return [{"project": p, "start": rule, "documents": n} for (p, rule), n in sorted(waiting.items())]


@writes("retention dates")
def set_project_dates(cat: Catalog, code: str, *, completed: date | None = None, closed: date | None = None) -> dict:
    """Set a project's 竣工 and/or close date (logged); returns both dates."""
    ProjectCache(cat).require(code)
    change = {k: v for k, v in (("completed_on", completed), ("closed_on", closed)) if v is not None}
    if not change:
        raise UsageError("give --completed YYYY-MM-DD and/or --closed YYYY-MM-DD")
    with cat.engine.begin() as conn:
        conn.execute(update(projects).where(projects.c.code == code).values(**change))
        cat.log(conn, "project-dates", project=code, completed=completed, closed=closed)
    return {"project": code, **project_dates(cat)[code]}


def _target(cat: Catalog, target: str) -> dict:
    """A hold's target: a document id, else a project code."""
    if target.isdigit():
        doc = cat.document(int(target))
        return {"document_id": doc["id"], "project_code": None}
    ProjectCache(cat).require(target)
    return {"document_id": None, "project_code": target}


def active_holds(cat: Catalog) -> list[dict]:
    """Holds not yet released, oldest first."""
    with cat.engine.connect() as conn:
        q = select(holds).where(holds.c.released_at.is_(None)).order_by(holds.c.id)
        return [dict(r) for r in conn.execute(q).mappings()]


def hold_on(cat: Catalog, doc: dict) -> str | None:
    """The hold that keeps ``doc`` (its own, else its project's), as one phrase; None if free."""
    for h in active_holds(cat):
        if h["document_id"] == doc["id"] or (h["project_code"] and h["project_code"] == doc["project_code"]):
            what = f"document {doc['id']}" if h["document_id"] else f"project {h['project_code']}"
            return f"hold #{h['id']} on {what} ({h['reason']}, by {h['set_by']})"
    return None


def refuse_if_held(cat: Catalog, doc: dict, action: str) -> None:
    """ConflictError (exit 7) naming the hold when ``doc`` is held."""
    held = hold_on(cat, doc)
    if held:
        raise ConflictError(
            "document {doc_id} cannot be {action}: {hold}", doc_id=doc["id"], action=action, hold=held,
            fix="`dangan hold release` it first",
        )  # fmt: skip


def _required(value: str, option: str) -> str:
    text = (value or "").strip()
    if not text:
        raise UsageError("{option} is required and cannot be empty", option=option)
    return text


@writes("hold set")
def set_hold(cat: Catalog, target: str, *, reason: str, by: str) -> dict:
    """Put a project (code) or a document (id) on hold, with the reason and who."""
    values = {**_target(cat, target), "reason": _required(reason, "--reason"), "set_by": _required(by, "--by")}
    for h in active_holds(cat):
        if (h["document_id"], h["project_code"]) == (values["document_id"], values["project_code"]):
            raise ConflictError(
                "{target} is already on hold #{hold} ({reason})", target=target, hold=h["id"], reason=h["reason"]
            )
    with cat.engine.begin() as conn:
        key = conn.execute(insert(holds).values(**values, set_at=now())).inserted_primary_key
        assert key is not None  # an insert has its key
        hid = key[0]
        cat.log(conn, "hold-set", project=values["project_code"], document=values["document_id"],
                hold=hid, reason=values["reason"], by=values["set_by"])  # fmt: skip
    return {"id": hid, **values}


@writes("hold release")
def release_hold(cat: Catalog, target: str, *, reason: str, by: str) -> dict:
    """Release the active hold on a project or document."""
    where = _target(cat, target)
    for h in active_holds(cat):
        if (h["document_id"], h["project_code"]) == (where["document_id"], where["project_code"]):
            with cat.engine.begin() as conn:
                conn.execute(update(holds).where(holds.c.id == h["id"]).values(
                    released_by=_required(by, "--by"), released_at=now()))  # fmt: skip
                cat.log(conn, "hold-released", project=h["project_code"], document=h["document_id"],
                        hold=h["id"], reason=_required(reason, "--reason"), by=by.strip())  # fmt: skip
            return h
    raise NotFoundError("{target} is not on hold", target=target, fix="`dangan hold` lists the holds")
