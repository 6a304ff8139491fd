"""The life of a filed document after ingest: show, edit, discard, restore, trash and undo.

Every change goes through :func:`dangan.archive.life.change.apply_change`: the vault file moves first
(link to the new name, then unlink the old, as filing does), the catalog row and one event with
the old and new values second, the search index third.  The event's ``before`` is enough to
reverse the change, which is what ``dangan undo`` does.
"""
