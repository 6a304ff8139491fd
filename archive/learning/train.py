"""Training the learned model from the catalog, and keeping it fresh without blocking filing.

Examples are the filed documents of each checklist.  The ones a person placed — a ``file``
from review or a ``refile``, on the command line or in the web app; the catalog logs both as
``filed-by-hand`` / ``refiled`` events — are the archivist's examples and the only ones that
count towards letting the model file by itself (``blend.py``).  Documents the rules filed and
nobody moved are kept as background: they teach the model what the other items look like,
and a person who let them stand has tacitly confirmed them.

The model file is derived data, like the search index: missing or damaged, it is rebuilt
from the catalog.  After ``[classifier] retrain_after`` (5) new decisions a training runs in
a separate process (``python -m dangan.archive.learning.train HOME``), so neither the command that
recorded the decision nor the web request waits for it.  Training only reads the catalog (no
writer lock: one read transaction sees a consistent catalog) and writes its own file with an
atomic rename; a lock file of its own (``.classifier.lock``) keeps two trainings of one home
from running at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np
from sqlalchemy import func, select

from dangan.archive.catalog import Catalog
from dangan.archive.learning.features import MAX_CHARS, document_tokens
from dangan.archive.learning.model import Head, LearnedModel, model_path, save, softmax_rows
from dangan.archive.schema import document_texts, documents, events, projects

log = logging.getLogger("dangan.classifier")

DECISIONS = ("filed-by-hand", "refiled")
RETRAIN_AFTER = 5
# Documents of one item a person must have placed before the model files that item by itself.
MIN_EXAMPLES = 5
LOCK_NAME = ".classifier.lock"
QUEUE_LOCK_NAME = ".classifier.queue.lock"
TRAIN_WAIT = 600.0
LOG_NAME = ".classifier.log"
MAX_LOG_BYTES = 1024 * 1024
MAX_FEATURES = 20000
BACKGROUND_PER_ITEM = 200
FOLDS = 5
_spawned: list[subprocess.Popen] = []


def examples(cat: Catalog) -> tuple[dict[str, list[tuple[str, str, str, bool]]], int]:
    """Per checklist: (name, text, item, placed_by_person) of each filed document; and the
    id of the last decision event seen (what the model is "as of").

    Every document a person placed is kept; of the ones the rules filed, the newest
    BACKGROUND_PER_ITEM per item, and of every text its first MAX_CHARS characters: a home of
    100,000 documents trains on a few thousand and never holds all its text in memory.
    """
    with cat.engine.connect() as conn:
        decided = {
            r[0] for r in conn.execute(select(events.c.document_id).where(events.c.action.in_(DECISIONS)).distinct())
        }
        last = conn.execute(select(func.max(events.c.id)).where(events.c.action.in_(DECISIONS))).scalar() or 0
        rows = conn.execute(
            select(
                documents.c.id,
                documents.c.original_name,
                documents.c.item_code,
                projects.c.checklist_id,
                func.substr(document_texts.c.content, 1, MAX_CHARS),
            )
            .join(projects, projects.c.code == documents.c.project_code)
            .join(document_texts, document_texts.c.document_id == documents.c.id, isouter=True)
            .where(documents.c.status == "filed", documents.c.item_code.is_not(None))
            .order_by(documents.c.id.desc())
        )
        out: dict[str, list] = {}
        background: Counter = Counter()
        for doc_id, name, item, checklist, content in rows:
            person = doc_id in decided
            if not person:
                background[checklist, item] += 1
                if background[checklist, item] > BACKGROUND_PER_ITEM:
                    continue
            out.setdefault(checklist, []).append((name, content or "", item, person))
    return {cl: rows[::-1] for cl, rows in out.items()}, int(last)


def train(cat: Catalog, *, measure: bool = True) -> LearnedModel | None:
    """Train every checklist that has a person's examples and save the model; None when no
    document was ever placed by a person (there is nothing to learn yet).

    ``measure=False`` skips the cross-validation (five of the six fits): a rebuild that a
    filing waits for; the next background training or `classifier train` measures again.
    """
    from threadpoolctl import threadpool_limits  # noqa: PLC0415  (installed with scikit-learn)

    started = time.perf_counter()
    by_checklist, last = examples(cat)
    # One BLAS thread: these matrices are small, and OpenBLAS's threads spinning against each
    # other and the ingest stations on a busy machine made a 1,000-document training take 8 s
    # of CPU (40 s wall) instead of 0.5 s (bench/learning.py).
    with threadpool_limits(1):
        heads = {cl: _train_head(cl, rows, measure) for cl, rows in by_checklist.items() if any(r[3] for r in rows)}
    if not heads:
        return None
    meta = {
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "last_decision": last,
        "seconds": round(time.perf_counter() - started, 2),
    }
    model = LearnedModel(heads, meta)
    save(model, model_path(cat.home))
    return model


def _train_head(checklist: str, rows: list[tuple[str, str, str, bool]], measure: bool = True) -> Head:
    """One checklist's vectoriser, classifier and centroids (scikit-learn fits; arrays are kept)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415  (only training needs it)

    docs = [document_tokens(name, text) for name, text, _item, _person in rows]
    labels = [item for _n, _t, item, _p in rows]
    vec = TfidfVectorizer(
        analyzer=_identity,
        sublinear_tf=True,
        min_df=2 if len(docs) >= 20 else 1,
        max_features=MAX_FEATURES,
        dtype=np.float32,
    )
    x = vec.fit_transform(docs)
    classes = sorted(set(labels))
    coef, intercept = _fit(x, labels, classes)
    person = Counter(item for _n, _t, item, p in rows if p)
    centroids = _centroids(x, labels, [p for *_x, p in rows], classes)
    vocab = {str(w): int(i) for w, i in vec.vocabulary_.items()}
    accuracy = (
        _accuracy(x, labels)
        if measure
        else {"accuracy": None, "accuracy_method": "not measured (rebuilt while filing)"}
    )
    stats = {"examples": len(rows), "by_item": dict(Counter(labels)), **accuracy}
    return Head(checklist, classes, vocab, vec.idf_.astype(np.float32), coef, intercept, centroids, dict(person), stats)


def _identity(tokens: list[str]) -> list[str]:
    """The vectoriser's analyser: documents arrive already tokenised (``features``)."""
    return tokens


def _classifier():
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    # C=10: few examples per item, and the words of a company's form are few and decisive.
    return LogisticRegression(C=10.0, max_iter=1000)


def _fit(x, labels: list[str], classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Softmax weights (one row per class); one class alone gets probability 1."""
    if len(classes) == 1:
        return np.zeros((1, x.shape[1]), dtype=np.float32), np.zeros(1, dtype=np.float32)
    clf = _classifier().fit(x, labels)
    assert list(clf.classes_) == classes  # sklearn sorts classes as we do
    coef, intercept = softmax_rows(clf.coef_, clf.intercept_)
    return coef.astype(np.float32), intercept.astype(np.float32)


def _centroids(x, labels: list[str], person: list[bool], classes: list[str]) -> np.ndarray:
    """Each item's mean direction: of the archivist's examples where there are any."""
    out = np.zeros((len(classes), x.shape[1]), dtype=np.float32)
    labels_arr, person_arr = np.array(labels), np.array(person)
    for i, item in enumerate(classes):
        rows = (labels_arr == item) & person_arr
        if not rows.any():
            rows = labels_arr == item
        mean = np.asarray(x[np.flatnonzero(rows)].mean(axis=0)).ravel()
        norm = float(np.linalg.norm(mean))
        out[i] = mean / norm if norm > 0 else mean
    return out


def _accuracy(x, labels: list[str]) -> dict:
    """Stratified k-fold cross-validation over the items with at least two examples."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: PLC0415

    counts = Counter(labels)
    keep = [i for i, label in enumerate(labels) if counts[label] >= 2]
    kept = [labels[i] for i in keep]
    if len(set(kept)) < 2:
        return {
            "accuracy": None,
            "accuracy_method": "too few examples to measure (need two items with two documents each)",
        }
    folds = min(FOLDS, min(Counter(kept).values()))
    scores = cross_val_score(_classifier(), x[keep], kept, cv=StratifiedKFold(folds, shuffle=True, random_state=0))
    return {
        "accuracy": round(float(scores.mean()), 4),
        "accuracy_method": f"{folds}-fold cross-validation on {len(kept)} documents",
    }


# -- keeping it fresh --------------------------------------------------------------------------
def decisions_since(cat: Catalog, last: int) -> int:
    """Decisions (file from review, refile) recorded after event ``last``."""
    with cat.engine.connect() as conn:
        q = select(func.count()).select_from(events).where(events.c.action.in_(DECISIONS), events.c.id > last)
        return int(conn.execute(q).scalar_one())


def needs_training(cat: Catalog, meta: dict) -> bool:
    """Whether the model described by ``meta`` is behind the catalog enough to retrain: after
    ``retrain_after`` decisions, or as soon as an item reaches the MIN_EXAMPLES that let the
    model file it by itself (the decision the archivist is waiting to see pay off)."""
    pending = decisions_since(cat, int(meta.get("last_decision", 0)))
    if pending >= retrain_after(cat):
        return True
    if pending == 0:
        return False
    ready = {
        (h.get("checklist"), i)
        for h in meta.get("heads", [])
        for i, n in h.get("person_counts", {}).items()
        if n >= MIN_EXAMPLES
    }
    return any(n >= MIN_EXAMPLES and key not in ready for key, n in person_counts(cat).items())


def person_counts(cat: Catalog) -> dict[tuple[str, str], int]:
    """(checklist, item) → filed documents a person placed there."""
    q = (
        select(projects.c.checklist_id, documents.c.item_code, func.count(func.distinct(documents.c.id)))
        .join(projects, projects.c.code == documents.c.project_code)
        .join(events, events.c.document_id == documents.c.id)
        .where(events.c.action.in_(DECISIONS), documents.c.status == "filed")
        .group_by(projects.c.checklist_id, documents.c.item_code)
    )
    with cat.engine.connect() as conn:
        return {(cl, item): int(n) for cl, item, n in conn.execute(q)}


def filed_counts(cat: Catalog) -> dict[tuple[str, str], int]:
    """(checklist, item) → filed documents, however they were placed."""
    q = (
        select(projects.c.checklist_id, documents.c.item_code, func.count())
        .join(projects, projects.c.code == documents.c.project_code)
        .where(documents.c.status == "filed", documents.c.item_code.is_not(None))
        .group_by(projects.c.checklist_id, documents.c.item_code)
    )
    with cat.engine.connect() as conn:
        return {(cl, item): int(n) for cl, item, n in conn.execute(q)}


def retrain_after(cat: Catalog) -> int:
    """How many new decisions start a background training (``[classifier] retrain_after``)."""
    return max(1, int(cat.home.setting("classifier", "retrain_after", RETRAIN_AFTER)))


def start_background(home_root: Path) -> subprocess.Popen | None:
    """Train in a separate process that outlives this command; its output goes to a log.

    None when a training is already queued (it will include this decision).
    """
    _reap()
    with training_lock(home_root, wait=0, name=QUEUE_LOCK_NAME) as free:
        if not free:
            return None
    log_path = Path(home_root) / LOG_NAME
    try:
        if log_path.exists() and log_path.stat().st_size > MAX_LOG_BYTES:
            log_path.replace(log_path.with_name(LOG_NAME + ".1"))  # keep one old log, never grow without end
        # O_NOFOLLOW: a link planted in the home must not make us append to another file.
        logfile = os.fdopen(os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644), "ab")
        with logfile:
            proc = subprocess.Popen(
                [sys.executable, "-m", "dangan.archive.learning.train", str(home_root)],
                stdin=subprocess.DEVNULL,
                stdout=logfile,
                stderr=logfile,
                start_new_session=True,
            )
    except (OSError, subprocess.SubprocessError) as e:
        # The decision is committed already; a model that stays old is no reason to fail it.
        log.warning("%s: could not start the classifier's training (%s); it trains at the next filing", log_path, e)
        return None
    _spawned.append(proc)
    return proc


def wait_background(timeout: float = 120.0) -> None:
    """Wait for the trainings this process started (tests, benchmarks, a clean shutdown)."""
    for proc in list(_spawned):
        proc.wait(timeout=timeout)
    _reap()


def _reap() -> None:
    """Forget finished children (their exit status is collected, so none is left a zombie)."""
    _spawned[:] = [p for p in _spawned if p.poll() is None]


@contextmanager
def training_lock(home_root: Path, *, wait: float, name: str = LOCK_NAME) -> Iterator[bool]:
    """A lock file of the home for the block; yields False when another process held it for
    ``wait`` seconds.  ``flock`` dies with its process, so a killed training leaves no stale lock."""
    try:
        fd = os.open(Path(home_root) / name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as e:  # a link or a folder planted under that name, a read-only home
        log.warning("%s: cannot open the lock file (%s); not training now", Path(home_root) / name, e)
        yield False
        return
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
        yield True
    finally:
        os.close(fd)


def is_fresh(cat: Catalog) -> bool:
    """Whether the model on disk already includes every decision in the catalog."""
    from dangan.archive.learning.model import ModelDamaged, read_meta  # noqa: PLC0415

    try:
        last = int(read_meta(model_path(cat.home)).get("last_decision", 0))
    except (FileNotFoundError, ModelDamaged):
        return False
    return decisions_since(cat, last) == 0


def main(argv: list[str]) -> int:
    """Entry point of the background training process: ``python -m dangan.archive.learning.train HOME``.

    One training runs at a time and at most one more waits: the waiter holds the queue lock
    until it gets the training lock, so a decision made while a training runs is always
    picked up by the waiter, and a burst of decisions starts no more than two processes.
    """
    from dangan.archive.home import Home  # noqa: PLC0415

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    home = Home.open(Path(argv[0]))
    with ExitStack() as queued:
        if not queued.enter_context(training_lock(home.root, wait=0, name=QUEUE_LOCK_NAME)):
            log.info("%s: a training is already waiting; it will include these decisions", home.root)
            return 0
        with training_lock(home.root, wait=TRAIN_WAIT) as got:
            queued.close()  # from here a newer decision queues the next training
            if not got:
                log.warning("%s: the running training did not end in %g s; not training", home.root, TRAIN_WAIT)
                return 1
            with Catalog.open(home) as cat:
                if is_fresh(cat):
                    return 0
                model = train(cat)
    log.info(
        "%s: trained %s", home.root, "nothing (no decisions yet)" if model is None else f"in {model.meta['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
