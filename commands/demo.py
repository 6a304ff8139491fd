"""`dangan demo`: the whole product on the sample project, printed as a person would read it.

Every step calls the same library functions as the real commands; this module only chooses
the sample inputs and prints the results with headings a project manager can follow.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from dangan.archive.catalog import Catalog
from dangan.archive.completeness import check
from dangan.archive.create import init_home
from dangan.archive.intake.ingest import collect, ingest_paths, summarize
from dangan.archive.projects import add_project
from dangan.archive.registers import write_register
from dangan.archive.sample import SAMPLE_NAME, SAMPLE_PROJECT, SAMPLE_ROLES, samples_dir
from dangan.commands.common import console, progress_bar
from dangan.commands.demo_service import service_month
from dangan.indexer.errors import MissingDependencyError, NotFoundError

# (what the search shows, query): each exercises one promise of the Chinese search.
SEARCHES = (
    ("Traditional characters find Simplified text", "施工組織設計"),
    ("a two-character word inside longer words", "测量"),
    ("text read by OCR from a scanned image", "炉批号"),
)
FORM = "维护派工单"


def default_samples() -> Path:
    """samples/ in a source checkout."""
    return samples_dir()


def _step(n: int, title: str) -> None:
    click.echo("")
    console(width=None if sys.stdout.isatty() else 100).rule(f"[bold]{n}. {escape(title)}[/]")


@click.command()
@click.option(
    "--home",
    "home_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Use this folder as the demo home (default: a new temporary folder).",
)
@click.option("--keep", is_flag=True, help="Keep the temporary home afterwards to explore it.")
@click.option(
    "--samples",
    "samples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Sample folder (default: samples/ of the source checkout).",
)
def demo(home_dir: Path | None, keep: bool, samples: Path | None) -> None:
    """Run the whole flow on the sample project in a temporary home, offline.

    Files the sample inbox, shows the catalog and what is missing and who owes it,
    searches in Simplified and Traditional characters, fills a batch of service forms,
    writes the archive registers, builds one volume and runs the handover check.

    \b
    Example:
      dangan demo
      dangan demo --home ./demo-home --keep
    """
    samples = samples or default_samples()
    if not (samples / "inbox").is_dir():
        raise NotFoundError(f"no sample inbox at {samples / 'inbox'}; pass --samples DIR from a source checkout")
    temp = home_dir is None
    root = home_dir if home_dir is not None else Path(tempfile.mkdtemp(prefix="dangan-demo-")) / "home"
    kept = keep or not temp
    try:
        run_demo(root, samples, kept=kept)
    finally:
        if not kept:
            shutil.rmtree(root.parent, ignore_errors=True)


def run_demo(root: Path, samples: Path, *, kept: bool = True) -> None:
    """The demo's steps, top to bottom."""
    home, _ = init_home(root)
    with Catalog.open(home) as cat:
        cat.command = "demo"
        _step(1, f"Archive home and project {SAMPLE_PROJECT}")
        click.echo(
            f"Home: {home.root}" if kept else "Home: <home>, a temporary folder removed at the end (--keep keeps it)"
        )
        add_project(cat, SAMPLE_PROJECT, SAMPLE_NAME, roles=dict(SAMPLE_ROLES))
        click.echo(f"Project {SAMPLE_PROJECT} {SAMPLE_NAME}: " + ", ".join(f"{r}={p}" for r, p in SAMPLE_ROLES.items()))
        _ingest(cat, samples)
        _catalog(cat)
        _check(cat)
        _search(cat)
        shown = _shown(home.root, kept)
        outputs = _forms(cat, samples, home.root / "out", shown)
        outputs.append(service_month(cat, samples, home.root / "out" / "service", "6b"))
        outputs += _registers(cat, home.root / "out", shown)
        outputs += _volumes(cat, home.root / "out" / "volumes", shown)
        _finish(home.root, outputs, kept)


def _shown(root: Path, kept: bool):
    """How a path in the home is printed: in full when the home is kept, else as <home>/…
    (a path that is deleted before the reader can open it would only mislead)."""
    if kept:
        return str
    return lambda p: (Path("<home>") / Path(p).relative_to(root)).as_posix()


def _ingest(cat: Catalog, samples: Path) -> None:
    _step(2, "Filing the scanner inbox (text PDFs, scans, photos, Word, Traditional text)")
    inbox = cat.home.inbox_dir
    shutil.copytree(samples / "inbox", inbox, dirs_exist_ok=True)
    files = collect([inbox])
    with progress_bar(len(files), "filing") as bar:
        records = ingest_paths(cat, [inbox], progress=lambda r: bar.advance(1, r.path.name[:30]))
    table = Table(box=None, show_header=False, padding=(0, 2))
    for r in records:
        where = f"{r.item.code} {r.item.title} → {r.person}" if r.item else r.message.replace(str(r.path), r.path.name)
        table.add_row(r.outcome, escape(r.path.name), escape(where))
    console().print(table)
    c = summarize(records)
    click.echo(
        f"{c['inputs']} inputs: {c['filed']} filed, {c['review']} to review, {c['duplicate']} duplicate, {c['failed']} failed (kept in inbox/.failed with the reason)"
    )


def _catalog(cat: Catalog) -> None:
    from dangan.archive.tree import catalog_tree
    from dangan.commands.core import print_catalog

    _step(3, "The catalog: project → responsible person → checklist item → documents")
    print_catalog(catalog_tree(cat, SAMPLE_PROJECT))


def _check(cat: Catalog) -> None:
    from dangan.commands.core import print_report

    _step(4, "Is the archive complete? (dangan check)")
    report = check(cat, SAMPLE_PROJECT)
    print_report(report, by_person=False)
    owed = "; ".join(f"{o} owes {n}" for o, n in report.missing_by_owner())
    click.echo(f"Who to chase before 竣工验收: {owed}")


def _search(cat: Catalog) -> None:
    from dangan.commands.search import highlight_markup
    from dangan.indexer.index import SearchIndex

    _step(5, "Full-text search (Simplified and Traditional alike)")
    index = SearchIndex(cat.home.index_dir)
    out = console()
    try:
        for label, query in SEARCHES:
            hits = index.search(query, limit=3)
            out.print(f"[bold]dangan search {escape(query)}[/]  — {escape(label)}: {len(hits)} hit(s)")
            for h in hits:
                out.print(f"   #{h.id} {escape(h.title)} [dim]({h.item_code} · {escape(h.person)})[/]")
                out.print("      " + highlight_markup(h.snippet, h.highlights).replace("\n", " "))
    finally:
        index.close()


def _forms(cat: Catalog, samples: Path, out_dir: Path, shown=str) -> list[Path]:
    from dangan.archive.forms import find_form, load_manifest, read_rows, render_batch

    _step(6, f"Batch-filling {FORM} from a GBK spreadsheet export")
    data = samples / "forms" / f"{FORM}.csv"
    form = find_form(load_manifest(cat.home.templates_dir), FORM)
    rows = read_rows(data)
    target = out_dir / "forms"
    with progress_bar(len(rows), "forms") as bar:
        done = render_batch(
            form,
            rows,
            target,
            jobs=2,
            company=cat.home.setting("dangan", "company", ""),
            progress=lambda *_: bar.advance(1),
        )
    click.echo(f"{len(done)} forms from {data.name} → {shown(target)}")
    return [target]


def _registers(cat: Catalog, out_dir: Path, shown=str) -> list[Path]:
    _step(7, "Archive registers from the catalog")
    written = []
    for kind in ("卷内目录", "一览表"):
        path = write_register(cat, SAMPLE_PROJECT, kind, out_dir / f"{SAMPLE_PROJECT}_{kind}.docx")
        click.echo(f"{kind}: {shown(path)}")
        written.append(path)
    return written


def _volumes(cat: Catalog, out_dir: Path, shown) -> list[Path]:
    from dangan.archive.handover import run_checks
    from dangan.archive.volumes import plan_volumes
    from dangan.archive.volumes.pdf import build_volume
    from dangan.commands.handover import print_findings

    _step(8, "Volumes (案卷) for handover and the four-property check (四性检测)")
    first = plan_volumes(cat, SAMPLE_PROJECT)[0]
    try:
        built = build_volume(cat, first, out_dir)
    except MissingDependencyError as e:  # the Word file needs LibreOffice; the check still runs
        click.echo(f"Volume PDF skipped: {e}")
        built = None
    if built is not None:
        click.echo(
            f"Volume {built.code} {first.title}: {built.total_pages} pages, documents numbered 1–{built.document_pages} → {shown(built.path)}"
        )
    print_findings(run_checks(cat, SAMPLE_PROJECT))
    return [built.path] if built else []


def _finish(root: Path, outputs: list[Path], kept: bool) -> None:
    _step(9, "Where everything is, and what to try next")
    shown = _shown(root, kept)
    if not kept:
        click.echo("This temporary home is removed now; `dangan demo --keep` keeps it so you can try:")
    click.echo(f"Vault (filed documents): {shown(root / 'vault')}")
    click.echo(f"Failed inputs with reasons: {shown(root / 'inbox' / '.failed')}")
    for p in outputs:
        click.echo(f"Output: {shown(p)}")
    if not kept:
        root = Path("<home>")
    click.echo("Next:")
    for cmd in (
        f"dangan --home {root} check {SAMPLE_PROJECT} --by person",
        f"dangan --home {root} search 隐蔽记录 --project {SAMPLE_PROJECT}",
        f"dangan --home {root} review",
        f"dangan --home {root} forms list",
        f"dangan --home {root} watch",
        f"dangan --home {root} volume show {SAMPLE_PROJECT} 1",
        f"dangan --home {root} handover check {SAMPLE_PROJECT}",
    ):
        click.echo(f"  {cmd}")
