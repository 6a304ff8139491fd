"""The custom Jinja filters a form may use: a small, fixed allow-list, named in forms.toml.

Templates are untrusted, so filters never come from imports a user names: a form lists
the ones it uses (``filters = ["cn_money", "cn_date"]`` in its ``[[forms]]`` entry) and
only names in :data:`ALLOWED` are accepted.  Each filter takes what the template prints
(a string) and returns text; a value it cannot read is printed unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from dangan.archive import days

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def cn_money(value: Any) -> str:
    """An amount in capital Chinese numerals, as on receipts: 1280.50 -> 壹仟贰佰捌拾元伍角整."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    if amount < 0 or amount >= Decimal("1e16"):
        return str(value)
    yuan, cents = divmod(int(amount * 100), 100)
    jiao, fen = divmod(cents, 10)
    text = (_integer(yuan) + "元") if yuan else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan and fen:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return (text or "零元") + ("" if fen else "整")


def _integer(n: int) -> str:
    """A whole number in capital numerals with 拾佰仟 and 万亿 groups, zeros collapsed."""
    groups = []
    while n:
        n, group = divmod(n, 10000)
        groups.append(group)
    out = ""
    zero = False
    for i in range(len(groups) - 1, -1, -1):
        group = groups[i]
        if not group:
            zero = bool(out)
            continue
        if zero or (out and group < 1000):
            out += "零"
        out += _group(group) + _BIG_UNITS[i]
        zero = False
    return out


def _group(n: int) -> str:
    digits = f"{n:04d}".lstrip("0")
    out, zero = "", False
    for pos, d in enumerate(digits):
        unit = _SMALL_UNITS[len(digits) - pos - 1]
        if d == "0":
            zero = True
            continue
        out += ("零" if zero else "") + _DIGITS[int(d)] + unit
        zero = False
    return out


def cn_date(value: Any) -> str:
    """A date as written on Chinese forms: 2024-03-05 -> 2024年3月5日 (``dangan.archive.days.cn_date``)."""
    return days.cn_date(value)


ALLOWED: dict[str, Callable[[Any], str]] = {"cn_money": cn_money, "cn_date": cn_date}


def allowed_filters(names: tuple[str, ...] | list[str]) -> dict[str, Callable[[Any], str]]:
    """The filter functions for ``names`` (every name must be in :data:`ALLOWED`)."""
    return {name: ALLOWED[name] for name in names}
