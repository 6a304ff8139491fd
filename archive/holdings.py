"""Physical holdings: the carrier of a volume (案卷) or loose document and where it stands.

A place is 库房/柜架/层/盒号 (``库房1/A03/2/盒017``), set by hand for one or many at once.
Volumes are named ``PROJECT:案卷号`` (``BJ-2024-017:1``) and documents by id (``#12`` or
``12``); :func:`resolve` is the one reader of such a name, shared with lending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from dangan.archive.catalog import Catalog, now
from dangan.archive.dblock import writes
from dangan.archive.onloan import holder, open_loan
from dangan.archive.schema import holdings, volume_documents, volumes
from dangan.archive.volumes.metadata import secrecy_of
from dangan.archive.volumes.model import Volume, get_volume, list_volumes
from dangan.indexer.errors import NotFoundError, UsageError

CARRIERS = ("纸质", "电子", "照片", "实物")
DEFAULT_CARRIER = "纸质"
PLACE_PARTS = ("库房", "柜架", "层", "盒号")
_VOLUME = re.compile(r"(?P<code>[^:\s]+):(?P<seq>\d{1,6})")
_DOCUMENT = re.compile(r"#?(?P<id>\d{1,9})")
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f/\\]")
MAX_PART = 40


@dataclass(frozen=True)
class Target:
    """A volume or a document as the archivist named it."""

    label: str  # BJ-2024-017:1 or #12
    title: str
    project: str
    secrecy: str
    volume: Volume | None = None
    document_id: int | None = None

    @property
    def key(self) -> dict[str, int | None]:
        """The column values naming it in holdings and loans."""
        return {"volume_id": self.volume.id if self.volume else None, "document_id": self.document_id}


def resolve(cat: Catalog, name: str) -> Target:
    """A volume (``PROJECT:案卷号``) or a document (``#12``/``12``); UsageError for anything else."""
    text = (name or "").strip()
    if m := _VOLUME.fullmatch(text):
        v = get_volume(cat, m["code"], int(m["seq"]))
        return Target(f"{v.project}:{v.sequence}", v.title, v.project, v.secrecy, volume=v)
    if m := _DOCUMENT.fullmatch(text):
        doc = cat.document(int(m["id"]))
        return Target(f"#{doc['id']}", doc["title"] or doc["original_name"] or "", doc["project_code"] or "",
                      secrecy_of(doc), document_id=doc["id"])  # fmt: skip
    raise UsageError(
        "'{name}' names neither a volume nor a document; write PROJECT:案卷号 (BJ-2024-017:1) or a document id (#12)",
        name=name,
    )


def volume_by_id(cat: Catalog, volume_id: int) -> Volume:
    """A volume by its row id (as a label's code names it); NotFoundError when there is none."""
    with cat.engine.connect() as conn:
        row = conn.execute(select(volumes.c.project_code, volumes.c.sequence).where(volumes.c.id == volume_id)).first()
    if row is None:
        raise NotFoundError("no volume with id {id}; the label is of a volume since removed", id=volume_id)
    return get_volume(cat, row.project_code, row.sequence)


def parse_place(text: str) -> tuple[str, str, str, str]:
    """库房/柜架/层/盒号 from ``库房1/A03/2/盒017``; UsageError naming the part that is wrong."""
    parts = [p.strip() for p in (text or "").split("/")]
    if len(parts) != 4:
        raise UsageError(f"--at '{text}' must have four parts 库房/柜架/层/盒号, e.g. 库房1/A03/2/盒017")
    for label, part in zip(PLACE_PARTS, parts):
        if not part:
            raise UsageError(
                f"--at '{text}': the {label} part is empty; write 库房/柜架/层/盒号, e.g. 库房1/A03/2/盒017"
            )
        if len(part) > MAX_PART or _BAD_CHARS.search(part):
            raise UsageError(f"--at '{text}': the {label} part must be up to {MAX_PART} printable characters")
    return parts[0], parts[1], parts[2], parts[3]


def check_carrier(value: str | None) -> str | None:
    """One of 纸质/电子/照片/实物 (None stays None); UsageError names the accepted values."""
    if value is None:
        return None
    text = value.strip()
    if text not in CARRIERS:
        raise UsageError(f"unknown carrier '{value}' (--carrier); use {', '.join(CARRIERS)}")
    return text


@writes("location set")
def set_location(cat: Catalog, names: list[str], at: str, carrier: str | None = None) -> list[Target]:
    """Put every named volume or document at ``at``; all names are checked before anything is saved."""
    place = dict(zip(("store", "shelf", "layer", "box"), parse_place(at)))
    chosen = check_carrier(carrier)
    if not names:
        raise UsageError("name at least one volume (BJ-2024-017:1) or document (#12) to place")
    targets = [resolve(cat, n) for n in names]
    with cat.engine.begin() as conn:
        for t in targets:
            column = holdings.c.volume_id if t.volume else holdings.c.document_id
            wanted = t.volume.id if t.volume else t.document_id
            row = conn.execute(select(holdings).where(column == wanted)).mappings().first()
            values = {**place, "carrier": chosen or (row["carrier"] if row else DEFAULT_CARRIER), "updated_at": now()}
            if row:
                conn.execute(update(holdings).where(holdings.c.id == row["id"]).values(**values))
            else:
                conn.execute(insert(holdings).values(**t.key, **values))
            cat.log(conn, "location-set", project=t.project or None, document=t.document_id,
                    what=t.label, at="/".join(place.values()), carrier=values["carrier"])  # fmt: skip
    return targets


def _place(row) -> str:
    return "/".join((row["store"], row["shelf"], row["layer"], row["box"]))


def project_locations(cat: Catalog, code: str) -> list[dict]:
    """Where every volume of a project stands, then its loose documents that have a place."""
    vols = list_volumes(cat, code)
    out = []
    with cat.engine.connect() as conn:
        for v in vols:
            row = conn.execute(select(holdings).where(holdings.c.volume_id == v.id)).mappings().first()
            out.append(_entry(conn, f"{code}:{v.sequence}", v.title, row, volume_id=v.id))
        in_volumes = select(volume_documents.c.document_id)
        for doc in cat.documents(project=code, status="filed"):
            row = conn.execute(
                select(holdings).where(holdings.c.document_id == doc["id"], holdings.c.document_id.not_in(in_volumes))
            ).mappings().first()  # fmt: skip
            if row:
                out.append(_entry(conn, f"#{doc['id']}", doc["title"] or "", row, document_id=doc["id"]))
    return out


def _entry(conn, label: str, title: str, row, **key) -> dict:
    loan = open_loan(conn, **key)
    return {"what": label, "title": title, "carrier": row["carrier"] if row else None,
            "location": _place(row) if row else None, "on_loan": holder(loan) if loan else None}  # fmt: skip
