"""The dangan command line: a thin click layer over the ``archive`` and ``indexer`` library.

Each command group lives in its own module under ``commands/``; this file only assembles
them and turns library errors into one clear line and a documented exit code.
"""

from __future__ import annotations

import importlib
import io
import os
import sys
from contextlib import contextmanager
from typing import Iterator, NoReturn

import click

from dangan.commands.common import State
from dangan.indexer.errors import DanganError, ExitCode, disk_full

# Every command by name: (module, attribute, short help for `dangan --help`).  A command's
# module is imported only when that command runs, so `dangan --help` imports no library code
# and `dangan search` never loads SQLAlchemy or the form engine.  The short help is kept here
# so the listing needs no import; tests/test_core.py checks it equals the command's own.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": (
        "dangan.commands.core",
        "init",
        "Create an archive home (catalog, vault/, index/, inbox/, dangan.toml, checklists, templates).",
    ),
    "project": ("dangan.commands.core", "project", "Projects and who holds each responsible role (责任人) on them."),
    "ingest": (
        "dangan.commands.ingest",
        "ingest",
        "File documents (PDF, images, Office/WPS, OFD, e-mail, TXT) or whole folders now.",
    ),
    "watch": (
        "dangan.commands.ingest",
        "watch",
        "Watch the inbox and file documents as they arrive; inbox/<CODE>/… means project CODE.",
    ),
    "review": (
        "dangan.commands.documents",
        "review",
        "Documents the classifier could not place, with its best suggestions.",
    ),
    "file": (
        "dangan.commands.documents",
        "file_cmd",
        "Place a document waiting in review under a project and checklist item.",
    ),
    "refile": (
        "dangan.commands.documents",
        "refile_cmd",
        "Move a filed document to another checklist item (vault, catalog and index together).",
    ),
    "classifier": (
        "dangan.commands.classifier",
        "classifier",
        "The model that learns from filing decisions: `classifier status`, `classifier train`.",
    ),
    "catalog": (
        "dangan.commands.core",
        "catalog",
        "The catalog tree: project → responsible person → checklist item → documents.",
    ),
    "check": (
        "dangan.commands.core",
        "check",
        "Check projects' archives against their checklist: filed, missing, who owes it.",
    ),
    "waive": ("dangan.commands.core", "waive", "Mark a checklist item not applicable to a project (or --undo that)."),
    "search": (
        "dangan.commands.search",
        "search",
        "Find filed documents by words in Simplified or Traditional Chinese.",
    ),
    "forms": (
        "dangan.commands.forms",
        "forms",
        "Batch-fill standard forms (派工单, 投诉记录, 开工报告 …) from a spreadsheet.",
    ),
    "register": ("dangan.commands.registers", "register", "Write an archive register of a project from the catalog."),
    "reindex": (
        "dangan.commands.documents",
        "reindex",
        "Rebuild the search index from the catalog (beside the old one, swapped when complete).",
    ),
    "verify": (
        "dangan.commands.documents",
        "verify",
        "Check every stored file against its SHA-256 and the index against the catalog.",
    ),
    "demo": ("dangan.commands.demo", "demo", "Run the whole flow on the sample project in a temporary home, offline."),
    "due": (
        "dangan.commands.deadlines",
        "due",
        "What falls due next, overdue first: the list a 客服主管 reads every morning.",
    ),
    "received": (
        "dangan.commands.deadlines",
        "received",
        "Record the day paper records were handed in, when they were scanned or filed later.",
    ),
    "show": (
        "dangan.commands.life",
        "show_cmd",
        "Every catalog field of a document, its vault path, how it was read, and its history.",
    ),
    "open": ("dangan.commands.life", "open_cmd", "Print the absolute path of a document's stored file."),
    "edit": (
        "dangan.commands.life",
        "edit_cmd",
        "Correct a document's catalog metadata; each edit is logged with old and new values.",
    ),
    "discard": (
        "dangan.commands.life",
        "discard_cmd",
        "Move a document from review or the archive into the trash (vault/_trash/); nothing is deleted.",
    ),
    "restore": ("dangan.commands.life", "restore_cmd", "Bring a discarded document back exactly where and as it was."),
    "trash": (
        "dangan.commands.life",
        "trash_group",
        "List the discarded documents; `trash empty` removes old ones for good.",
    ),
    "undo": (
        "dangan.commands.life",
        "undo_cmd",
        "Reverse the last filing decision (file, refile, edit, discard, restore) from the event log.",
    ),
    "serve": (
        "dangan.commands.serve",
        "serve",
        "Serve the archive in a browser: search, documents, review, completeness, upload, forms.",
    ),
    "user": ("dangan.commands.serve", "user", "People who may sign in to `dangan serve`, and their roles."),
    "migrate": (
        "dangan.commands.migrate",
        "migrate",
        "Bring the catalog's schema up to date (SQLite or PostgreSQL); safe to run again.",
    ),
    "volume": (
        "dangan.commands.volumes",
        "volume",
        "Volumes (案卷): group a project's documents for handover, number pages, build PDFs.",
    ),
    "handover": (
        "dangan.commands.handover",
        "handover",
        "The handover package for 竣工验收 and its four-property check (四性检测, DA/T 70).",
    ),
    "backup": (
        "dangan.commands.keep",
        "backup",
        "Back up the live home (catalog, vault, settings) into a folder; prove and restore it.",
    ),
    "export": (
        "dangan.commands.keep",
        "export",
        "Export projects as a BagIt bag: files named by 档号, metadata as JSON and CSV, the history.",
    ),
    "import": (
        "dangan.commands.legacy",
        "import_group",
        "Import an existing Excel/CSV 目录 and attach (挂接) its folders of scans.",
    ),
    "location": (
        "dangan.commands.lending",
        "location",
        "Where volumes and documents stand on paper: carrier and 库房/柜架/层/盒号.",
    ),
    "lend": (
        "dangan.commands.lending",
        "lend_cmd",
        "Lend a volume (PROJECT:案卷号) or a document (#id) until a day (借阅).",
    ),
    "return": (
        "dangan.commands.lending",
        "return_cmd",
        "Take back a lent volume or document, with an optional 利用效果 note.",
    ),
    "renew": ("dangan.commands.lending", "renew_cmd", "Extend a loan to a later day (续借)."),
    "loans": (
        "dangan.commands.lending",
        "loans_cmd",
        "What is out on loan (借阅), what is overdue, and a volume's loan history.",
    ),
    "use": ("dangan.commands.lending", "use", "The use register (利用登记): every loan, return and renewal."),
    "label": (
        "dangan.commands.labels",
        "label_cmd",
        "Print labels with a QR code (档号 and id) for volumes' boxes, covers or spines.",
    ),
    "coversheet": (
        "dangan.commands.labels",
        "coversheet_cmd",
        "A QR cover sheet to scan in front of paper: the pages behind it are filed exactly there.",
    ),
    "synonyms": (
        "dangan.commands.synonyms",
        "synonyms",
        "The search thesaurus of this home (synonyms.toml).",
    ),
    "grant": (
        "dangan.commands.grants",
        "grant",
        "Time-limited read links (电子利用) to documents or volumes, watermarked, every view logged.",
    ),
    "retention": (
        "dangan.commands.retention",
        "retention_group",
        "Records whose 保管期限 has run out: `retention due [--year YYYY]`.",
    ),
    "appraise": (
        "dangan.commands.retention",
        "appraise_group",
        "Appraisal (鉴定) of expired records: create a batch, decide, approve, dispose.",
    ),
    "hold": (
        "dangan.commands.retention",
        "hold_group",
        "Legal holds (冻结): a held project or document cannot be destroyed or emptied from the trash.",
    ),
    "stats": (
        "dangan.commands.retention",
        "stats_cmd",
        "Holdings, volumes, filing per month, completeness and disposals of a year (年报 figures).",
    ),
    "customer": (
        "dangan.commands.customers",
        "customer",
        "The service centre's customers: register, classes, warranties, complaints, surveys.",
    ),
}


class DanganCLIError(click.ClickException):
    """A library error shown as one line with the error's own exit code, in the locale's
    language (LC_ALL / LC_MESSAGES / LANG: Chinese for zh_*, English otherwise)."""

    def __init__(self, error: DanganError):
        from dangan.archive.intake.names import printable  # here: `dangan --help` imports no library module
        from dangan.indexer.messages import cli_lang, say

        self.lang = cli_lang()
        text = say(error, self.lang)
        if self.lang != "en" and error.fix:  # the command to run is the same in any language
            text = f"{text}（{error.fix}）"
        super().__init__(printable(text))  # a file name may carry odd bytes or escape codes
        self.exit_code = int(error.exit_code)  # type: ignore[misc]  # click's ClassVar; ours differs per error

    def show(self, file=None) -> None:
        """``Error: …`` (English) or ``错误：…`` (Chinese) on stderr."""
        if self.lang == "en":
            return super().show(file)
        click.echo(f"错误：{self.format_message()}", err=True, file=file)


class DanganGroup(click.Group):
    """Loads each command's module on first use (``COMMANDS``); converts library errors at
    the edge; tracebacks only with --debug."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, attribute, _ = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from ``COMMANDS`` without importing any command module."""
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS and name not in self.commands:
                rows.append((name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)))
            elif not self.commands[name].hidden:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        try:  # `dangan --help | head -1`: help is printed while the options are parsed
            with _flushed():
                return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            _pipe_closed()

    def invoke(self, ctx: click.Context):
        try:
            with _flushed():
                return super().invoke(ctx)
        except BrokenPipeError:
            _pipe_closed()
        except DanganError as e:
            if _debug(ctx):
                raise
            raise DanganCLIError(e) from e
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as e:  # the last resort at the edge: report, never swallow
            full = disk_full(e, "the archive home")  # a full disk anywhere is the disk, not a bug
            if full is not None and not _debug(ctx):
                raise DanganCLIError(full) from e
            if _debug(ctx):
                raise
            click.echo(
                f"Error: internal error ({e.__class__.__name__}: {e}); re-run with --debug and report it",
                err=True,
            )
            sys.exit(int(ExitCode.internal))


@contextmanager
def _flushed() -> Iterator[None]:
    """Flush stdout before leaving, so a closed pipe shows here and not at interpreter exit."""
    try:
        yield
    finally:
        sys.stdout.flush()


def _pipe_closed() -> NoReturn:
    """The reader of our output has gone (`dangan due | head -1`): what it wanted it has, so
    stop quietly with 0.  Python would still flush stdout at exit and complain about the pipe:
    point stdout at /dev/null first."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # a stdout without a file descriptor (a test runner's buffer) has nothing to flush to a pipe
    sys.exit(0)


def _debug(ctx: click.Context) -> bool:
    obj = ctx.find_root().obj
    return bool(isinstance(obj, State) and obj.debug)


@click.group(cls=DanganGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--home", type=click.Path(file_okay=False), help="Archive home (default: $DANGAN_HOME, else ./dangan-home)."
)
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.version_option(package_name="dangan")
@click.pass_context
def main(ctx: click.Context, home: str | None, debug: bool) -> None:
    """dangan (档案): file scanned documents under the person responsible, search them in
    Simplified or Traditional Chinese, check archive completeness, and batch-fill forms.

    \b
    Example:
      dangan init --home ./dangan-home
      dangan project add BJ-2024-017 --name 安居花园3号楼 --role 项目经理=张伟
      dangan check BJ-2024-017
    """
    ctx.obj = State(home=home, debug=debug)


if __name__ == "__main__":
    main()
