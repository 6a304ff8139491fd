"""Packed position lists: what the index writes must read back exactly, at every width."""

from __future__ import annotations

import pytest
from whoosh.formats import Positions

from dangan.indexer.analysis import bigram_analyzer, unigram_analyzer
from dangan.indexer.postings import PackedPositions, pack_positions, unpack_positions


@pytest.mark.parametrize(
    "positions, size",
    [([0], 2), ([7, 8, 300], 7), ([1, 255], 3), ([3, 259], 5), ([70000], 5), ([5, 70_005, 70_006], 13)],
)
def test_positions_read_back_exactly_in_the_fewest_bytes(positions, size):
    packed = pack_positions(positions)
    assert unpack_positions(packed) == positions
    assert len(packed) == size
    assert PackedPositions().decode_frequency(packed) == len(positions)


def test_a_position_beyond_four_bytes_is_refused():
    with pytest.raises(ValueError, match="beyond"):
        pack_positions([1 << 32])


@pytest.mark.parametrize("analyzer", [bigram_analyzer(), unigram_analyzer()], ids=["bigrams", "chars"])
def test_terms_frequencies_and_positions_match_whooshs_own_format(analyzer):
    text = "竣工報告 第3#楼 竣工验收\n施工\n日志 ABC abc 竣工"
    ours = {
        t: (n, w, unpack_positions(v)) for t, n, w, v in PackedPositions(field_boost=2.0).word_values(text, analyzer)
    }
    plain = Positions(field_boost=2.0)
    theirs = {t: (n, w, plain.decode_positions(v)) for t, n, w, v in plain.word_values(text, analyzer)}
    assert ours == theirs
    if analyzer.gram == 2:
        assert ours["竣工"] == (3, 6.0, [0, 6, 15]) and ours["工日"][2] == [11] and ours["abc"][0] == 2
