"""Inventory (盘点): compare the labels read at a place with what the catalog says stands there.

The archivist names a place (``库房1`` or ``库房1/A03``, any leading part of 库房/柜架/层/盒号)
and reads labels one after another, with a barcode scanner (it types the code and Enter) or
by typing: box labels, volume labels, or a volume's name ``PROJECT:案卷号``.  A box label
counts for every volume placed in that box; a volume label for its volume.  The result
lists what was found, what is missing (with who has it, when it is out on loan) and what
was read but does not belong here (with where it should stand, or why the code is unusable).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from dangan.archive.catalog import Catalog
from dangan.archive.holdings import resolve, volume_by_id
from dangan.archive.labelcodes import is_ours, parse
from dangan.archive.onloan import holder, open_loan
from dangan.archive.schema import holdings, volumes
from dangan.indexer.errors import DanganError, UsageError
from dangan.indexer.messages import Message

Reason = Message | DanganError  # said in the reader's language by dangan.indexer.messages.say

MAX_CODES = 2000


@dataclass
class Inventory:
    """One inventory run's result; each row is a dict the page shows (``reason``: a Message or error)."""

    scope: str
    found: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    unexpected: list[dict] = field(default_factory=list)


def _scope_parts(scope: str) -> list[str]:
    parts = [p.strip() for p in (scope or "").strip().strip("/").split("/")]
    if not parts or not parts[0] or len(parts) > 4 or any(not p for p in parts):
        raise UsageError("the place '{scope}' must be 库房, 库房/柜架, 库房/柜架/层 or a whole 库房/柜架/层/盒号",
                         scope=scope)  # fmt: skip
    return parts


def _place(row) -> str:
    return "/".join((row["store"], row["shelf"], row["layer"], row["box"]))


def _standing(cat: Catalog) -> dict[int, dict]:
    """Every placed volume: id → its label, title and place."""
    query = select(holdings, volumes.c.project_code, volumes.c.sequence, volumes.c.title).join(
        volumes, volumes.c.id == holdings.c.volume_id)  # fmt: skip
    with cat.engine.connect() as conn:
        return {r["volume_id"]: {"what": f"{r['project_code']}:{r['sequence']}", "title": r["title"],
                                 "place": _place(r)} for r in conn.execute(query).mappings()}  # fmt: skip


def _inside(place: str, parts: list[str]) -> bool:
    return place.split("/")[: len(parts)] == parts


def _read(cat: Catalog, code: str, standing: dict[int, dict]) -> tuple[list[int], str | None, Reason | None]:
    """The volume ids a code stands for, the box it names (if a box label) and why it is unusable."""
    try:
        if is_ours(code):
            label = parse(code)
            if label.kind == "box":
                place = label.values[0]
                return [i for i, v in standing.items() if v["place"] == place], place, None
            if label.kind == "volume":  # a placed volume is known already; else ask (NotFoundError if gone)
                vid = label.volume_id
                return [vid if vid in standing else volume_by_id(cat, vid).id], None, None
            return [], None, Message("a cover sheet, not a label")
        try:
            t = resolve(cat, code)
        except UsageError:
            return [], None, Message("neither a label of this archive nor a volume name PROJECT:案卷号")
        if t.volume is None:
            return [], None, Message("a document, not a volume or box label")
        return [t.volume.id], None, None
    except DanganError as e:
        return [], None, e


def run_inventory(cat: Catalog, scope: str, codes: list[str]) -> Inventory:
    """Compare the codes read (in order) with the volumes placed under ``scope``."""
    parts = _scope_parts(scope)
    if len(codes) > MAX_CODES:
        raise UsageError("an inventory run takes up to {max} codes; split the place", max=MAX_CODES)
    standing = _standing(cat)
    expected = {i for i, v in standing.items() if _inside(v["place"], parts)}
    result, seen = Inventory("/".join(parts)), set()
    for code in (c.strip() for c in codes):
        if not code:
            continue
        ids, box, why = _read(cat, code, standing)
        if why:
            result.unexpected.append({"code": code, "what": "", "title": "", "reason": why})
        elif box is not None and not _inside(box, parts):
            result.unexpected.append({"code": code, "what": f"盒 {box}", "title": "", "reason": Message("a box of another place"),
                                      "place": box})  # fmt: skip
        for i in ids:
            v = standing.get(i)
            if i in expected:
                seen.add(i)
            elif box is None:
                result.unexpected.append({"code": code, "what": v["what"] if v else "", "title": v["title"] if v else "",
                                          "reason": Message("placed elsewhere" if v else "not placed anywhere"),
                                          "place": v["place"] if v else ""})  # fmt: skip
    with cat.engine.connect() as conn:
        for i in sorted(expected, key=lambda i: (standing[i]["place"], standing[i]["what"])):
            row = dict(standing[i])
            if i in seen:
                result.found.append(row)
            else:
                loan = open_loan(conn, volume_id=i)
                result.missing.append({**row, "on_loan": holder(loan) if loan else None})
    return result
