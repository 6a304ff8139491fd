"""Images (PNG, JPEG, multi-page TIFF): every frame made upright and RGB, then OCR'd."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from dangan.indexer import limits
from dangan.indexer.errors import UnsupportedFileError
from dangan.indexer.extract import ocr as _ocr  # via the module: tests and callers swap ocr_image there
from dangan.indexer.extract.common import Extraction, assemble, corrupt
from dangan.indexer.extract.ink import is_blank


def read_image(path: Path, mime: str, ocr: bool) -> Extraction:
    """OCR every frame of an image file (one page per TIFF frame) when ``ocr`` is on;
    blank frames (separator sheets, empty backs) are counted but not OCR'd."""
    notes = [] if ocr else ["OCR is off: image text not read"]
    readings = [_read_frame(frame, ocr) for frame in _frames(path)]
    texts = [text for text, _method, _why in readings]
    ocr_pages = [n for n, text in enumerate(texts, 1) if text]
    result = assemble(texts, mime, "ocr", ocr_pages, notes)
    result.page_methods = [{"page": n, "method": m, "why": why} for n, (_t, m, why) in enumerate(readings, 1)]
    return result


def _read_frame(frame: Image.Image, ocr: bool) -> tuple[str, str, str]:
    """(text, method, why) of one frame."""
    if not ocr:
        return "", "none", "OCR is off"
    if is_blank(frame):
        return "", "blank", "no ink on the page: OCR skipped"
    text = _ocr.ocr_image(frame).strip()
    return (text, "ocr", "") if text else ("", "none", "OCR found no text")


# PIL reports truncated or garbled data as any of these.
_PIL_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def _frames(path: Path):
    """Yield every frame (TIFF page) upright per EXIF orientation, as RGB, one at a time.

    One at a time because a 50-page 300 dpi TIFF decoded at once would take over 1 GB.
    """
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as e:
        raise _too_large(path) from e
    except _PIL_ERRORS as e:
        raise corrupt(path, "image", "re-scan or re-export it") from e
    with img:
        frames = getattr(img, "n_frames", 1)
        limits.check_pages(path, frames)
        for index in range(frames):
            limits.check_time(path)
            yield _decode_frame(path, img, index)


def _decode_frame(path: Path, img: Image.Image, index: int) -> Image.Image:
    try:
        img.seek(index)
        limits.check_pixels(path, *img.size)  # the header is read; no pixel decoded yet
        return _upright_rgb(img)
    except Image.DecompressionBombError as e:
        raise _too_large(path) from e
    except _PIL_ERRORS as e:
        raise corrupt(path, "image", "re-scan or re-export it") from e


def _too_large(path: Path) -> UnsupportedFileError:
    return UnsupportedFileError("{path} is too large an image to read safely: re-scan it at 300 dpi or less", path=path)


def _upright_rgb(frame: Image.Image) -> Image.Image:
    frame = ImageOps.exif_transpose(frame.copy())
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        # Transparent pixels are often black underneath; put them on white paper first.
        rgba = frame.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 255, 255))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    if frame.mode.startswith("I;16") or frame.mode in ("I", "F"):
        frame = ImageOps.autocontrast(frame.convert("I").point(lambda v: v / 256).convert("L"))
    return frame.convert("RGB")
