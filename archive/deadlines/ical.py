"""The deadlines as a calendar file (RFC 5545) a phone or Outlook can import.

Written by hand rather than with the ``icalendar`` package: all-day events need six
properties, and the three rules that matter — CRLF line ends, lines folded at 75 octets
without splitting a UTF-8 character, and ``\\ ; ,`` and newlines escaped in text — fit in a
page, so one more dependency is not worth it.  Each deadline keeps the same UID across runs,
so importing a newer file updates the events instead of doubling them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dangan.indexer.errors import InputFileError
from dangan.indexer.fsutil import atomic_write


@dataclass(frozen=True)
class Deadline:
    """One all-day calendar entry on the day something is due."""

    uid: str
    day: date
    summary: str
    description: str = ""


def escape(text: str) -> str:
    """TEXT value escaping of RFC 5545 §3.3.11."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold_line(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never inside a character."""
    out: list[str] = []
    chunk, size = "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + n > limit:
            out.append(chunk)
            chunk, size = "", 0
        chunk += ch
        size += n
    out.append(chunk)
    return "\r\n ".join(out)


def calendar(deadlines: list[Deadline], *, stamp: datetime, name: str = "dangan 归档期限") -> str:
    """The VCALENDAR text for ``deadlines``; ``stamp`` is the DTSTAMP of every event."""
    utc = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dangan//deadlines//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{escape(name)}"]  # fmt: skip
    for d in deadlines:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape(d.uid)}",
            f"DTSTAMP:{utc}",
            f"DTSTART;VALUE=DATE:{d.day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(d.day + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{escape(d.summary)}",
        ]
        if d.description:
            lines.append(f"DESCRIPTION:{escape(d.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)


def write_ics(path: Path, deadlines: list[Deadline], *, stamp: datetime) -> None:
    """Write the calendar all or nothing; InputFileError when the folder cannot take it."""
    try:
        atomic_write(Path(path), calendar(deadlines, stamp=stamp))
    except OSError as e:
        raise InputFileError(f"{path}: cannot write the calendar file ({e.strerror}); choose another path") from e
