"""Checklists: the documents a project must file, loaded from TOML and validated.

A checklist is data, not code: the shipped ``construction`` list (科技档案一览表) lives in
``archive/checklists/``; a home's ``checklists/`` folder holds editable copies and a user's
own lists, which take precedence.  Every validation error names the file, the item and the
problem, because the person fixing it is editing that file by hand.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dangan.archive.deadlines.timing import check_timing, line_of
from dangan.archive.home import Home, shipped_dir
from dangan.indexer.errors import ChecklistError, UnknownChecklistError

RETENTIONS = ("永久", "长期", "短期")


@dataclass(frozen=True)
class Item:
    """One required document kind of a checklist."""

    code: str
    title: str
    role: str
    retention: str
    group: str
    number: int  # 序号 within its group
    position: int  # order in the whole checklist
    aliases: tuple[str, ...] = ()
    gbt_class: str = ""
    # Deadlines (service records): owed once per ``period`` by the ``due`` rule, or ``due``
    # after each record of item ``after`` (same customer), or ``due`` after the record's own
    # date; ``form`` is the form it is usually made from; ``satisfied_by`` another item whose
    # records fulfil this one (the second follow-up call is another call record).
    period: str = ""
    due: str = ""
    after: str = ""
    form: str = ""
    satisfied_by: str = ""
    # Duties owed per customer (archive/customers/duties.py): ``per`` = "key-customer" (each
    # 重点顾客 of the year) or "warranty" (each customer with a warranty running), ``times`` a
    # year; ``when`` = "serious" / "dissatisfied" keeps only such trigger records of ``after``.
    per: str = ""
    times: int = 1
    when: str = ""

    @property
    def timed(self) -> bool:
        """Whether the item has a deadline (periodic, event-driven or per record)."""
        return bool(self.due)

    @property
    def keywords(self) -> tuple[str, ...]:
        """Words that identify this item: its aliases and the parts of its title.

        A title like "技术交底、图纸会审纪要" names two document kinds; each part alone
        satisfies the item, so each is a keyword of its own.
        """
        parts = [p for p in _split_title(self.title) if len(p) >= 2]
        return tuple(dict.fromkeys([*self.aliases, *parts]))


@dataclass(frozen=True)
class Checklist:
    """A validated checklist."""

    id: str
    title: str
    items: tuple[Item, ...]
    source: Path
    digest: str = ""
    groups: tuple[str, ...] = field(default=())
    # Kinds of document a project receives that are none of its items (监理通知单, 租赁合同,
    # 发票 …): a title headed by one goes to review as "not an item of this checklist".
    others: tuple[str, ...] = ()
    # When the 保管期限 of its records starts counting (dangan.archive.retention): the year
    # after filing, after the project's 竣工 (completion) or after the project's close.
    retention_start: str = "filing"

    @property
    def roles(self) -> list[str]:
        """The responsible roles the checklist uses, in first-use order."""
        return list(dict.fromkeys(i.role for i in self.items))

    def item(self, key: str) -> Item | None:
        """Find an item by code (case-insensitive) or exact title."""
        k = key.strip()
        for i in self.items:
            if i.code.lower() == k.lower() or i.title == k:
                return i
        return None


def _split_title(title: str) -> list[str]:
    # "竣工报告(含停、复工报告)": the parenthesis is a remark, not a document kind.  Only 、
    # and 或 separate kinds; 及 often joins parts of one kind (基础及主体工程隐蔽记录).
    bare = re.sub(r"[(（][^)）]*[)）]", "", title)
    return [p.strip() for p in re.split(r"[、或]", bare) if p.strip()]


def checklist_paths(home: Home | None) -> dict[str, Path]:
    """Every available checklist id → file; the home's copies override shipped ones."""
    found: dict[str, Path] = {}
    for folder in (shipped_dir("archive") / "checklists", home.checklists_dir if home else None):
        if folder and folder.is_dir():
            for f in sorted(folder.glob("*.toml")):
                found[f.stem] = f
    return found


def load_checklist(checklist_id: str, home: Home | None = None) -> Checklist:
    """Load and validate a checklist by id; UnknownChecklistError lists the ids there are."""
    paths = checklist_paths(home)
    if checklist_id not in paths:
        raise UnknownChecklistError(
            "no checklist '{checklist}'; available: {available} (add your own as checklists/<id>.toml in the home)",
            checklist=checklist_id,
            available=", ".join(sorted(paths)) or "none",
        )
    return parse_checklist(paths[checklist_id])


def parse_checklist(path: Path) -> Checklist:
    """Read one checklist file, raising ChecklistError with file, item and problem."""
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ChecklistError(f"{path}: not valid UTF-8 TOML ({e}); fix the syntax") from e
    cid = _text(data, "id", path, "the checklist")
    if cid != path.stem:
        raise ChecklistError(f"{path}: id '{cid}' must equal the file name '{path.stem}'")
    groups = data.get("groups")
    if not isinstance(groups, list) or not groups:
        raise ChecklistError(f"{path}: needs at least one [[groups]] table with [[groups.items]]")
    text = raw.decode("utf-8")
    items = _parse_items(groups, path, text)
    check_timing(items, path, text)
    return Checklist(
        id=cid,
        title=_text(data, "title", path, "the checklist"),
        items=tuple(items),
        source=path,
        digest=hashlib.sha256(raw).hexdigest(),
        groups=tuple(dict.fromkeys(i.group for i in items)),
        others=_others(data, path, text, items),
        retention_start=_retention_start(data, path, text),
    )


RETENTION_STARTS = ("filing", "completion", "close")


def _retention_start(data: dict, path: Path, text: str) -> str:
    """``retention_start = "filing" | "completion" | "close"`` (default filing), checked with its line."""
    value = data.get("retention_start", "filing")
    if value in RETENTION_STARTS:
        return value
    line = next((n for n, ln in enumerate(text.splitlines(), 1) if re.match(r"\s*retention_start\s*=", ln)), 0)
    raise ChecklistError(
        f"{path}, line {line}: retention_start = {value!r} must be one of "
        f"{', '.join(RETENTION_STARTS)} (the year after filing, after 竣工, after the project's close)"
    )


def _others(data: dict, path: Path, text: str, items: list[Item]) -> tuple[str, ...]:
    """The top-level ``others`` list: words naming kinds of document that are no item."""
    value = data.get("others", [])
    line = next((n for n, ln in enumerate(text.splitlines(), 1) if re.match(r"\s*others\s*=", ln)), 0)
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise ChecklistError(
            f"{path}, line {line}: 'others' must be a list of non-empty strings, e.g. others = [\"监理通知单\"]"
        )
    words = tuple(w.strip() for w in value)
    for it in items:
        clash = next((w for w in words if w in it.keywords), None)
        if clash:
            raise ChecklistError(
                f"{path}, line {line}: '{clash}' is in 'others' and is also a word of item {it.code}; "
                f"remove it from one of them"
            )
    return words


def _parse_items(groups: list, path: Path, text: str = "") -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    for g_no, group in enumerate(groups, 1):
        where = f"group {g_no}"
        gtitle = _text(group, "title", path, where)
        entries = group.get("items")
        if not isinstance(entries, list) or not entries:
            raise ChecklistError(f"{path}: {where} ({gtitle}) has no [[groups.items]]")
        for number, entry in enumerate(entries, 1):
            item = _parse_item(entry, path, gtitle, number, len(items) + 1, str(group.get("gbt_class", "")), text)
            if item.code.lower() in seen:
                raise ChecklistError(f"{path}: item code '{item.code}' is used twice; codes must be unique")
            seen.add(item.code.lower())
            items.append(item)
    return items


def _parse_item(entry: dict, path: Path, group: str, number: int, position: int, gbt: str, text: str = "") -> Item:
    where = f"item {number} of group '{group}'"
    code = _text(entry, "code", path, where)
    where = f"item {code}"
    retention = _text(entry, "retention", path, where)
    if retention not in RETENTIONS:
        raise ChecklistError(f"{path}: {where}: retention '{retention}' must be one of {'/'.join(RETENTIONS)}")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ChecklistError(
            f"{path}, line {line_of(text, code, 'aliases')}: {where}: aliases must be a list of non-empty strings"
        )
    return Item(
        code=code,
        title=_text(entry, "title", path, where),
        role=_text(entry, "role", path, where),
        retention=retention,
        group=group,
        number=number,
        position=position,
        aliases=tuple(a.strip() for a in aliases),
        gbt_class=gbt,
        **{
            k: _optional(entry, k, path, where)
            for k in ("period", "due", "after", "form", "satisfied_by", "per", "when")
        },
        times=_times(entry, path, where, line_of(text, code, "times")),
    )


def _times(entry: dict, path: Path, where: str, line: int) -> int:
    value = entry.get("times", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or 12 % value:
        raise ChecklistError(f"{path}, line {line}: {where}: 'times' must be 1, 2, 3, 4, 6 or 12 (times a year)")
    return value


def _optional(table: dict, key: str, path: Path, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ChecklistError(f"{path}: {where}: '{key}' must be a quoted string")
    return value.strip()


def _text(table: dict, key: str, path: Path, where: str) -> str:
    value = table.get(key) if isinstance(table, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise ChecklistError(f"{path}: {where}: '{key}' is missing or empty")
    return value.strip()
