"""dangan (档案): the one installed name of the archive and form system.

Installed, this folder holds everything: ``dangan.cli``, ``dangan.commands``, ``dangan.web``,
``dangan.archive``, ``dangan.indexer`` and ``dangan.templates`` (setup.py maps the repository's
top-level folders here).  In a source checkout those folders stay at the top (the design
card's layout), and this file lends them the package: with the checkout on ``sys.path``
(pytest's ``pythonpath``, ``PYTHONPATH=$PWD`` in a git worktree, or an editable install)
``dangan.archive`` is ``<checkout>/archive``, so the checkout's own code is what runs.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parent

# Installed, cli.py sits beside this file and the package is this folder.  In a checkout it
# sits one level up, beside pyproject.toml: the checkout's top-level folders are the package.
if not (_HERE / "cli.py").is_file() and (_CHECKOUT / "cli.py").is_file() and (_CHECKOUT / "pyproject.toml").is_file():
    __path__ = [str(_CHECKOUT)]
