"""Validation of the deadline keys of checklist items (period, due, after, satisfied_by).

Called by the checklist loader with the file's text, so an error names the file and the
line of the bad key: the person fixing it is editing that TOML file by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from dangan.archive.deadlines.periods import KINDS
from dangan.archive.deadlines.rules import PERIODIC_FORMS, RELATIVE_FORMS, parse_rule
from dangan.indexer.errors import ChecklistError


def line_of(text: str, code: str, key: str) -> int:
    """The line number of ``key = …`` in the item whose ``code`` is given (else of the code)."""
    lines = text.splitlines()
    code_re = re.compile(rf'^\s*code\s*=\s*["\']{re.escape(code)}["\']')
    key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
    start = next((n for n, line in enumerate(lines) if code_re.match(line)), None)
    if start is None:
        return 0
    # The item's table runs from its header (a few lines above the code) to the next header.
    first = start
    while first > 0 and not lines[first].lstrip().startswith("[["):
        first -= 1
    for n in range(first + 1, len(lines)):
        if lines[n].lstrip().startswith("[[") and n > start:
            break
        if key_re.match(lines[n]):
            return n + 1
    return start + 1


def split_codes(value: str) -> list[str]:
    """``"S01, S06"`` → ``["S01", "S06"]`` (after may name several trigger items)."""
    return [c.strip() for c in re.split(r"[,，、\s]+", value or "") if c.strip()]


def check_timing(items: Sequence, path: Path, text: str) -> None:
    """Raise ChecklistError (file, line, item, problem) for the first bad deadline key."""
    codes = {i.code.lower() for i in items}
    for it in items:
        problem, key = _problem(it, codes)
        if problem:
            raise ChecklistError(f"{path}, line {line_of(text, it.code, key)}: item {it.code}: {problem}")
    after = {i.code.lower(): [c.lower() for c in split_codes(i.after)] for i in items}
    for it in items:
        if _reaches(after, it.code.lower(), it.code.lower(), set()):
            raise ChecklistError(
                f"{path}, line {line_of(text, it.code, 'after')}: item {it.code}: its after chain leads back to "
                f"itself, so it would never be owed; an event item follows a record that does not follow it"
            )


def _reaches(after: dict[str, list[str]], start: str, target: str, seen: set[str]) -> bool:
    for nxt in after.get(start, []):
        if nxt == target:
            return True
        if nxt not in seen:
            seen.add(nxt)
            if _reaches(after, nxt, target, seen):
                return True
    return False


PER = ("key-customer", "warranty")
WHEN = ("serious", "dissatisfied")


def _customer_problem(it) -> tuple[str, str]:
    """Problems of the per-customer keys (per, times, when)."""
    if it.per and it.per not in PER:
        return f"per '{it.per}' must be one of {', '.join(PER)}", "per"
    if it.per and it.period != "year":
        return 'an item owed per customer counts times a year: add period = "year"', "per"
    if it.times != 1 and not it.per:
        return 'times needs per = "key-customer" or per = "warranty"', "times"
    if it.when and it.when not in WHEN:
        return f"when '{it.when}' must be one of {', '.join(WHEN)}", "when"
    if it.when and not it.after:
        return 'when keeps only some records of the after item: add after = "S15"', "when"
    return "", ""


def _problem(it, codes: set[str]) -> tuple[str, str]:
    if it.period and it.period not in KINDS:
        return f"period '{it.period}' must be one of {', '.join(KINDS)}", "period"
    problem = _customer_problem(it)
    if problem[0]:
        return problem
    for key in ("after", "satisfied_by"):
        for ref in split_codes(getattr(it, key)):
            if ref.lower() not in codes:
                return f"{key} = '{ref}' names no item of this checklist", key
            if ref.lower() == it.code.lower():
                return f"{key} names the item itself", key
    if not it.due:
        if it.period or it.after:
            return (
                'a periodic or event-driven item needs a due rule, e.g. due = "next-period+1d"',
                "period" if it.period else "after",
            )
        return "", ""
    if it.period and it.after:
        return "an item is either periodic (period) or follows an event (after), not both", "after"
    try:
        rule = parse_rule(it.due)
    except ValueError as e:
        return str(e), "due"
    if it.period and not rule.periodic:
        return (
            f"due '{it.due}' counts from an event but the item has period = '{it.period}'; use {PERIODIC_FORMS}",
            "due",
        )
    if not it.period and rule.periodic:
        return f"due '{it.due}' needs a period (add period = \"month\"), or write {RELATIVE_FORMS}", "due"
    return "", ""
