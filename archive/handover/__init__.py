"""Handover (移交): the four-property check and the electronic package for 竣工验收.

* :mod:`~dangan.archive.handover.inspect` – does a file open (可用性), is it safe (安全性)
* :mod:`~dangan.archive.handover.checks` – the four checks (四性检测) as failing rows
* :mod:`~dangan.archive.handover.xlsx` – 案卷目录 and 卷内目录 spreadsheets, byte-reproducible
* :mod:`~dangan.archive.handover.xmlmeta` – the XML metadata file of a volume
* :mod:`~dangan.archive.handover.report` – the check report as HTML and JSON
* :mod:`~dangan.archive.handover.package` – the package folder, written atomically
"""

from __future__ import annotations

from dangan.archive.handover.checks import PROPERTIES, CheckReport, Finding, run_checks
from dangan.archive.handover.package import Package, write_package

__all__ = ["PROPERTIES", "CheckReport", "Finding", "Package", "run_checks", "write_package"]
