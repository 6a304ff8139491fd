"""Packaging that pyproject.toml cannot say: install the repository's folders under one name.

The repository keeps its top-level folders (archive/, indexer/, commands/, web/, templates/
and cli.py, as the design card fixes them); installed, they all live inside one package,
``dangan``, so site-packages gains exactly one top-level name.  Every package below those
folders is found here, so a new subpackage (or migration step) needs no edit.  Everything
else (metadata, dependencies, package data) is in pyproject.toml.
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

FOLDERS = ("archive", "indexer", "commands", "web", "templates")


class BuildPy(build_py):
    """Also install the top-level cli.py as ``dangan/cli.py``."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        if package == "dangan":
            modules.append(("dangan", "cli", "cli.py"))
        return modules


setup(
    packages=["dangan", *(f"dangan.{p}" for p in find_packages(include=[*FOLDERS, *(f"{f}.*" for f in FOLDERS)]))],
    package_dir={"dangan": "dangan", **{f"dangan.{f}": f for f in FOLDERS}},
    cmdclass={"build_py": BuildPy},
)
