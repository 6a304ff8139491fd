"""The customer register (主要客户档案): add, edit, find, list and show customers.

A customer has one name, any number of aliases, contacts, an address, main products, a
class (重点/一般) per year with the reason, and installations with their warranty.  Every
change is logged.  A name or alias is unique by its loose key (:func:`norm_name`), so the same
customer is never entered twice under two spellings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from dangan.archive.catalog import Catalog, now
from dangan.archive.customers.names import clean_name, clean_text, norm_name, parse_class, parse_year
from dangan.archive.dblock import writes
from dangan.archive.schema_service import customer_aliases, customer_classes, customers, installations
from dangan.indexer.errors import ConflictError, NotFoundError, UsageError

LIST_FIX = "`dangan customer list` lists them"


@dataclass
class Customer:
    """One customer of the register, with everything it holds."""

    id: int
    name: str
    address: str | None = None
    phone: str | None = None
    contacts: list[dict] = field(default_factory=list)
    products: str | None = None
    note: str | None = None
    aliases: list[str] = field(default_factory=list)
    classes: dict[int, tuple[str, str]] = field(default_factory=dict)  # year → (class, reason)
    installations: list[dict] = field(default_factory=list)

    def klass(self, year: int) -> str:
        """重点 or 一般 in ``year`` (一般 when the year was never classed)."""
        return self.classes.get(year, ("一般", ""))[0]

    def under_warranty(self, first: date, last: date) -> bool:
        """Whether any installation's warranty covers a day of ``first``…``last``."""
        return any(i["warranty_start"] <= last and i["warranty_end"] >= first for i in self.installations)

    def to_json(self) -> dict:
        return {
            "id": self.id, "name": self.name, "address": self.address, "phone": self.phone,
            "contacts": self.contacts, "products": self.products, "note": self.note, "aliases": self.aliases,
            "classes": {str(y): {"class": c, "reason": r} for y, (c, r) in sorted(self.classes.items())},
            "installations": [
                {**i, "warranty_start": i["warranty_start"].isoformat(), "warranty_end": i["warranty_end"].isoformat()}
                for i in self.installations
            ],
        }  # fmt: skip


def _owner_of(conn: Connection, key: str) -> int | None:
    row = conn.execute(select(customers.c.id).where(customers.c.norm == key)).first()
    if row:
        return row.id
    row = conn.execute(select(customer_aliases.c.customer_id).where(customer_aliases.c.norm == key)).first()
    return row.customer_id if row else None


def _claim(conn: Connection, name: str, customer_id: int | None) -> str:
    """The key of ``name``; ConflictError when another customer already goes by it."""
    key = norm_name(name)
    owner = _owner_of(conn, key)
    if owner is not None and owner != customer_id:
        other = conn.execute(select(customers.c.name).where(customers.c.id == owner)).scalar_one()
        raise ConflictError(
            "the name {name} is already customer {other}'s; link it there or choose another name",
            name=name, other=other, fix="`dangan customer show` shows that customer",
        )  # fmt: skip
    return key


def _contacts(contact: str | None, phone: str | None) -> list[dict]:
    if not contact and not phone:
        return []
    return [{"name": contact or "", "phone": phone or ""}]


@writes("customer add")
def add_customer(cat: Catalog, name: str, *, address: str | None = None, phone: str | None = None,
                 contact: str | None = None, products: str | None = None, note: str | None = None,
                 aliases: list[str] | tuple[str, ...] = ()) -> int:  # fmt: skip
    """Enter a customer; ConflictError when the name (or an alias) is already someone's."""
    name = clean_name(name)
    values = {
        "address": clean_text(address, "address"), "phone": clean_text(phone, "phone", 40),
        "products": clean_text(products, "products"), "note": clean_text(note, "note", 500),
    }  # fmt: skip
    contact = clean_text(contact, "contact", 40)
    with cat.engine.begin() as conn:
        key = _claim(conn, name, None)
        result = conn.execute(
            insert(customers).values(
                name=name,
                norm=key,
                created_at=now(),
                contacts=json.dumps(_contacts(contact, values["phone"]), ensure_ascii=False),
                **values,
            )  # fmt: skip
        )
        assert result.inserted_primary_key is not None  # an insert always has its key
        new_id = result.inserted_primary_key[0]
        for alias in aliases:
            _add_alias(conn, new_id, alias)
        cat.log(conn, "customer-added", customer=new_id, name=name)
    return int(new_id)


def _add_alias(conn: Connection, customer_id: int, alias: str) -> bool:
    """Add an alias; False when the customer already went by it."""
    alias = clean_name(alias, "alias")
    key = _claim(conn, alias, customer_id)
    if _owner_of(conn, key) == customer_id:
        return False
    conn.execute(insert(customer_aliases).values(norm=key, customer_id=customer_id, alias=alias))
    return True


def find_id(conn: Connection, ident: str) -> int:
    """A customer by id (``#3`` or ``3``), name or alias; NotFoundError otherwise."""
    text = (ident or "").strip()
    if text.lstrip("#").isdigit():
        row = conn.execute(select(customers.c.id).where(customers.c.id == int(text.lstrip("#")))).first()
        if row:
            return row.id
    owner = _owner_of(conn, norm_name(text))
    if owner is None:
        raise NotFoundError("no customer {name} in the register", name=text, fix=LIST_FIX)
    return owner


def get_customer(cat: Catalog, ident: str | int) -> Customer:
    """Everything the register holds about one customer."""
    with cat.engine.connect() as conn:
        cid = find_id(conn, str(ident))
        return _load(conn, [cid])[0]


def list_customers(cat: Catalog, *, year: int | None = None, klass: str | None = None) -> list[Customer]:
    """Every customer, by name; only those of class ``klass`` in ``year`` when given."""
    with cat.engine.connect() as conn:
        ids = [r.id for r in conn.execute(select(customers.c.id).order_by(customers.c.name))]
        found = _load(conn, ids)
    if klass:
        want, y = parse_class(klass), year or date.today().year
        found = [c for c in found if c.klass(y) == want]
    return found


def _load(conn: Connection, ids: list[int]) -> list[Customer]:
    if not ids:
        return []
    rows = {r.id: r for r in conn.execute(select(customers).where(customers.c.id.in_(ids)))}
    out = {
        i: Customer(i, r.name, r.address, r.phone, json.loads(r.contacts or "[]"), r.products, r.note)
        for i, r in rows.items()
    }
    for r in conn.execute(select(customer_aliases).where(customer_aliases.c.customer_id.in_(ids))):
        out[r.customer_id].aliases.append(r.alias)
    for r in conn.execute(select(customer_classes).where(customer_classes.c.customer_id.in_(ids))):
        out[r.customer_id].classes[r.year] = (r._mapping["class"], r.reason)
    q = select(installations).where(installations.c.customer_id.in_(ids)).order_by(installations.c.warranty_start)
    for r in conn.execute(q):
        out[r.customer_id].installations.append(
            {"id": r.id, "product": r.product, "warranty_start": r.warranty_start, "warranty_end": r.warranty_end}
        )
    for c in out.values():
        c.aliases.sort()
    return [out[i] for i in ids if i in out]


@writes("customer edit")
def edit_customer(cat: Catalog, ident: str, *, name: str | None = None, address: str | None = None,
                  phone: str | None = None, contact: str | None = None, products: str | None = None,
                  note: str | None = None, add_aliases: tuple[str, ...] = ()) -> Customer:  # fmt: skip
    """Change a customer's fields (only those given) and add aliases; logged with the old values."""
    with cat.engine.begin() as conn:
        cid = find_id(conn, ident)
        before = _load(conn, [cid])[0]
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = clean_name(name)
            values["norm"] = _claim(conn, values["name"], cid)
            conn.execute(delete(customer_aliases).where(customer_aliases.c.norm == values["norm"]))
        for key, value, limit in (("address", address, 200), ("phone", phone, 40), ("products", products, 200),
                                  ("note", note, 500)):  # fmt: skip
            if value is not None:
                values[key] = clean_text(value, key, limit)
        if contact is not None:
            contacts = [c for c in before.contacts if c.get("name") != contact.strip()]
            contacts.insert(
                0,
                {"name": clean_text(contact, "contact", 40) or "", "phone": values.get("phone") or before.phone or ""},
            )
            values["contacts"] = json.dumps(contacts, ensure_ascii=False)
        if values:
            conn.execute(update(customers).where(customers.c.id == cid).values(**values))
        added = [a for a in add_aliases if _add_alias(conn, cid, a)]
        if not values and not added:
            raise UsageError("nothing to change for customer {name}; give a new value or an alias", name=before.name)
        cat.log(conn, "customer-edited", customer=cid, before={k: getattr(before, k, None) for k in values if k not in ("norm", "contacts")},
                after={k: v for k, v in values.items() if k not in ("norm", "contacts")}, aliases=added)  # fmt: skip
        return _load(conn, [cid])[0]


@writes("customer class")
def set_class(cat: Catalog, ident: str, year: object, klass: str, reason: str | None) -> Customer:
    """Class a customer 重点 or 一般 for a year, with the reason (required for 重点)."""
    y, c = parse_year(year), parse_class(klass)
    why = clean_text(reason, "reason", 200)
    if c == "重点" and not why:
        raise UsageError(
            "a key customer needs the reason (上年销售额≥500万, 销售部指定 …)", fix="e.g. --reason 上年销售额≥500万"
        )
    with cat.engine.begin() as conn:
        cid = find_id(conn, ident)
        conn.execute(
            delete(customer_classes).where(customer_classes.c.customer_id == cid, customer_classes.c.year == y)
        )
        conn.execute(insert(customer_classes).values(customer_id=cid, year=y, reason=why or "", **{"class": c}))
        cat.log(conn, "customer-classed", customer=cid, year=y, klass=c, reason=why or "")
        return _load(conn, [cid])[0]


@writes("customer installation")
def add_installation(cat: Catalog, ident: str, product: str, start: date, end: date) -> Customer:
    """Record a product installed at a customer with its warranty from ``start`` to ``end``."""
    what = clean_text(product, "product", 100)
    if not what:
        raise UsageError("product is empty; name what was installed, e.g. 空调机组 KX-200")
    if end < start:
        raise UsageError(
            "the warranty of {product} ends ({end}) before it starts ({start}); check the two dates",
            product=what, end=end.isoformat(), start=start.isoformat(),
        )  # fmt: skip
    with cat.engine.begin() as conn:
        cid = find_id(conn, ident)
        conn.execute(
            insert(installations).values(customer_id=cid, product=what, warranty_start=start, warranty_end=end)
        )
        cat.log(conn, "installation-added", customer=cid, product=what, start=start, end=end)
        return _load(conn, [cid])[0]


@writes("customer link")
def link_name(cat: Catalog, name: str, ident: str) -> Customer:
    """Link a name written on service records to a customer (it becomes an alias)."""
    with cat.engine.begin() as conn:
        cid = find_id(conn, ident)
        if not _add_alias(conn, cid, name):
            raise ConflictError("{name} is already linked to this customer; nothing to do", name=name.strip())
        cat.log(conn, "customer-linked", customer=cid, name=name.strip())
        return _load(conn, [cid])[0]
