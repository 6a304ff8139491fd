"""The web app (``dangan serve``): server-rendered pages and a JSON API over the archive library.

Same layer as ``commands/``: it imports ``archive`` and ``indexer`` only, and holds no
business logic (what a page needs and the library lacked was added to ``archive/``).
"""

from dangan.web import limits as _limits  # noqa: F401 - registers the "id" URL convertor before any route is made
