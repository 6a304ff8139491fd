"""Tests of the committed sample project: it matches its generator and reads as intended.

``dangan demo`` and the end-to-end test rely on ``samples/expected.json``; these tests make
sure every file is there, extraction gets out of each what classification needs (the item's
words, the project code, a 2024 date), the duplicate is byte-identical and the broken file
fails with a typed error.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import opencc
import pytest

from dangan.indexer.errors import InputFileError
from dangan.indexer.extract import extract
from samples import make_samples

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
INBOX = SAMPLES / "inbox" / "BJ-2024-017"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
FILED = sorted(name for name, outcome in EXPECTED.items() if "item" in outcome)


def _aliases() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "archive" / "checklists" / "construction.toml").read_text(encoding="utf-8"))
    return {item["code"]: item["aliases"] for group in data["groups"] for item in group["items"]}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    """Each sample meant to be filed, extracted once and folded to Simplified."""
    to_simplified = opencc.OpenCC("t2s")
    return {name: to_simplified.convert(extract(INBOX / name).text) for name in FILED}


def test_expected_json_lists_exactly_the_inbox_files():
    assert sorted(EXPECTED) == sorted(p.name for p in INBOX.iterdir())


def test_committed_samples_match_the_generator(tmp_path):
    make_samples.build_all(tmp_path / "inbox", tmp_path / "expected.json")
    assert json.loads((tmp_path / "expected.json").read_text(encoding="utf-8")) == EXPECTED
    changed = [name for name in EXPECTED if (tmp_path / "inbox" / name).read_bytes() != (INBOX / name).read_bytes()]
    assert changed == [], "samples are stale: run samples/make_samples.py and commit the result"


def test_samples_are_small_and_documented():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert sum(p.stat().st_size for p in INBOX.iterdir()) < 2_000_000
    assert [name for name in EXPECTED if name not in readme] == []


def test_samples_cover_some_but_not_all_checklist_items():
    covered = {outcome["item"] for outcome in EXPECTED.values() if "item" in outcome}
    assert 8 <= len(covered) < len(_aliases())


@pytest.mark.parametrize("name", FILED)
def test_each_filed_sample_reads_with_its_item_words_project_and_date(texts, name):
    text = texts[name]
    aliases = _aliases()[EXPECTED[name]["item"]]
    assert any(alias in "".join(text.split()) for alias in aliases), f"{name}: none of {aliases} in {text[:80]!r}"
    assert "BJ-2024-017" in text.upper()
    assert re.search(r"2024年\d{1,2}月\d{1,2}日|2024-\d\d-\d\d", text)


def test_duplicate_is_byte_identical_to_its_original():
    duplicates = {name: outcome["duplicate_of"] for name, outcome in EXPECTED.items() if "duplicate_of" in outcome}
    assert duplicates
    for copy, original in duplicates.items():
        assert (INBOX / copy).read_bytes() == (INBOX / original).read_bytes()


def test_failed_samples_raise_an_input_error_naming_the_file():
    failed = [name for name, outcome in EXPECTED.items() if outcome.get("failed")]
    assert failed
    for name in failed:
        with pytest.raises(InputFileError) as error:
            extract(INBOX / name)
        assert name in str(error.value)
