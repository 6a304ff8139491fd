"""The trade thesaurus: groups of words a searcher means alike (砼 = 混凝土, 塔吊 = 塔式起重机).

A query word that holds a word of a group is also looked for with each other word of the
group put in its place (砼试块 → 混凝土试块), at a lower weight than what was typed, so the
literal word ranks first.  dangan ships ``indexer/synonyms.toml``; ``dangan init`` copies
it into the home, where it can be edited, and a search reads the home's copy (re-read when
it changes).

The file is TOML: an optional top-level ``weight`` (0 < weight < 1, the score of a synonym
relative to the literal word) and tables whose ``groups`` are arrays of words::

    weight = 0.5
    [materials]
    groups = [
      ["混凝土", "砼"],
    ]

Every mistake is a ``ConfigError`` naming the file and line: bad TOML, a group of fewer
than two different words, a word that is not text or has nothing searchable in it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dangan.indexer.errors import ConfigError
from dangan.indexer.text import fold

SYNONYMS_NAME = "synonyms.toml"
SHIPPED = Path(__file__).resolve().parent / SYNONYMS_NAME
DEFAULT_WEIGHT = 0.5
MAX_WORD_CHARS = 20
# How many synonym variants one query word may add: each is one more phrase to look up.
MAX_VARIANTS = 6
_LATIN = re.compile(r"[0-9a-z]+")
_SEARCHABLE = re.compile(r"[^\W_]")  # a letter, digit or CJK character: what the analysis keeps


@dataclass
class Thesaurus:
    """Folded word → its synonyms (folded), and the weight a synonym scores with."""

    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    weight: float = DEFAULT_WEIGHT
    source: str = ""

    def __len__(self) -> int:
        return len(self.synonyms)

    def variants(self, word: str) -> list[tuple[str, str, str]]:
        """(variant text, found word, synonym put in its place) for a query word.

        Thesaurus words are found inside the (folded) query word, longest first and without
        overlaps; each found word is replaced by each of its synonyms in turn.  A word of
        Latin letters or digits only counts as a whole token (PE is not found in PEN).
        """
        folded = fold(word).lower()
        out: list[tuple[str, str, str]] = []
        for start, found in self._occurrences(folded):
            for other in self.synonyms[found]:
                variant = folded[:start] + other + folded[start + len(found) :]
                if variant != folded and all(v[0] != variant for v in out):
                    out.append((variant, found, other))
                if len(out) >= MAX_VARIANTS:
                    return out
        return out

    def _occurrences(self, folded: str) -> list[tuple[int, str]]:
        """(start, thesaurus word) found in ``folded``, longest first, not overlapping."""
        if not self.synonyms:
            return []
        longest = min(len(folded), MAX_WORD_CHARS)
        taken: set[int] = set()
        found: list[tuple[int, str]] = []
        for size in range(longest, 0, -1):
            for start in range(len(folded) - size + 1):
                piece = folded[start : start + size]
                span = set(range(start, start + size))
                if piece in self.synonyms and not span & taken and _whole_latin(folded, start, size):
                    found.append((start, piece))
                    taken |= span
        return sorted(found)


def _whole_latin(text: str, start: int, size: int) -> bool:
    """A Latin/digit thesaurus word must not continue a Latin/digit run on either side."""
    if not _LATIN.fullmatch(text[start : start + size]):
        return True
    before = text[start - 1] if start else ""
    after = text[start + size] if start + size < len(text) else ""
    return not (_LATIN.fullmatch(before or "-") or _LATIN.fullmatch(after or "-"))


_CACHE: dict[str, tuple[tuple[int, int], Thesaurus]] = {}


def load(path: Path) -> Thesaurus:
    """The thesaurus in ``path`` (cached until the file changes); ConfigError with file and line."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as e:
        raise ConfigError(
            f"{path}: cannot read the synonym list ({e.strerror}); delete it and run `dangan init` to restore it"
        ) from e
    key = str(path)
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    thesaurus = parse(path.read_bytes(), path)
    _CACHE[key] = (stamp, thesaurus)
    return thesaurus


def for_index(index_dir: Path) -> Thesaurus:
    """The thesaurus a search in ``index_dir`` uses: the home's ``synonyms.toml`` beside the
    index folder when there is one, else the shipped lists."""
    home_copy = Path(index_dir).parent / SYNONYMS_NAME
    return load(home_copy if home_copy.is_file() else SHIPPED)


def parse(data: bytes, path: Path) -> Thesaurus:
    """Validate and read a synonym file's bytes; every mistake names ``path`` and a line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from e
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        where = str(e).replace("at end of document", f"at the end of the file, line {text.count(chr(10)) + 1}")
        raise ConfigError(f'{path}: {where}; fix that line (a group is written ["混凝土", "砼"])') from e
    lines = text.splitlines()
    weight = _weight(raw.pop("weight", DEFAULT_WEIGHT), path, lines)
    synonyms: dict[str, set[str]] = {}
    for name, table in raw.items():
        for group in _groups(name, table, path, lines):
            words = [_word(w, name, path, lines) for w in group]
            distinct = list(dict.fromkeys(words))
            if len(distinct) < 2:
                raise _error(
                    path, lines, _needle(group), f"group {group!r} in [{name}] needs at least two different words"
                )
            for w in distinct:
                synonyms.setdefault(w, set()).update(o for o in distinct if o != w)
    frozen = {w: tuple(sorted(others)) for w, others in synonyms.items()}
    return Thesaurus(frozen, weight, str(path))


def _weight(value, path: Path, lines: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise _error(path, lines, "weight", f"weight = {value!r} must be a number between 0 and 1 (e.g. 0.5)")
    return float(value)


def _groups(name: str, table, path: Path, lines: list[str]) -> list[list]:
    if not isinstance(table, dict) or set(table) != {"groups"} or not isinstance(table["groups"], list):
        raise _error(path, lines, f"[{name}]", f'[{name}] must hold only groups = [["word", "synonym"], …]')
    for group in table["groups"]:
        if not isinstance(group, list):
            raise _error(path, lines, _needle([group]), f"[{name}] groups: {group!r} is not a list of words")
    return table["groups"]


def _word(value, name: str, path: Path, lines: list[str]) -> str:
    if not isinstance(value, str):
        raise _error(path, lines, repr(value), f"[{name}]: {value!r} is not a word in quotes")
    word = fold(value.strip()).lower()
    if not _SEARCHABLE.search(word) or len(word) > MAX_WORD_CHARS or re.search(r"\s", word):
        raise _error(
            path, lines, f'"{value}"',
            f"[{name}]: {value!r} is not a searchable word (Chinese characters, letters or digits, "
            f"no spaces, at most {MAX_WORD_CHARS} characters)",
        )  # fmt: skip
    return word


def _needle(group) -> str:
    first = next((w for w in group if isinstance(w, str)), None)
    return f'"{first}"' if first is not None else repr(group)


def _error(path: Path, lines: list[str], needle: str, message: str) -> ConfigError:
    """ConfigError naming the first line of the file that holds ``needle``."""
    number = next((n for n, line in enumerate(lines, 1) if needle in line.split("#", 1)[0]), None)
    where = f"{path} line {number}" if number else str(path)
    return ConfigError(
        f"{where}: {message}; fix it, or delete the file and run `dangan init` to restore the shipped one"
    )


def shipped_path() -> Path:
    """The synonym lists dangan ships (what ``dangan init`` copies into a home)."""
    return SHIPPED


def missing_groups(home_copy: Path) -> list[tuple[str, list[str]]]:
    """The shipped groups a home's copy lacks, as (table, words): a group counts as there when
    the copy already makes each of its words find every other.  A home keeps the copy
    ``dangan init`` made, so groups shipped later reach it only through ``add_groups``."""
    have = load(home_copy).synonyms
    shipped = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    out: list[tuple[str, list[str]]] = []
    for name, table in shipped.items():
        if name == "weight":
            continue
        for group in table["groups"]:
            folded = [fold(w.strip()).lower() for w in group]
            if not all(set(folded) - {w} <= set(have.get(w, ())) for w in folded):
                out.append((name, list(group)))
    return out


def add_groups(home_copy: Path, groups: list[tuple[str, list[str]]], table: str) -> None:
    """Append ``groups`` to the home's copy as one new table ``[table]`` (nothing the user
    wrote is touched); the file is replaced atomically and read again by the next search."""
    from dangan.indexer.fsutil import atomic_write

    if home_copy.is_symlink():  # replacing it would cut the link; writing through it would leave the home
        raise ConfigError(f"{home_copy} is a link; replace it with the file itself, then run this again")
    text = home_copy.read_text(encoding="utf-8")
    lines = [f"\n# added by `dangan synonyms update` from the lists dangan ships\n[{table}]", "groups = ["]
    lines += ["  [" + ", ".join(f'"{w}"' for w in words) + "]," + f"  # {name}" for name, words in groups]
    lines.append("]\n")
    parse((text.rstrip("\n") + "\n" + "\n".join(lines)).encode("utf-8"), home_copy)  # a mistake is ours: refuse it
    atomic_write(home_copy, text.rstrip("\n") + "\n" + "\n".join(lines))
