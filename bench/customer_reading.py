"""How well service records are read: customer, own date (or covered period), ticket quoted.

    python bench/customer_reading.py [-v]

Two sets, both written fresh: the old one (bench/customer_reading_docs.py, 32 records, round 3)
and the new one (bench/customer_reading_fresh.py, 48 records of other trades and layouts,
written in round 4 before any rule was changed).  Each alternates tune / held-out; a third,
bench/customer_reading_late.py (20 records written after the rules, none used to change them),
is reported as "late check"; bench/customer_reading_final.py (16 records, written before the
rules were changed again from the late check's misses) as "final check".  The figures
are printed for the four parts and each field: customer (customer_from_text), date
(document_date with the item's period), ticket (the 派工单 number a record quotes).  ``-v``
prints every miss.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from customer_reading_docs import CASES  # noqa: E402
from customer_reading_final import FINAL  # noqa: E402
from customer_reading_fresh import FRESH  # noqa: E402
from customer_reading_late import LATE  # noqa: E402

from dangan.archive.customers.matching import tickets_in  # noqa: E402
from dangan.archive.customers.reading import customer_from_text  # noqa: E402
from dangan.archive.intake.dates import document_date  # noqa: E402


def read(period: str, text: str) -> tuple[str | None, str | None, str | None]:
    day, _ = document_date(text, period)
    return customer_from_text(text), day.isoformat() if isinstance(day, date) else None, tickets_in(text)[1]


def main() -> None:
    parts = {
        "old tune": CASES[0::2],
        "old held-out": CASES[1::2],
        "new tune": FRESH[0::2],
        "new held-out": FRESH[1::2],
        "late check": LATE,  # written after the round-4 rules (see its docstring)
        "final check": FINAL,  # held out: written before the rules were changed from the late check
    }
    verbose = "-v" in sys.argv
    for name, cases in parts.items():
        right = [0, 0, 0]
        for period, text, *expected in cases:
            got = read(period, text)
            for k in range(3):
                ok = got[k] == expected[k]
                right[k] += ok
                if not ok and verbose:
                    print(
                        f"  {name} miss {('customer', 'date', 'ticket')[k]}: got {got[k]!r} want {expected[k]!r}: {text[:30]!r}"
                    )
        n = len(cases)
        print(f"{name:12s} {n} records: customer {right[0]}/{n}, date {right[1]}/{n}, ticket {right[2]}/{n}")


if __name__ == "__main__":
    main()
