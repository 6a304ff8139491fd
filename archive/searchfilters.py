"""Search filters checked against the catalog before searching (``dangan.archive.searchrequest``).

A typo in ``--project``, ``--person`` or ``--item`` would otherwise just find nothing and
read as "no such document".  So each is resolved first: a project by code or name, a person
among the role holders and document owners, an item like ``--item`` everywhere else (code,
title, part of a title, alias) — and an unknown one is an error that lists what there is
(its ``filter``, ``value`` and ``known`` attributes let the web app say it in Chinese).
:func:`project_people` is what the web page's 责任人 picker offers.
"""

from __future__ import annotations

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.itemmatch import resolve_item
from dangan.archive.projects import Project, list_projects
from dangan.archive.schema import documents, project_roles
from dangan.indexer.errors import NotFoundError, UnknownItemError, UnknownPersonError, UnknownProjectError
from dangan.indexer.text import fold


def _unknown(error: NotFoundError, filter_: str, value: str, known: list[str]) -> NotFoundError:
    """``error`` carrying which filter named what, and what there is instead."""
    error.filter, error.value, error.known = filter_, value, known  # type: ignore[attr-defined]
    return error


def check_filters(cat: Catalog, *, project: str | None, item: str | None, person: str | None) -> dict:
    """The filters as the index stores them (project code, item code, person); raises on unknowns."""
    projects = list_projects(cat)
    chosen = _project(projects, project) if project else None
    return {
        "project": chosen.code if chosen else project,
        "item": _item([chosen] if chosen else projects, item) if item else item,
        "person": _person(cat, person) if person else person,
    }


def _project(projects: list[Project], key: str) -> Project:
    k = fold(key.strip())
    for p in projects:
        if fold(p.code) == k or fold(p.name) == k:
            return p
    codes = ", ".join(p.code for p in projects)
    if codes:
        error = UnknownProjectError("no project '{project}'; projects: {codes}", project=key, codes=codes)
    else:
        error = UnknownProjectError("no project '{project}'", project=key, fix="add one with `dangan project add`")
    raise _unknown(error, "project", key, [p.code for p in projects])


def _item(projects: list[Project], key: str) -> str:
    first_error: UnknownItemError | None = None
    seen = set()
    for p in projects:
        if p.checklist.id in seen:
            continue
        seen.add(p.checklist.id)
        try:
            return resolve_item(p.checklist, key, owner=f"checklist {p.checklist.id}").code
        except UnknownItemError as e:
            first_error = first_error or e
    if first_error is None:
        first_error = UnknownItemError("no checklist item '{key}': there are no projects yet", key=key)
    raise _unknown(first_error, "item", key, [])


def _person(cat: Catalog, key: str) -> str:
    with cat.engine.connect() as conn:
        people = {r[0] for r in conn.execute(select(project_roles.c.person))}
        people |= {
            r[0] for r in conn.execute(select(documents.c.person).where(documents.c.person.is_not(None)).distinct())
        }
    k = fold(key.strip())
    for name in people:
        if fold(name) == k:
            return key
    listed = "、".join(sorted(people)) or "nobody yet"
    error = UnknownPersonError("no person '{key}'; people: {people}", key=key, people=listed)
    raise _unknown(error, "person", key, sorted(people))


def project_people(projects: list[Project]) -> list[tuple[str, list[str]]]:
    """Each project's 责任人 as the 责任人 filter offers them: (code, the people holding its
    roles, in the checklist's role order, each once); a project with nobody named has none."""
    out = []
    for p in projects:
        names = [p.roles.get(role) for role in [*p.checklist.roles, *p.roles]]
        out.append((p.code, list(dict.fromkeys(n for n in names if n))))
    return out
