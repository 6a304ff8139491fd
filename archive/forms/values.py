"""Cell values: parsing what people type (dates, numbers, money, choices) and printing it back.

The parsers raise ValueError with the user-facing reason ("is not a date, use YYYY-MM-DD");
:mod:`dangan.archive.forms.rows` prefixes it with the row and column.  ``form_context`` is what a
template sees for one typed row.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from dangan.archive.forms.images import image_value, parse_image
from dangan.archive.forms.manifest import BOXES_SUFFIX, LIST_ROW_NUMBER, FieldSpec, FormSpec, norm_header

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_cell(value: Any) -> str:
    """A cell as text: stripped, Windows line ends folded, characters Word cannot hold removed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _INVALID_XML.sub("", text).strip()


_DATE = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(raw: str, _field: FieldSpec | None = None) -> date | datetime:
    """A date written YYYY-MM-DD (or 2024/3/5, 2024.3.5, 2024年3月5日, 20240305), with an
    optional time HH:MM[:SS]; raises ValueError with the user-facing reason."""
    text = unicodedata.normalize("NFKC", raw).strip()
    m = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not m:
        raise ValueError("is not a date, use YYYY-MM-DD")
    parts = [int(g) if g else 0 for g in m.groups()]
    try:
        if len(parts) > 3 and m.group(4):
            year, month, day, hour, minute, second = parts[:6]
            return datetime(year, month, day, hour, minute, second)
        return date(*parts[:3])
    except ValueError:
        raise ValueError("is not a date, use YYYY-MM-DD") from None


def _decimal(raw: str) -> Decimal:
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def parse_number(raw: str, _field: FieldSpec | None = None) -> Decimal:
    """A number such as 12, 3.5 or 1,200; raises ValueError with the user-facing reason."""
    try:
        return _decimal(raw)
    except ValueError:
        raise ValueError("is not a number, use digits like 12 or 3.5") from None


def parse_money(raw: str, _field: FieldSpec | None = None) -> Decimal:
    """An amount such as 120, 120.50, ¥1,280 or 80元, rounded to fen (0.01)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"^(?:¥|RMB|CNY)\s*|\s*元$", "", text, flags=re.IGNORECASE)
    try:
        return _decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except ValueError:
        raise ValueError("is not an amount of money, use digits like 120 or 120.50") from None


def parse_choice(raw: str, f: FieldSpec) -> str:
    """One of the field's choices (width-folded and space-insensitive)."""
    key = norm_header(raw)
    for choice in f.choices:
        if norm_header(choice) == key:
            return choice
    raise ValueError(f"is not one of {', '.join(f.choices)}")


CONVERTERS: dict[str, Callable[[str, FieldSpec], Any]] = {
    "text": lambda raw, _f: raw,
    "date": parse_date,
    "number": parse_number,
    "money": parse_money,
    "choice": parse_choice,
    "image": parse_image,
}


# --------------------------------------------------------------------------- display


def display(f: FieldSpec, value: Any) -> Any:
    """A typed value as printed on the form (lists become lists of printed sub-values)."""
    if value is None or value == "":
        return [] if f.type == "list" else ""
    if f.type == "image":
        return image_value(f, value)
    if f.type == "list":
        return [
            {LIST_ROW_NUMBER: str(n), **{s.name: display(s, item.get(s.name)) for s in f.subfields}}
            for n, item in enumerate(value, 1)
        ]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if f.type == "money":
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def choice_boxes(f: FieldSpec, value: Any) -> str:
    """All choices as ticked/unticked boxes, the way paper forms print them: ☑免费　☐收费."""
    return "\u3000".join(("☑" if c == value else "☐") + c for c in f.choices)


def form_context(form: FormSpec, values: Mapping[str, Any], *, company: str = "") -> dict[str, Any]:
    """What a template sees for one typed row: printed values, choice boxes, company, today."""
    ctx: dict[str, Any] = {"company": company, "today": date.today().isoformat()}
    for f in form.fields:
        ctx[f.name] = display(f, values.get(f.name))
        if f.type == "choice":
            ctx[f.name + BOXES_SUFFIX] = choice_boxes(f, values.get(f.name))
    return ctx
