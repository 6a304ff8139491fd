"""Projects and who holds each responsible role on them.

"File under the responsible person" means: checklist item → role → this project's person.
A project is bound to one checklist; its roles must be roles that checklist uses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from dangan.archive.catalog import Catalog, now
from dangan.archive.checklist import Checklist, Item, load_checklist
from dangan.archive.dblock import writes
from dangan.archive.itemmatch import resolve_item
from dangan.archive.schema import checklist_items, checklists, project_roles, projects
from dangan.indexer.errors import DuplicateProjectError, UnknownProjectError, UsageError

CODE_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$")
UNASSIGNED = "(未指定)"


@dataclass
class Project:
    """A project with its checklist and role holders."""

    code: str
    name: str
    checklist: Checklist
    roles: dict[str, str]  # role → person
    created_at: object = None

    def person_for(self, role: str) -> str | None:
        """The person holding ``role`` on this project, or None if nobody was named."""
        return self.roles.get(role)

    def item(self, key: str) -> Item:
        """A checklist item by code, title, part of a title or alias (see dangan.archive.itemmatch)."""
        return resolve_item(self.checklist, key, owner=f"project {self.code}")

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "checklist": self.checklist.id,
            "roles": [{"role": r, "person": self.roles.get(r)} for r in self.checklist.roles],
        }


def validate_code(code: str) -> str:
    """Project codes are letters, digits and dashes (they become folder names)."""
    if not CODE_RE.match(code or ""):
        raise UsageError(
            "invalid project code '{project}': use letters, digits and dashes, e.g. BJ-2024-017", project=code
        )
    return code


def parse_roles(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["项目经理=张伟", …]`` → ``{"项目经理": "张伟"}``; a malformed pair names the fix."""
    roles: dict[str, str] = {}
    for pair in pairs:
        role, sep, person = pair.partition("=")
        if not sep or not role.strip() or not person.strip():
            raise UsageError(f"invalid role '{pair}': write 角色=姓名, e.g. 项目经理=张伟")
        roles[role.strip()] = person.strip()
    return roles


def _check_roles(checklist: Checklist, roles: dict[str, str]) -> None:
    unknown = [r for r in roles if r not in checklist.roles]
    if unknown:
        raise UsageError(
            f"role '{unknown[0]}' is not used by checklist {checklist.id}; valid roles: " + "、".join(checklist.roles)
        )


def sync_checklist(conn, checklist: Checklist) -> None:
    """Store the checklist's items in the catalog (replacing an older copy of the same id)."""
    row = conn.execute(select(checklists.c.digest).where(checklists.c.id == checklist.id)).first()
    if row is not None and row.digest == checklist.digest:
        return
    conn.execute(delete(checklist_items).where(checklist_items.c.checklist_id == checklist.id))
    conn.execute(delete(checklists).where(checklists.c.id == checklist.id))
    conn.execute(
        insert(checklists).values(
            id=checklist.id, title=checklist.title, source=str(checklist.source), digest=checklist.digest
        )
    )
    for it in checklist.items:
        conn.execute(
            insert(checklist_items).values(
                checklist_id=checklist.id,
                code=it.code,
                position=it.position,
                group_title=it.group,
                number=it.number,
                title=it.title,
                role=it.role,
                retention=it.retention,
                aliases=json.dumps(list(it.aliases), ensure_ascii=False),
                gbt_class=it.gbt_class,
            )
        )


@writes("project add")
def add_project(
    cat: Catalog, code: str, name: str, *, checklist: str = "construction", roles: dict[str, str] | None = None
) -> Project:
    """Create a project bound to a checklist, with the role holders given."""
    validate_code(code)
    if not name or not name.strip():
        raise UsageError("a project needs a name: --name 安居花园3号楼")
    cl = load_checklist(checklist, cat.home)
    roles = roles or {}
    _check_roles(cl, roles)
    try:
        with cat.engine.begin() as conn:
            sync_checklist(conn, cl)
            conn.execute(insert(projects).values(code=code, name=name.strip(), checklist_id=cl.id, created_at=now()))
            for role, person in roles.items():
                conn.execute(insert(project_roles).values(project_code=code, role=role, person=person))
            cat.log(conn, "project-added", project=code, name=name, checklist=cl.id, roles=roles)
    except SAIntegrityError as e:
        raise DuplicateProjectError(f"project {code} already exists; see `dangan project show {code}`") from e
    # inbox/<CODE>/ is where the project's files are dropped: make it so `cp` into it works.
    (cat.home.inbox_dir / code).mkdir(parents=True, exist_ok=True)
    return get_project(cat, code)


@writes("project roles")
def set_roles(cat: Catalog, code: str, roles: dict[str, str]) -> Project:
    """Name (or rename) the people holding roles on a project; logged as an event."""
    project = get_project(cat, code)
    _check_roles(project.checklist, roles)
    with cat.engine.begin() as conn:
        for role, person in roles.items():
            conn.execute(
                delete(project_roles).where(project_roles.c.project_code == code, project_roles.c.role == role)
            )
            conn.execute(insert(project_roles).values(project_code=code, role=role, person=person))
        cat.log(conn, "roles-set", project=code, roles=roles, before={r: project.roles.get(r) for r in roles})
    return get_project(cat, code)


def get_project(cat: Catalog, code: str) -> Project:
    """Load a project; UnknownProjectError lists the codes there are."""
    with cat.engine.connect() as conn:
        row = conn.execute(select(projects).where(projects.c.code == code)).first()
        if row is None:
            codes = [r.code for r in conn.execute(select(projects.c.code).order_by(projects.c.code))]
            if codes:
                raise UnknownProjectError(
                    "no project '{project}'; projects: {codes}", project=code, codes=", ".join(codes)
                )
            raise UnknownProjectError("no project '{project}'", project=code, fix="add one with `dangan project add`")
        roles = {
            r.role: r.person for r in conn.execute(select(project_roles).where(project_roles.c.project_code == code))
        }
    return Project(
        code=row.code,
        name=row.name,
        checklist=load_checklist(row.checklist_id, cat.home),
        roles=roles,
        created_at=row.created_at,
    )


def list_projects(cat: Catalog) -> list[Project]:
    """All projects by code."""
    with cat.engine.connect() as conn:
        codes = [r.code for r in conn.execute(select(projects.c.code).order_by(projects.c.code))]
    return [get_project(cat, c) for c in codes]


class ProjectCache:
    """Projects looked up once per run: ingest and indexing ask for the same few many times.

    ``get`` returns None for a missing or empty code; ``require`` raises UnknownProjectError.
    """

    def __init__(self, cat: Catalog):
        self.cat = cat
        self._seen: dict[str, Project | None] = {}

    def require(self, code: str) -> Project:
        """The project ``code``; UnknownProjectError when there is none (not cached)."""
        project = self._seen.get(code)
        if project is None:
            project = self._seen[code] = get_project(self.cat, code)
        return project

    def get(self, code: str | None) -> Project | None:
        """The project ``code``, or None when ``code`` is empty or names no project."""
        if not code:
            return None
        if code not in self._seen:
            try:
                self._seen[code] = get_project(self.cat, code)
            except UnknownProjectError:
                self._seen[code] = None
        return self._seen[code]
