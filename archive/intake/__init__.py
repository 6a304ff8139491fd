"""Intake: a file from arriving in the inbox to a filed, searchable document.

The ingest pipeline and everything only it uses: preflight, the ingest record, inbox rules,
classification, dates, names, placement, the watcher, start-up recovery, the page record,
and filing by hand what the classifier left for review.
"""
