"""dangan's domain library: archive home, catalog, checklists, vault, ingest, completeness, forms.

Never imports click; raises the typed errors of :mod:`dangan.indexer.errors`.
"""
