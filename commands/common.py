"""What every command group shares: the home option, opening the catalog, JSON and tables.

The command line is a thin layer: it parses options, calls the library with the same verb
and prints the result.  Library errors become one line and an exit code in cli.py only.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

import click

# cli.py imports this module for every command, `dangan --help` included, so the catalog
# (SQLAlchemy), the home and rich are imported only by the functions that use them.
if TYPE_CHECKING:
    from rich.console import Console

    from dangan.archive.catalog import Catalog
    from dangan.archive.home import Home


@dataclass
class State:
    """Per-invocation options shared by the group and its commands."""

    home: str | None = None
    debug: bool = False
    _catalog: Catalog | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)

    def home_obj(self) -> Home:
        """The archive home, found by --home, $DANGAN_HOME or ./dangan-home.

        Warns once (stderr) when its dangan.toml holds a password others may read.
        """
        from dangan.archive.home import Home, locate

        home = Home.open(locate(self.home))
        warning = None if self._warned else home.exposed_secrets()
        if warning:
            self._warned = True
            click.echo(f"Warning: {warning}", err=True)
        return home

    def catalog(self) -> Catalog:
        """The open catalog, with events recorded under the running command's name."""
        from dangan.archive.catalog import Catalog

        if self._catalog is None:
            self._catalog = Catalog.open(self.home_obj())
            self._catalog.on_lock_wait = say_waiting  # the library takes the writer lock; we say whom it waits for
            ctx = click.get_current_context(silent=True)
            if ctx is not None:
                self._catalog.command = " ".join(ctx.command_path.split()[1:]) or "dangan"
                ctx.call_on_close(self._catalog.close)
        return self._catalog


def state() -> State:
    """The State of the running invocation (created on demand for direct sub-command calls)."""
    ctx = click.get_current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def _set_home(ctx: click.Context, _param, value):
    if value:
        state().home = value
    return value


def home_option(f):
    """``--home DIR`` accepted after any command as well as before it."""
    return click.option(
        "--home",
        type=click.Path(file_okay=False),
        expose_value=False,
        is_eager=True,
        callback=_set_home,
        help="Archive home (default: $DANGAN_HOME, else ./dangan-home).",
    )(f)


json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for scripts.")


PIPE_WIDTH = 1000  # not a terminal: tables as wide as their content, never folded mid-path


def console(width: int | None = None) -> Console:
    """A console writing to the current stdout (so CliRunner captures it).

    On a terminal rich fits tables to the window.  Piped or logged output is never folded:
    a table row stays one line however long its paths are (``width`` overrides, e.g. for a
    rule line that would otherwise span the whole pipe width).
    """
    if width is None and not sys.stdout.isatty():
        width = PIPE_WIDTH
    return _console_class()(file=sys.stdout, highlight=False, soft_wrap=False, width=width)


def err_console() -> Console:
    """Per-file progress lines on stderr: never wrapped, so a log or pipe gets one line per
    file with its whole path (a terminal folds long lines itself)."""
    return _console_class()(file=sys.stderr, highlight=False, soft_wrap=True)


def _console_class() -> type[Console]:
    """rich's Console, except that a closed pipe is left to cli.py (rich itself exits 1)."""
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError("the reader of our output has gone")  # cli.py: a quiet exit 0

    return PipeConsole


def emit_json(data: Any) -> None:
    """Print JSON with Chinese kept readable (no \\u escapes)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def progress_bar(total: int | None, label: str, *, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr; ``advance()`` moves it.  Off for --json and non-terminals."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    show = enabled and sys.stderr.isatty()
    prog = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
        disable=not show,
    )
    with prog:
        task = prog.add_task(label, total=total)

        class _Bar:
            def advance(self, n: int = 1, description: str | None = None) -> None:
                prog.update(task, advance=n, description=description or label)

        yield _Bar()


def say_waiting(who: str) -> None:
    """The line a command prints while another writer holds the lock."""
    click.echo(f"waiting for {who}…", err=True)
