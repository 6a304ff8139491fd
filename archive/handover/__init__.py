"""Handover (移交): the four-property check and the electronic package for 竣工验收.

* :mod:`~archive.handover.inspect` – does a file open (可用性), is it safe (安全性)
* :mod:`~archive.handover.checks` – the four checks (四性检测) as failing rows
* :mod:`~archive.handover.xlsx` – 案卷目录 and 卷内目录 spreadsheets, byte-reproducible
* :mod:`~archive.handover.xmlmeta` – the XML metadata file of a volume
* :mod:`~archive.handover.report` – the check report as HTML and JSON
* :mod:`~archive.handover.package` – the package folder, written atomically
"""

from __future__ import annotations

from archive.handover.checks import PROPERTIES, CheckReport, Finding, run_checks
from archive.handover.package import Package, write_package

__all__ = ["PROPERTIES", "CheckReport", "Finding", "Package", "run_checks", "write_package"]
