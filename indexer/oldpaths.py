"""Indexes written before dangan was one installed package: their old module paths still open.

Whoosh pickles the index's analyzers, posting format and codec into its table of contents by
module path.  Until the release that installed everything under ``dangan`` the modules
``analysis``, ``postings`` and ``codec`` were installed under a top-level ``indexer``; now they
are ``dangan.indexer.…``.  Rather than call a sound index damaged (and make the user rebuild it),
a finder at the *end* of ``sys.meta_path`` answers for ``indexer`` and ``indexer.<module>``
with a stand-in module whose attributes are the new module's, so unpickling finds the very
same classes.  Being last, it never shadows a real ``indexer`` another distribution installs
(then the old index is reported as damaged: "run dangan reindex"), and it answers only for
modules that exist under ``dangan.indexer``.  Nothing is installed into site-packages.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

OLD = "indexer"
NEW = "dangan.indexer"


class _Forward(importlib.abc.Loader):
    """Fills a stand-in module: every attribute is looked up on the new module (PEP 562)."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        """The default module object."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Make ``module`` forward to its ``dangan.indexer`` counterpart."""
        target = importlib.import_module(NEW + module.__name__[len(OLD) :])
        module.__getattr__ = lambda name: getattr(target, name)  # type: ignore[method-assign]
        module.__doc__ = f"Old path of {target.__name__} (indexes written before one package)."


class OldIndexerPaths(importlib.abc.MetaPathFinder):
    """Finds ``indexer[.x]`` as a stand-in for ``dangan.indexer[.x]`` when nothing else does."""

    def find_spec(self, fullname: str, path=None, target=None) -> importlib.machinery.ModuleSpec | None:
        """A stand-in's spec, or None for every other name."""
        if fullname != OLD and not fullname.startswith(OLD + "."):
            return None
        new = NEW + fullname[len(OLD) :]
        try:
            found = importlib.util.find_spec(new)
        except ModuleNotFoundError:
            return None
        if found is None:
            return None
        spec = importlib.machinery.ModuleSpec(
            fullname, _Forward(), is_package=found.submodule_search_locations is not None
        )
        if spec.submodule_search_locations is not None:
            spec.submodule_search_locations = []  # its submodules come through this finder too
        return spec


def install() -> None:
    """Put the finder last on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, OldIndexerPaths) for f in sys.meta_path):
        sys.meta_path.append(OldIndexerPaths())
