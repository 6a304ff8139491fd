"""The Chinese font the volume PDFs are drawn in: WenQuanYi Micro Hei, embedded (subset) by reportlab.

An archive PDF must carry its fonts, so a viewer without Chinese fonts still shows the
cover and the 卷内目录; reportlab embeds the glyphs it uses.  The font comes from Debian's
``fonts-wqy-microhei`` (or ``[volume] font`` in dangan.toml pointing at another TTF/TTC).
"""

from __future__ import annotations

from pathlib import Path

from dangan.indexer.errors import MissingDependencyError

FONT_NAME = "DanganCJK"
DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_registered: dict[str, str] = {}


def register_font(path: str | Path | None = None) -> str:
    """Register the font with reportlab once; return its name for ``setFont``."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    font = Path(path) if path else DEFAULT_FONT
    key = str(font)
    if key in _registered:
        return _registered[key]
    if not font.is_file():
        raise MissingDependencyError(
            f"the Chinese font {font} for volume PDFs is missing; install it with: apt-get install fonts-wqy-microhei "
            f"(or set [volume] font in dangan.toml to a TTF/TTC file)"
        )
    name = FONT_NAME if not _registered else f"{FONT_NAME}{len(_registered)}"
    try:
        pdfmetrics.registerFont(TTFont(name, str(font), subfontIndex=0))
    except (TTFError, OSError) as e:
        raise MissingDependencyError(
            f"the font {font} cannot be used for volume PDFs ({e}); point [volume] font at a TTF/TTC file"
        ) from e
    _registered[key] = name
    return name
