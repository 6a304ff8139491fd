"""How the index writes a term's positions in one document: packed numbers, not pickles.

Whoosh's ``Positions`` format stores each posting's position list as a 4-byte count plus a
pickled list of deltas: about 12 bytes for the single position most CJK bigrams have in a
document.  Every character of every document is indexed twice with positions (a bigram
field and the single-character field), so those bytes were most of the index.
``PackedPositions`` writes one byte naming the width (1, 2 or 4 bytes) and the deltas as
little-endian unsigned integers of that width: 2–3 bytes for one position.  Reading stays in
C (``struct.unpack`` and ``itertools.accumulate``), as unpickling was.

It also indexes our own analyzer's tokens without Whoosh's per-token ``Token`` objects
(the analysis of a document was a Python loop over one reused object per token).

Whoosh pickles a field's format into the index's table of contents, so ``PackedPositions``
must keep this import path and name.  Indexes written with Whoosh's own format still read:
each index names its format.
"""

from __future__ import annotations

import struct
from itertools import accumulate
from operator import sub
from typing import Iterator

from whoosh.formats import Positions

from dangan.indexer.analysis import ChineseTokenizer, token_texts
from dangan.indexer.text import fold

_WIDTHS = ((1 << 8, 1, "B"), (1 << 16, 2, "H"), (1 << 32, 4, "I"))
_CODES = {1: "B", 2: "H", 4: "I"}
# Most terms occur once in a document: their packed value in one C call.
_ONE_BYTE = struct.Struct("<BB")
_ONE_SHORT = struct.Struct("<BH")


def pack_ints(values) -> bytes:
    """Non-negative integers as one width byte and little-endian numbers of that width (the
    packing of position lists here and of posting blocks in ``dangan.indexer.codec``)."""
    top = max(values, default=0)
    for limit, width, code in _WIDTHS:
        if top < limit:
            return bytes((width,)) + struct.pack(f"<{len(values)}{code}", *values)
    raise ValueError(f"{top} is beyond what a posting block stores (2**32)")


def unpack_ints(data: bytes, offset: int, count: int) -> tuple[tuple[int, ...], int]:
    """``count`` integers ``pack_ints`` packed at ``offset``, and the offset after them."""
    width = data[offset]
    end = offset + 1 + width * count
    return struct.unpack_from(f"<{count}{_CODES[width]}", data, offset + 1), end


def pack_positions(positions: list[int]) -> bytes:
    """Ascending positions as one width byte and little-endian deltas of that width."""
    return pack_ints([positions[0], *map(sub, positions[1:], positions)])


def unpack_positions(value: bytes) -> list[int]:
    """The positions ``pack_positions`` packed."""
    deltas, _end = unpack_ints(value, 0, (len(value) - 1) // value[0])
    return list(accumulate(deltas))


class PackedPositions(Positions):
    """Whoosh ``Positions`` (frequency, weight, positions) with packed position lists."""

    def word_values(self, value, analyzer, **kwargs) -> Iterator[tuple[str, int, float, bytes]]:
        """(term, frequency, weight, packed positions) for each distinct term of ``value``."""
        if type(analyzer) is not ChineseTokenizer:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        get = positions.get
        for pos, text in enumerate(token_texts(fold(value), analyzer.gram)):
            found = get(text)
            if found is None:
                positions[text] = [pos]
            else:
                found.append(pos)
        boost = self.field_boost
        for term, found in positions.items():
            count = len(found)
            if count == 1 and found[0] < 1 << 16:
                first = found[0]
                packed = _ONE_BYTE.pack(1, first) if first < 256 else _ONE_SHORT.pack(2, first)
            else:
                packed = pack_positions(found)
            yield term, count, count * boost, packed

    def encode(self, poslist) -> bytes:
        return pack_positions(list(poslist))

    def decode_positions(self, valuestring) -> list[int]:
        return unpack_positions(valuestring)

    def decode_frequency(self, valuestring) -> int:
        return (len(valuestring) - 1) // valuestring[0]
