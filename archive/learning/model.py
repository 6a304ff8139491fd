"""The stored model: plain arrays in one NPZ file, loaded without pickle, and its predictions.

Why not a pickle (scikit-learn's usual ``joblib.dump``): unpickling runs whatever code the
file names, and a home is a folder anyone with write access to a share can change, so a
hostile ``classifier.npz`` would run code in every ingest station and in the web server.
An HMAC over a pickle with a per-home secret would not help: the secret would live in the
same home the attacker writes to.  So the file holds only numbers and strings — the
vocabulary, the IDF weights, the linear classifier's weights and the per-item centroids —
read with ``numpy.load(allow_pickle=False)`` (which refuses object arrays), checked for
shape and finiteness, and used by the few lines of numpy below.  The worst a forged file
can do is suggest wrong items, and the blend (``blend.py``) still requires the archivist's
own examples and refuses to overrule strong rule evidence.

Prediction reproduces scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` followed by a
multinomial ``LogisticRegression`` (tests check the two agree), plus the cosine similarity
to the centroid of the item's examples, which says whether the document looks like them at
all (a softmax always picks *some* item, even for an invoice unlike anything filed).
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dangan.archive.learning.features import document_tokens

MODEL_NAME = "classifier.npz"
FORMAT = 1
# A model of a few thousand documents is a few megabytes; anything far larger is not ours.
MAX_FILE_BYTES = 200 * 1024 * 1024


class ModelDamaged(Exception):
    """The model file cannot be used (unreadable, wrong format, inconsistent arrays)."""


def model_path(home) -> Path:
    """Where a home keeps its model (derived data: rebuilt from the catalog when missing)."""
    return Path(home.root) / MODEL_NAME


@dataclass
class Head:
    """The model of one checklist: items it knows and the weights that score them."""

    checklist: str
    classes: list[str]
    vocab: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (C, V): softmax rows, one per class
    intercept: np.ndarray  # (C,)
    centroids: np.ndarray  # (C, V): mean direction of each item's examples, unit length
    person_counts: dict[str, int] = field(default_factory=dict)  # examples placed by a person
    stats: dict = field(default_factory=dict)  # examples, accuracy, how it was measured

    def vector(self, name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The document's TF-IDF vector as (indices, values), unit length."""
        counts = Counter(t for t in document_tokens(name, text) if t in self.vocab)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        vals = (1.0 + np.log(tf)) * self.idf[idx]
        norm = float(np.linalg.norm(vals))
        return idx, vals / norm if norm > 0 else vals

    def predict(self, name: str, text: str) -> list["Guess"]:
        """Every item with its probability and similarity, most probable first."""
        idx, vals = self.vector(name, text)
        logits = self.coef[:, idx] @ vals + self.intercept
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        sims = self.centroids[:, idx] @ vals
        order = np.argsort(-probs, kind="stable")
        return [
            Guess(self.classes[i], float(probs[i]), float(sims[i]), self.person_counts.get(self.classes[i], 0))
            for i in order
        ]


@dataclass(frozen=True)
class Guess:
    """The model's view of one item for one document."""

    item: str
    probability: float
    similarity: float  # cosine to the centroid of the item's examples, 0–1
    examples: int  # documents a person placed under this item


@dataclass
class LearnedModel:
    """All heads of a home, with when and from what they were trained."""

    heads: dict[str, Head]
    meta: dict

    def head(self, checklist: str) -> Head | None:
        """The head for one checklist, if any of its documents were placed by a person."""
        return self.heads.get(checklist)


def save(model: LearnedModel, path: Path) -> None:
    """Write the model atomically (a reader sees the old file or the new one, never half)."""
    arrays: dict[str, np.ndarray] = {}
    heads = []
    for n, head in enumerate(model.heads.values()):
        words = sorted(head.vocab, key=head.vocab.__getitem__)
        arrays[f"h{n}_vocab"] = np.array(words, dtype=str) if words else np.zeros(0, dtype="<U1")
        arrays[f"h{n}_idf"] = head.idf.astype(np.float32)
        arrays[f"h{n}_coef"] = head.coef.astype(np.float32)
        arrays[f"h{n}_intercept"] = head.intercept.astype(np.float32)
        arrays[f"h{n}_centroids"] = head.centroids.astype(np.float32)
        heads.append(
            {
                "checklist": head.checklist,
                "classes": head.classes,
                "person_counts": head.person_counts,
                "stats": head.stats,
            }
        )
    meta = {**model.meta, "format": FORMAT, "heads": heads}
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **arrays)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_meta(path: Path) -> dict:
    """Only the metadata (when trained, from which events): cheap, for status and staleness."""
    with _open(path) as data:
        return _meta(data)


def load(path: Path) -> LearnedModel:
    """The model at ``path``; FileNotFoundError when there is none, ModelDamaged when unusable."""
    with _open(path) as data:
        meta = _meta(data)
        heads = {}
        for n, spec in enumerate(meta["heads"]):
            head = _head(data, n, spec)
            heads[head.checklist] = head
    return LearnedModel(heads, {k: v for k, v in meta.items() if k != "heads"} | {"heads": meta["heads"]})


def _open(path: Path):
    info = path.lstat()  # FileNotFoundError: no model yet
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block filing, a link could point anywhere
        raise ModelDamaged("not a regular file")
    size = info.st_size
    if size > MAX_FILE_BYTES:
        raise ModelDamaged(f"{size} bytes, larger than any model dangan writes")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise ModelDamaged(f"not a model file ({type(e).__name__}: {e})") from e


def _meta(data) -> dict:
    try:
        meta = json.loads(bytes(_array(data, "meta", np.uint8)).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelDamaged(f"unreadable metadata ({e})") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("heads"), list):
        raise ModelDamaged(f"metadata of another format ({str(meta)[:60]})")
    return meta


def _array(data, key: str, kind) -> np.ndarray:
    """One array of the expected kind; anything else (missing, object, wrong type) is damage."""
    try:
        arr = data[key]
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise ModelDamaged(f"array {key} unreadable ({type(e).__name__}: {e})") from e
    if not np.issubdtype(arr.dtype, kind):
        raise ModelDamaged(f"array {key} has type {arr.dtype}")
    if kind is np.floating and not np.all(np.isfinite(arr)):
        raise ModelDamaged(f"array {key} holds non-finite numbers")
    return arr


def _head(data, n: int, spec: dict) -> Head:
    """One head read back and checked: every array's shape must fit the vocabulary and classes."""
    try:
        checklist, classes = str(spec["checklist"]), [str(c) for c in spec["classes"]]
        person_counts = {str(k): int(v) for k, v in dict(spec.get("person_counts", {})).items()}
    except (KeyError, TypeError, ValueError) as e:
        raise ModelDamaged(f"head {n} description unreadable ({e})") from e
    words = _array(data, f"h{n}_vocab", np.str_)
    idf, coef = _array(data, f"h{n}_idf", np.floating), _array(data, f"h{n}_coef", np.floating)
    intercept, centroids = _array(data, f"h{n}_intercept", np.floating), _array(data, f"h{n}_centroids", np.floating)
    v, c = len(words), len(classes)
    if c == 0 or idf.shape != (v,) or coef.shape != (c, v) or intercept.shape != (c,) or centroids.shape != (c, v):
        raise ModelDamaged(f"head {n} ({checklist}): array shapes do not fit {c} items and {v} words")
    vocab = {str(w): i for i, w in enumerate(words)}
    if len(vocab) != v:
        raise ModelDamaged(f"head {n} ({checklist}): repeated words in the vocabulary")
    return Head(
        checklist, classes, vocab, idf, coef, intercept, centroids, person_counts, dict(spec.get("stats") or {})
    )


def softmax_rows(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's binary logistic regression (one row, sigmoid) as two softmax rows.

    softmax([-z/2, z/2]) = [σ(-z), σ(z)], so one code path scores every head.
    """
    if coef.shape[0] == 1:
        return np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    return coef, intercept
