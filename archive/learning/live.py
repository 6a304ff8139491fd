"""The learned model in use: loaded for filing, rebuilt when missing or damaged, retrained in
the background after new decisions, and described for ``dangan classifier status``.

Filing never waits for a retraining and never stops for the model: a damaged file is logged
(one line naming the file and the damage), rebuilt from the catalog, and when even that
fails the rules file alone.  Only a *missing or damaged* model is rebuilt in the filing
process itself, because the catalog holds decisions the rules cannot replace; that costs one
training (seconds for a thousand documents, see bench/learning.py) once.
"""

from __future__ import annotations

import logging
from typing import Any

from dangan.archive.catalog import Catalog
from dangan.archive.learning import train as training
from dangan.archive.learning.model import LearnedModel, ModelDamaged, load, model_path, read_meta
from dangan.indexer.errors import BusyError

log = logging.getLogger("dangan.classifier")

REBUILD_WAIT = 120.0  # seconds to wait for a training another process is running


def enabled(cat: Catalog) -> bool:
    """``[classifier] learn = false`` in dangan.toml turns the learned model off."""
    return bool(cat.home.setting("classifier", "learn", True))


def for_filing(cat: Catalog) -> LearnedModel | None:
    """The home's model for an ingest run; None when nothing was learned yet (or it is off)."""
    if not enabled(cat):
        return None
    path = model_path(cat.home)
    try:
        model = load(path)
    except FileNotFoundError:
        return _rebuild(cat)
    except ModelDamaged as e:
        log.warning("%s is damaged (%s); rebuilding it from the catalog, filing goes on", path, e)
        return _rebuild(cat)
    if training.needs_training(cat, model.meta):
        training.start_background(cat.home.root)  # this run files with the model it has
    return model


def _rebuild(cat: Catalog) -> LearnedModel | None:
    """Train from the catalog now; when a training is already running, wait and use its file."""
    if training.decisions_since(cat, 0) == 0:
        return None  # nothing a person decided: nothing to learn, nothing to write
    with training.training_lock(cat.home.root, wait=REBUILD_WAIT) as got:
        try:
            return load(model_path(cat.home))  # another process may have just written it
        except (FileNotFoundError, ModelDamaged) as e:
            if got:
                return _train_or_none(cat)
            log.warning(
                "%s: the other training left no usable model (%s); filing by the rules alone", model_path(cat.home), e
            )
            return None


def _train_or_none(cat: Catalog) -> LearnedModel | None:
    try:
        return training.train(cat, measure=False)  # a filing waits for this one
    except (ValueError, OSError, MemoryError) as e:
        # scikit-learn refuses degenerate data with ValueError; a full disk is OSError.
        log.warning(
            "%s: training failed (%s: %s); filing by the rules alone", model_path(cat.home), type(e).__name__, e
        )
        return None


def after_decision(cat: Catalog) -> None:
    """Called after a person files or refiles: retrain in the background every N decisions."""
    if not enabled(cat):
        return
    try:
        meta = read_meta(model_path(cat.home))
    except (FileNotFoundError, ModelDamaged):
        meta = {}  # rebuilt in the background now, or at the next filing
    if training.needs_training(cat, meta):
        training.start_background(cat.home.root)


def train_now(cat: Catalog) -> dict:
    """``dangan classifier train``: train in this process (waiting for a running training)."""
    with training.training_lock(cat.home.root, wait=REBUILD_WAIT) as got:
        if not got:
            raise BusyError(f"{cat.home.root}: another training of the classifier is running; try again when it ends")
        training.train(cat)
    return status(cat)


def status(cat: Catalog) -> dict:
    """What the model knows: per checklist and item the examples, when trained, its accuracy."""
    path = model_path(cat.home)
    checklists: list[dict] = []
    out: dict[str, Any] = {
        "model": str(path),
        "enabled": enabled(cat),
        "trained_at": None,
        "state": "not trained",
        "checklists": checklists,
    }
    meta: dict = {}
    try:
        meta = read_meta(path)
        out.update(
            trained_at=meta.get("trained_at"), seconds=meta.get("seconds"), size=path.stat().st_size, state="trained"
        )
        pending = training.decisions_since(cat, int(meta.get("last_decision", 0)))
    except FileNotFoundError:
        pending = training.decisions_since(cat, 0)
    except ModelDamaged as e:
        out["state"], pending = (
            f"damaged ({e}); rebuilt at the next filing or by `dangan classifier train`",
            training.decisions_since(cat, 0),
        )
    out["decisions_since"] = pending
    heads = {h["checklist"]: h for h in meta.get("heads", [])}
    person, filed = training.person_counts(cat), training.filed_counts(cat)
    for checklist in sorted({cl for cl, _item in filed}):
        stats = heads.get(checklist, {}).get("stats", {})
        checklists.append(
            {
                "checklist": checklist,
                "items": [
                    {"item": item, "by_person": person.get((cl, item), 0), "filed": n}
                    for (cl, item), n in sorted(filed.items())
                    if cl == checklist
                ],
                "accuracy": stats.get("accuracy"),
                "accuracy_method": stats.get("accuracy_method", "not trained"),
            }
        )
    return out
