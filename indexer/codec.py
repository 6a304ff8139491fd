"""How the index lays out posting lists on disk: packed blocks instead of pickles.

Whoosh's own codec (``W3Codec``) writes every posting list as blocks of a pickled tuple —
document-number deltas as pickled ints, weights as 9-byte pickled floats and each posting's
value as a pickled byte string — behind a pickled header, even for a term that occurs in
one document.  Its "inline small posting lists into the term table" option is broken
(``set_inline`` is misspelt in whoosh-reloaded 2.7, so any ``inlinelimit`` above 1 fails
at commit).  A bigram index has a great many terms that occur in one or two documents, so
that overhead was most of the index (bench/README.md).

``PackedCodec`` keeps Whoosh's term table, stored fields and columns and changes two things
(``dangan.indexer.writer`` fills it from a ``Group`` per term, a block at a time):

- posting lists of fewer than ``INLINE_LIMIT`` postings are kept in the term table itself
  (no block, no seek to read them);
- a block is a 15-byte ``struct`` header and a zlib-compressed body of fixed-width
  little-endian arrays: document-number deltas, weights (as integers when they all are, as
  they are for term frequencies times a whole-number field boost), value lengths, then the
  values concatenated.  Packing and unpacking stay in C (``struct``, ``accumulate``).

Whoosh pickles the codec into each segment's entry of the table of contents, so
``PackedCodec`` must keep this import path and name.  Segments written by ``W3Codec``
(indexes built before this codec) still read: each segment names its own codec.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from itertools import accumulate, pairwise
from operator import sub
from typing import Any, Iterator

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ListMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from dangan.indexer.postings import pack_ints, unpack_ints

# Posting lists shorter than this live in the term table: a block costs a seek and ~30 bytes
# of framing, and a bigram index has many terms found in only a few documents.
INLINE_LIMIT = 8
# Postings per block; a block is the unit read (and decompressed) to answer a query.
BLOCK_LIMIT = 128
# zlib level 1 compresses these arrays within a few percent of level 3, for less CPU.
COMPRESSION = 1

_MAGIC = b"DgP1"
_INFO = struct.Struct("<IIfBBB")  # postings, last id, max weight, compression, min/max length
_INT = struct.Struct("!i")  # Whoosh's own block-length prefix (StructFile.write_int)
# How a block's weights are written: all 1.0 (nothing), whole numbers, or 4-byte floats.
_ONES, _WHOLE, _FLOATS = 0, 1, 2


class PackedCodec(W3Codec):
    """Whoosh's W3 codec with inlined short posting lists and packed posting blocks."""

    def __init__(self, blocklimit: int = BLOCK_LIMIT, compression: int = COMPRESSION, inlinelimit: int = INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return PackedFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors (not used by our schema): Whoosh's own blocks
            return W3PostingsWriter(dbfile, self._blocklimit, byteids=True, compression=self._compression)
        return PackedPostingsWriter(
            dbfile, self._blocklimit, compression=self._compression, inlinelimit=self._inlinelimit
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class GroupedPostings:
    """Postings grouped as {field: {term: Group}}, each group in document order.

    ``PackedFieldWriter`` writes from the groups directly; iterating gives Whoosh's posting
    tuples in its order (field, term, document), for any other field writer.
    """

    def __init__(self, fields: dict[str, dict[bytes, Group]]):
        self.fields = fields

    def __iter__(self) -> Iterator[tuple]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                group = terms[tbytes]
                for docnum, weight, value in zip(group.docnums, group.weights, group.values(), strict=True):
                    yield fieldname, tbytes, docnum, weight, value


class Group:
    """One term's postings in a segment being written, packed as they will be on disk:
    document numbers, weights and value lengths in C arrays and the values in one byte
    string (about 13 bytes a posting where Python objects took about 110)."""

    __slots__ = ("docnums", "weights", "lengths", "data")

    def __init__(self):
        self.docnums = array("I")
        self.weights = array("f")
        self.lengths = array("I")
        self.data = bytearray()

    def add(self, docnum: int, weight: float, value: bytes | None) -> None:
        """One posting (documents must come in ascending order)."""
        self.docnums.append(docnum)
        self.weights.append(weight)
        if value:
            self.lengths.append(len(value))
            self.data += value
        else:
            self.lengths.append(0)

    def values(self) -> list[bytes]:
        """Each posting's value as its own bytes object."""
        return _split(self.lengths, self.data)


class PackedFieldWriter(W3FieldWriter):
    """Whoosh's field writer, reading each field's document lengths once per segment, and
    writing a term's postings a block at a time when they come grouped.

    Whoosh looks a posting's document length up in the per-document column for every
    posting it writes (16% of a build's time); the lengths of a field are read once here.
    """

    def add_postings(self, schema, lengths, items):
        cache = _LengthCache(lengths) if lengths else None
        if not isinstance(items, GroupedPostings):
            super().add_postings(schema, cache, items)
            return
        for fieldname in sorted(items.fields):
            terms = items.fields[fieldname]
            self.start_field(fieldname, schema[fieldname])
            column = cache.column(fieldname) if cache else None
            for tbytes in sorted(terms):
                self.start_term(tbytes)
                self._postwriter.add_group(terms[tbytes], column)
                self.finish_term()
            self.finish_field()


class _LengthCache:
    """``doc_field_length`` answered from one list per field."""

    def __init__(self, lengths):
        self._lengths = lengths
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str) -> int:
        return self.column(fieldname)[docnum]

    def column(self, fieldname: str) -> list[int]:
        """Every document's length of ``fieldname``, by document number."""
        column = self._fields.get(fieldname)
        if column is None:
            read = self._lengths.doc_field_length
            column = self._fields[fieldname] = [read(d, fieldname) for d in range(self._lengths.doc_count_all())]
        return column


class PackedPostingsWriter(W3PostingsWriter):
    """Writes posting lists as packed blocks, or into the term table when short."""

    # The current block, as Whoosh's writer keeps it (set by its untyped _new_block).
    _ids: Any
    _weights: Any
    _values: Any

    def start_postings(self, format_, terminfo):
        # Whoosh asks the file for its offset here; a term whose postings end up inlined
        # never needs it, so ``_write_block`` asks when it writes a term's first block.
        self._format = format_
        self._blockcount = 0
        self._new_block()
        self._terminfo = terminfo

    def add_group(self, group: Group, lengths: list[int] | None) -> None:
        """One term's postings, a block at a time (what ``add_posting`` does one by one);
        a block's values are sliced from the group's byte string, not copied one by one."""
        limit = self._blocklimit
        keep_values = self._format.fixed_value_size() != 0
        ends = list(accumulate(group.lengths, initial=0)) if keep_values else []
        for start in range(0, len(group.docnums), limit):
            if self._ids:
                self._write_block()
            end = min(start + limit, len(group.docnums))
            self._ids = group.docnums[start:end]
            self._weights = group.weights[start:end]
            self._values = _Slice(group.lengths[start:end], group.data[ends[start] : ends[end]]) if keep_values else []
            self._maxweight = max(self._weights)
            if lengths is not None:
                found = [length for length in map(lengths.__getitem__, self._ids) if length]
                self._minlength = min(found, default=None)
                self._maxlength = max(found, default=0)

    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # What W3TermInfo pickles into the term table: whole-number weights as ints
            # (2 bytes pickled instead of 9), and no weights at all when they are all 1.
            weights = None if all(w == 1.0 for w in self._weights) else tuple(_whole_or_float(self._weights))
            values = self._values.split() if isinstance(self._values, _Slice) else self._values
            terminfo._inlined = (tuple(self._ids), weights, tuple(values) if values else None)
            self._terminfo = None
            return terminfo
        if self._ids:
            self._write_block(last=True)
        terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def _write_block(self, last=False):
        if not self._blockcount:
            self._startoffset = self._postfile.tell()
            self._postfile.write(_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        body = _pack_body(ids, self._weights, self._values, self._format.fixed_value_size())
        comp = self._compression
        if comp:
            body = zlib.compress(body, comp)
        info = _INFO.pack(
            len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength), length_to_byte(self._maxlength)
        )
        length = len(info) + len(body)
        self._postfile.write(_INT.pack(-length if last else length))
        self._postfile.write(info)
        self._postfile.write(body)
        self._blockcount += 1
        self._new_block()


def _whole_or_float(weights) -> list:
    """Weights as ints where they are whole numbers (term frequency × a whole boost)."""
    return [int(w) if w.is_integer() else w for w in weights]


def _pack_body(ids, weights, values, fixedsize) -> bytes:
    """One block's document-number deltas, weights and values as packed arrays."""
    deltas = [ids[0], *map(sub, ids[1:], ids)]
    parts = [pack_ints(deltas)]
    if all(w == 1.0 for w in weights):
        parts.append(bytes((_ONES,)))
    elif all(w.is_integer() for w in weights):
        parts += [bytes((_WHOLE,)), pack_ints([int(w) for w in weights])]
    else:
        parts += [bytes((_FLOATS,)), array("f", weights).tobytes()]
    if isinstance(values, _Slice):
        if fixedsize is None or fixedsize < 0:
            parts.append(pack_ints(values.lengths))
        parts.append(bytes(values.data))
    else:
        if fixedsize is None or fixedsize < 0:
            parts.append(pack_ints([len(v) for v in values]))
        if fixedsize != 0 and values:
            parts.append(b"".join(values))
    return b"".join(parts)


class _Slice:
    """A block's values as their lengths and one byte string (a slice of a ``Group``)."""

    __slots__ = ("lengths", "data")

    def __init__(self, lengths, data):
        self.lengths = lengths
        self.data = data

    def __len__(self) -> int:
        return len(self.lengths)

    def split(self) -> list[bytes]:
        """Each value as its own bytes object."""
        return _split(self.lengths, self.data)


def _split(lengths, data) -> list[bytes]:
    """Values laid end to end in ``data`` as separate bytes objects, by their ``lengths``."""
    ends = list(accumulate(lengths, initial=0))
    return [bytes(data[a:b]) for a, b in pairwise(ends)]


class PackedLeafMatcher(W3LeafMatcher):
    """Reads the blocks ``PackedPostingsWriter`` wrote."""

    def _read_header(self):
        postfile = self._postfile
        postfile.seek(self._startoffset)
        magic = postfile.read(4)
        if magic != _MAGIC:
            raise ValueError(f"posting block tag {magic!r} is not {_MAGIC!r}: the index is damaged")
        self._baseoffset = postfile.tell()

    def _goto(self, position):
        postfile = self._postfile
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        postfile.seek(position)
        length = _INT.unpack(postfile.read(_INT.size))[0]
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + _INT.size + length
        count, maxid, maxweight, comp, minlen, maxlen = _INFO.unpack(postfile.read(_INFO.size))
        self._dataoffset = position + _INT.size + _INFO.size
        self._blocklength, self._maxid, self._maxweight, self._compression = count, maxid, maxweight, comp
        self._minlength = byte_to_length(minlen)
        self._maxlength = byte_to_length(maxlen)

    def _read_data(self):
        body = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            body = zlib.decompress(body)
        count = self._blocklength
        deltas, at = unpack_ints(body, 0, count)
        self._ids = tuple(accumulate(deltas))
        kind = body[at]
        at += 1
        if kind == _ONES:
            weights = (1.0,) * count
        elif kind == _WHOLE:
            weights, at = unpack_ints(body, at, count)
        else:
            weights = array("f")
            weights.frombytes(body[at : at + 4 * count])
            at += 4 * count
        self._weights = weights
        self._values = _unpack_values(body, at, count, self._fixedsize)
        self._data = True

    def _read_ids(self):
        self._read_data()

    def _read_weights(self):
        self._read_data()

    def _read_values(self):
        self._read_data()


def _unpack_values(body: bytes, at: int, count: int, fixedsize) -> tuple:
    """The block's values: variable-length ones after their lengths, fixed ones in a row."""
    if fixedsize == 0:
        return (None,) * count
    if fixedsize is None or fixedsize < 0:
        lengths, at = unpack_ints(body, at, count)
        ends = list(accumulate(lengths, initial=at))
        return tuple(body[a:b] for a, b in pairwise(ends))
    return tuple(body[i : i + fixedsize] for i in range(at, at + fixedsize * count, fixedsize))
