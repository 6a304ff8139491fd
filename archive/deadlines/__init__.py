"""Filing deadlines of service records: periodic items, event-driven follow-ups, waivers.

The modules, lowest first:

* :mod:`~dangan.archive.deadlines.periods` – days, weeks, months, quarters, years and their keys
* :mod:`~dangan.archive.deadlines.rules` – due rules (``next-period+1d``, ``next-week:tue``, ``+3d..+7d``)
* :mod:`~dangan.archive.deadlines.timing` – validation of a checklist's deadline keys (file and line)
* :mod:`~dangan.archive.deadlines.servicedata` – customer and service date per document, period waivers
* :mod:`~dangan.archive.deadlines.obligations` – what is owed, filed on time or late, overdue, due soon
* :mod:`~dangan.archive.deadlines.ical` – the deadlines as an RFC 5545 calendar file

This package re-exports nothing: import from the modules (the checklist loader imports
``timing`` and must not pull in the catalog).
"""
