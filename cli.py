"""The dangan command line: a thin click layer over the ``archive`` and ``indexer`` library.

Each command group lives in its own module under ``commands/``; this file only assembles
them and turns library errors into one clear line and a documented exit code.
"""

from __future__ import annotations

import sys

import click

from archive.names import printable
from commands.common import State
from indexer.errors import DanganError, ExitCode


class DanganCLIError(click.ClickException):
    """A library error shown as one line with the error's own exit code."""

    def __init__(self, error: DanganError):
        super().__init__(printable(str(error)))  # a file name may carry odd bytes or escape codes
        self.exit_code = int(error.exit_code)


class DanganGroup(click.Group):
    """Converts library errors at the edge; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DanganError as e:
            if _debug(ctx):
                raise
            raise DanganCLIError(e) from e
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as e:  # the last resort at the edge: report, never swallow
            if _debug(ctx):
                raise
            click.echo(
                f"Error: internal error ({e.__class__.__name__}: {e}); re-run with --debug and report it",
                err=True,
            )
            sys.exit(int(ExitCode.internal))


def _debug(ctx: click.Context) -> bool:
    obj = ctx.find_root().obj
    return bool(isinstance(obj, State) and obj.debug)


@click.group(cls=DanganGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", type=click.Path(file_okay=False), help="Archive home (default: $DANGAN_HOME, else ./dangan-home).")
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


def _register() -> None:
    """Attach every command group; each module exposes ``register(main)``."""
    from commands import core, deadlines, documents, registers

    for module in (core, deadlines, documents):
        module.register(main)
    registers.register_commands(main)
    for name in ("ingest", "search", "forms", "demo", "life", "serve", "migrate", "volumes", "handover"):
        module = _optional(name)
        if module is not None:
            module.register(main)


def _optional(name: str):
    """Command modules that other issues add; absent ones are simply not registered yet."""
    import importlib
    import importlib.util

    if importlib.util.find_spec(f"commands.{name}") is None:
        return None
    return importlib.import_module(f"commands.{name}")


_register()

if __name__ == "__main__":
    main()
