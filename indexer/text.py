"""Text helpers every layer shares: one fold and one decoder for text bytes.

``fold`` is the single normalisation used by search (index and queries) and by the
classifier: Traditional → Simplified (OpenCC's ``t2s`` data applied character by character),
full-width → half-width, A–Z → a–z.  It maps one character to one character, so offsets in
the folded text point into the original — what lets a Simplified query highlight the
Traditional words it matched.

``decode_text`` reads the bytes of a text file (CSV, TXT) the way Chinese offices write them:
a BOM wins (UTF-32 before UTF-16: its BOM begins with UTF-16's), else strict UTF-8, else the
legacy encoding the charset detector (charset-normalizer) finds least garbled among GB18030
(a superset of GBK), Big5 (Taiwan, Hong Kong) and Shift-JIS (Japanese suppliers), GB18030
winning ties.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from dangan.indexer.errors import InputFileError

# Only the BMP blocks are converted one by one.  The supplementary planes hold ~900 more
# (rare) mappings but would add 0.13 s to every start, more than the BMP costs in total.
_T2S_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))

_FOLD_TABLE: dict[int, int] | None = None


def fold_table() -> dict[int, int]:
    """The character-level fold table (code point → code point), built once per process.

    Building it converts ~28,000 characters with OpenCC in about 10 ms, so it is computed at
    first use rather than shipped as a data file.
    """
    global _FOLD_TABLE
    if _FOLD_TABLE is None:
        _FOLD_TABLE = _build_fold_table()
    return _FOLD_TABLE


def _build_fold_table() -> dict[int, int]:
    import opencc  # imported here: only needed once, when the table is built

    table = _t2s_table(opencc.OpenCC("t2s"))
    # Full-width ASCII (U+FF01–FF5E) maps onto ASCII 0x21–0x7E; the ideographic space to a space.
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = cp - 0xFEE0
    table[0x3000] = 0x20
    # Lower-case ASCII letters here too (Latin words are also lower-cased per token for
    # other scripts, but doing the common case in the table keeps the hot path cheap).
    for cp, target in list(table.items()):
        if 0x41 <= target <= 0x5A:
            table[cp] = target + 0x20
    for cp in range(0x41, 0x5B):
        table[cp] = cp + 0x20
    return table


def _t2s_table(converter) -> dict[int, int]:
    """Traditional → Simplified for each character of ``_T2S_RANGES`` that has a one-to-one
    mapping.  The characters go to OpenCC in one call, one per line: a line break ends any
    phrase, so each is converted on its own, as one call per character would (every search
    process builds this table: one call takes 8 ms, 28,000 took 60)."""
    sources = [_compatibility_unified(chr(cp)) for first, last in _T2S_RANGES for cp in range(first, last + 1)]
    converted = converter.convert("\n".join(sources)).split("\n")
    if len(converted) != len(sources):  # a conversion that added or removed a line break
        converted = [converter.convert(ch) for ch in sources]
    table: dict[int, int] = {}
    codepoints = (cp for first, last in _T2S_RANGES for cp in range(first, last + 1))
    for cp, source, target in zip(codepoints, sources, converted, strict=True):
        folded = target if len(target) == 1 else source
        if folded != chr(cp):
            table[cp] = ord(folded)
    return table


def _compatibility_unified(ch: str) -> str:
    """A compatibility ideograph (from old encodings) as the unified one it duplicates."""
    if 0xF900 <= ord(ch) <= 0xFAFF:
        nfkc = unicodedata.normalize("NFKC", ch)
        return nfkc if len(nfkc) == 1 else ch
    return ch


def fold(text: str) -> str:
    """``text`` with Traditional → Simplified, full-width → half-width, A–Z → a–z.

    The result always has the same length as ``text``.  ``str.translate`` looks every
    character up in the table (1.9 ms for 2,500 characters); most text is Simplified, where a
    regular expression finding the few characters that change is 5× faster.  Compiling it
    costs as much as folding ~100,000 characters, so a process compiles it only once it has
    folded ``_COMPILE_AFTER`` characters (a web server, a build; a one-shot search never
    does).  Text that starts with many changing characters (Traditional) is translated
    whole, which is then the faster way.
    """
    global _FOLDED
    table = fold_table()
    if _CHANGING_RE is None and _FOLDED < _COMPILE_AFTER:
        _FOLDED += len(text)
        return _fold_words(text.translate(table))
    changing = _changing_re()
    if len(changing.findall(text, 0, _SAMPLE_CHARS)) > _SAMPLE_RUNS:
        return _fold_words(text.translate(table))
    return _fold_words(changing.sub(lambda m: m.group().translate(table), text))


# Words Taiwan and Hong Kong spell with other characters than the mainland, which the
# character table alone folds to a third spelling: 紀錄 → 纪录 (mainland 记录), 計畫 → 计画
# (计划).  Each pair has the same length, so offsets still point into the original.  Every
# index built before these were folded is stale (``FOLD_VERSION``): `dangan reindex`.
_WORD_FOLDS = (("纪录", "记录"), ("计画", "计划"))
FOLD_VERSION = 2


def _fold_words(text: str) -> str:
    for old, new in _WORD_FOLDS:
        if old in text:  # a C-speed scan; most text holds neither
            text = text.replace(old, new)
    return text


# How much of a text ``fold`` looks at to choose its way, and how many runs of characters to
# change in it make the text count as Traditional.
_SAMPLE_CHARS = 256
_SAMPLE_RUNS = 8
_COMPILE_AFTER = 500_000
_FOLDED = 0  # characters folded by ``str.translate`` before the expression was compiled
_CHANGING_RE: re.Pattern[str] | None = None


def _changing_re() -> re.Pattern[str]:
    """A regular expression matching runs of characters the fold table changes."""
    global _CHANGING_RE
    if _CHANGING_RE is None:
        ranges: list[list[int]] = []
        for cp in sorted(fold_table()):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
        members = "".join(
            re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
        )
        _CHANGING_RE = re.compile(f"[{members}]+")
    return _CHANGING_RE


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with UTF-16's FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The legacy encodings a Chinese office meets, in order of preference when the detector
# finds them equally plausible (a two-character name can be valid in all three).
_LEGACY = ("gb18030", "big5", "cp932")


def decode_text(
    data: bytes, path: Path, *, advice: str = 'save it again as UTF-8 (in Excel: "CSV UTF-8")'
) -> tuple[str, str]:
    """(text, encoding name) of a text file's bytes; InputFileError naming the byte otherwise.

    Strict UTF-8 is tried before GB18030: GBK text is almost never valid UTF-8, while UTF-8
    Chinese text is rarely valid GB18030 end to end, so the order settles the ambiguity.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as e:
                raise InputFileError(
                    f"{path}: starts like {encoding} but byte {e.start} cannot be decoded; {advice}"
                ) from e
    failures = []
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        failures.append((e.start, "utf-8", e))
    legacy = _detect_legacy(data)
    if legacy is not None:
        return data.decode(legacy), legacy
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        failures.append((e.start, "gb18030", e))
    start, encoding, err = max(failures, key=lambda f: f[0])
    raise InputFileError(
        f"{path}: cannot decode the text at byte {start} (0x{data[start]:02x}); it is neither UTF-8 nor "
        f"GBK/GB18030 (read furthest as {encoding}); {advice}"
    ) from err


def _detect_legacy(data: bytes) -> str | None:
    """The legacy encoding (of ``_LEGACY``) that decodes ``data`` with the least garble, or None.

    charset-normalizer measures how "messy" each strict decoding looks; on short texts several
    look clean, and then GB18030 — what mainland offices write — is preferred.  Half-width
    katakana and private-use characters count as garble: they are what Big5 or GBK bytes read
    as Shift-JIS turn into.
    """
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 text needs it

    scored = []
    for match in from_bytes(data, cp_isolation=list(_LEGACY)):
        if match.encoding not in _LEGACY:
            continue
        text = str(match)
        odd = sum(1 for ch in text if 0xFF61 <= ord(ch) <= 0xFF9F or 0xE000 <= ord(ch) <= 0xF8FF)
        scored.append((match.chaos + odd / max(len(text), 1), _LEGACY.index(match.encoding), match.encoding))
    return min(scored)[2] if scored else None
