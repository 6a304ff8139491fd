"""The volume PDF: fonts, the paper forms (cover, 卷内目录, 备考表), conversion, stamping, building.

* :mod:`~dangan.archive.volumes.pdf.fonts` – the embedded Chinese font
* :mod:`~dangan.archive.volumes.pdf.covers` – 案卷封面, 卷内目录, 卷内备考表 as PDF pages (reportlab)
* :mod:`~dangan.archive.volumes.pdf.convert` – PDFs, images, Office/WPS files (LibreOffice), text and e-mails as PDF pages
* :mod:`~dangan.archive.volumes.pdf.stamp` – page numbers bottom right
* :mod:`~dangan.archive.volumes.pdf.build` – one volume's PDF, top to bottom
"""

from __future__ import annotations

from dangan.archive.volumes.pdf.build import BuiltVolume, build_volume, contents_rows

__all__ = ["BuiltVolume", "build_volume", "contents_rows"]
