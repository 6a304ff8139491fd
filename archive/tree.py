"""The catalog tree of one project: project → responsible person → checklist item → documents.

What ``dangan catalog`` prints and ``--json`` returns; built here so the CLI, the web app and
the tests all read the same structure.
"""

from __future__ import annotations

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.projects import UNASSIGNED, get_project
from dangan.archive.schema import waivers


def catalog_tree(cat: Catalog, code: str) -> dict:
    """The catalog of one project as nested dicts (what --json prints)."""
    p = get_project(cat, code)
    docs = cat.documents(project=code)
    filed = [d for d in docs if d["status"] == "filed"]
    with cat.engine.connect() as conn:
        waived = {r.item_code: r.reason for r in conn.execute(select(waivers).where(waivers.c.project_code == code))}
    people: dict[str, dict] = {}
    for it in p.checklist.items:
        owner = p.person_for(it.role) or f"{it.role}{UNASSIGNED}"
        entry = people.setdefault(owner, {"person": owner, "roles": [], "items": []})
        if it.role not in entry["roles"]:
            entry["roles"].append(it.role)
        entry["items"].append(
            {
                "code": it.code,
                "title": it.title,
                "waived": waived.get(it.code),  # the reason, when the item does not apply
                "documents": [
                    {
                        "id": d["id"],
                        "title": d["title"],
                        "original_name": d["original_name"],
                        "date": d["document_date"].isoformat() if d["document_date"] else None,
                        "pages": d["pages"],
                        "vault_path": d["vault_path"],
                    }
                    for d in filed
                    if d["item_code"] == it.code
                ],
            }
        )
    return {
        "project": p.code,
        "name": p.name,
        "people": list(people.values()),
        "review": sum(1 for d in docs if d["status"] == "review"),
    }
