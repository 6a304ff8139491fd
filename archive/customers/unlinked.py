"""Customer names on service records that no customer of the register goes by.

Seen as the deadline engine sees them (name stored by a rendered form, else read from the
record's text; a follow-up quoting a 派工单 number takes that ticket's customer), so a name
listed here is exactly one whose follow-ups are tracked under an unknown customer.
"""

from __future__ import annotations

from dangan.archive.catalog import Catalog
from dangan.archive.customers.names import norm_name
from dangan.archive.deadlines.duelist import deadline_projects
from dangan.archive.deadlines.obligations import service_records


def unmatched(cat: Catalog) -> list[dict]:
    """Unlinked names with how many records carry each and their ids; most records first."""
    found: dict[str, dict] = {}
    for project in deadline_projects(cat):
        for d in service_records(cat, project):
            name = (d.customer or "").strip()
            if d.customer_id is not None or not name:
                continue
            entry = found.setdefault(norm_name(name), {"name": name, "records": 0, "documents": []})
            entry["records"] += 1
            entry["documents"].append(d.id)
    return sorted(found.values(), key=lambda e: (-e["records"], e["name"]))


def suggest(name: str, customers: list) -> int | None:
    """The register customer a written name most likely means: the one sharing the longest
    run of characters with it (at least 2), so linking is one click when the guess is right."""
    key = norm_name(name)
    best, best_len = None, 1
    for c in customers:
        run = _longest_common_run(key, norm_name(c.name))
        if run > best_len:
            best, best_len = c.id, run
    return best


def _longest_common_run(a: str, b: str) -> int:
    longest = 0
    for i in range(len(a)):
        for j in range(i + longest + 1, len(a) + 1):
            if a[i:j] in b:
                longest = j - i
            else:
                break
    return longest
