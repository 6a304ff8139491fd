"""``dangan classifier``: the model learned from the archivist's decisions — train it now,
or see what it knows (examples per item, when trained, how accurate)."""

from __future__ import annotations

import click

from dangan.commands.common import emit_json, home_option, json_option, state


@click.group("classifier")
def classifier() -> None:
    """The model that learns from filing decisions: `classifier status`, `classifier train`.

    \b
    Example:
      dangan classifier status
      dangan classifier train
    """


@classifier.command("status")
@json_option
@home_option
def status_cmd(as_json: bool) -> None:
    """Examples per checklist item, when the model was trained, its measured accuracy.

    \b
    Example:
      dangan classifier status --json
    """
    from dangan.archive.learning.live import status

    _print(status(state().catalog()), as_json)


@classifier.command("train")
@json_option
@home_option
def train_cmd(as_json: bool) -> None:
    """Train the model from the catalog now (it also retrains by itself after new decisions).

    \b
    Example:
      dangan classifier train
    """
    from dangan.archive.learning.live import train_now

    _print(train_now(state().catalog()), as_json)


def _print(st: dict, as_json: bool) -> None:
    if as_json:
        return emit_json(st)
    if st["trained_at"]:
        click.echo(f"model: {st['model']} — trained {st['trained_at']} in {st['seconds']} s, {st['size']} bytes")
    else:
        click.echo(f"model: {st['model']} — {st['state']}")
    click.echo(
        f"decisions since: {st['decisions_since']}"
        + ("" if st["enabled"] else " (learning is off: [classifier] learn = false)")
    )
    for cl in st["checklists"]:
        acc = "-" if cl["accuracy"] is None else f"{cl['accuracy']:.0%}"
        click.echo(f"{cl['checklist']}: accuracy {acc} ({cl['accuracy_method']})")
        for it in cl["items"]:
            click.echo(f"  {it['item']}: {it['by_person']} placed by a person, {it['filed']} filed")
    if not st["checklists"]:
        click.echo("No filed documents yet: file or refile documents from review and the model learns from them.")
