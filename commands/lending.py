"""The lending commands: `location`, `lend`, `return`, `renew`, `loans` and `use` (利用登记)."""

from __future__ import annotations

from pathlib import Path

import click

from dangan.archive.days import today
from dangan.archive.holdings import CARRIERS, project_locations, set_location
from dangan.archive.lending import lend, list_loans, loan_history, renew, return_loan
from dangan.archive.userecords import list_uses, write_uses_xlsx, year_uses
from dangan.commands.common import emit_json, home_option, json_option, state


@click.group()
def location() -> None:
    """Where volumes and documents stand on paper: carrier and 库房/柜架/层/盒号.

    \b
    Example:
      dangan location set BJ-2024-017:1 BJ-2024-017:2 --at 库房1/A03/2/盒017
      dangan location show BJ-2024-017
    """


@location.command("set")
@click.argument("names", nargs=-1, required=True)
@click.option("--at", "at", required=True, help="The place as 库房/柜架/层/盒号, e.g. 库房1/A03/2/盒017.")
@click.option("--carrier", help=f"The carrier: {'/'.join(CARRIERS)} (default: as before, else 纸质).")
@home_option
def set_cmd(names: tuple[str, ...], at: str, carrier: str | None) -> None:
    """Place volumes (PROJECT:案卷号) or documents (#id) at a 库房/柜架/层/盒号.

    \b
    Example:
      dangan location set BJ-2024-017:1 '#12' --at 库房1/A03/2/盒017 --carrier 纸质
    """
    cat = state().catalog()
    for t in set_location(cat, list(names), at, carrier):
        click.echo(f"placed {t.label} at {at.strip()}")


@location.command("show")
@click.argument("code")
@json_option
@home_option
def show_cmd(code: str, as_json: bool) -> None:
    """Where every volume of a project stands, and its loose documents that have a place.

    \b
    Example:
      dangan location show BJ-2024-017 --json
    """
    rows = project_locations(state().catalog(), code)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(f"{code} has no volumes yet; plan them with `dangan volume plan {code}`")
    for r in rows:
        where = f"{r['location']} ({r['carrier']})" if r["location"] else "not placed"
        out = f"  out: {r['on_loan']}" if r["on_loan"] else ""
        click.echo(f"{r['what']}  {r['title']}  {where}{out}")


@click.command("lend")
@click.argument("name")
@click.option("--to", "to", required=True, help="The borrower's name.")
@click.option("--dept", required=True, help="The borrower's department (or company, with --outside).")
@click.option("--purpose", required=True, help="What it is borrowed for (利用目的).")
@click.option("--until", required=True, help="The day it comes back, YYYY-MM-DD.")
@click.option("--approved-by", help="The manager who approved (needed above 公开 and with --outside).")
@click.option("--outside", is_flag=True, help="The borrower is not of the company.")
@home_option
def lend_cmd(name: str, to: str, dept: str, purpose: str, until: str, approved_by: str | None, outside: bool) -> None:
    """Lend a volume (PROJECT:案卷号) or a document (#id) until a day (借阅).

    \b
    Example:
      dangan lend BJ-2024-017:2 --to 李明 --dept 工程部 --purpose 改造设计 --until 2025-03-31
    """
    loan = lend(state().catalog(), name, to=to, dept=dept, purpose=purpose, until=until,
                approved_by=approved_by, outside=outside)  # fmt: skip
    click.echo(f"lent {loan['what']} ({loan['title']}) to {loan['borrower']} ({loan['dept']}) until {loan['until']}")


@click.command("return")
@click.argument("name")
@click.option("--effect", help="利用效果: what the use achieved, for the use register.")
@home_option
def return_cmd(name: str, effect: str | None) -> None:
    """Take back a lent volume or document, with an optional 利用效果 note.

    \b
    Example:
      dangan return BJ-2024-017:2 --effect 改造设计按原竣工图完成
    """
    loan = return_loan(state().catalog(), name, effect)
    click.echo(f"returned {loan['what']} from {loan['borrower']} ({loan['dept']})")


@click.command("renew")
@click.argument("name")
@click.option("--until", required=True, help="The new day it comes back, YYYY-MM-DD.")
@home_option
def renew_cmd(name: str, until: str) -> None:
    """Extend a loan to a later day (续借).

    \b
    Example:
      dangan renew BJ-2024-017:2 --until 2025-04-30
    """
    loan = renew(state().catalog(), name, until)
    click.echo(f"renewed {loan['what']} for {loan['borrower']} until {loan['until']}")


@click.command("loans")
@click.option("--overdue", is_flag=True, help="Only loans past their day.")
@click.option("--history", "history", metavar="VOL|DOC", help="Every loan of one volume or document, returned too.")
@click.option("--today", "today_text", help="Judge overdue as of this day, YYYY-MM-DD.")
@json_option
@home_option
def loans_cmd(overdue: bool, history: str | None, today_text: str | None, as_json: bool) -> None:
    """What is out on loan (借阅), what is overdue, and a volume's loan history.

    \b
    Example:
      dangan loans --overdue
      dangan loans --history BJ-2024-017:2
    """
    cat, day = state().catalog(), today(today_text)
    rows = loan_history(cat, history) if history else list_loans(cat, overdue=overdue, day=day)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(
            f"{history} has never been lent" if history else ("nothing is overdue" if overdue else "nothing is out")
        )
    for r in rows:
        back = f"returned {r['returned_on']}" if r["returned_on"] else f"until {r['until']}"
        late = f"  overdue {r['days_overdue']} day(s)" if r["days_overdue"] else ""
        click.echo(f"{r['what']}  {r['borrower']} ({r['dept']})  {r['purpose']}  lent {r['lent_on']}, {back}{late}")


@click.group("use")
def use() -> None:
    """The use register (利用登记): every loan, return and renewal.

    \b
    Example:
      dangan use list --year 2025 --xlsx 利用登记.xlsx
    """


@use.command("list")
@click.option("--person", help="Only this person's uses.")
@click.option("--year", type=click.IntRange(1900, 2999), help="Only this year's uses.")
@click.option("--of", "of", metavar="VOL|DOC", help="Only the uses of one volume (with its documents) or document.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Also write them to FILE.xlsx.")
@json_option
@home_option
def use_list(person: str | None, year: int | None, of: str | None, xlsx: Path | None, as_json: bool) -> None:
    """List use records, by person, year, volume or document; --xlsx writes them as a spreadsheet.

    \b
    Example:
      dangan use list --person 李明 --json
      dangan use list --of BJ-2024-017:2
    """
    rows = list_uses(state().catalog(), person=person, year=year, of=of)
    if xlsx is not None:
        write_uses_xlsx(rows, xlsx)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        effect = f"  利用效果: {r['effect']}" if r["effect"] else ""
        click.echo(f"{r['day']}  {r['action']}  {r['person']} ({r['dept']})  {r['what']}  {r['purpose']}{effect}")
    if xlsx is not None:
        click.echo(f"wrote {len(rows)} use record(s) to {xlsx}")
    elif not rows:
        click.echo("no use records")


@use.command("count")
@click.option("--year", type=click.IntRange(1900, 2999), required=True, help="The year to count.")
@json_option
@home_option
def use_count(year: int, as_json: bool) -> None:
    """A year's 利用 figures, the same as `dangan stats` and the 统计 page give: records by
    利用方式, uses (loans, online views and downloads), people, items.

    \b
    Example:
      dangan use count --year 2025 --json
    """
    u = year_uses(state().catalog(), year)
    if as_json:
        emit_json(u)
        return
    actions = ", ".join(f"{a['key']} {a['count']}" for a in u["by_action"]) or "none"
    click.echo(f"{year}: {u['records']} use record(s) ({actions}); {u['people']} person(s), "
               f"{u['items']} volume(s)/document(s)")  # fmt: skip
    click.echo(f"{u['uses']} use(s): {u['loans']} loan(s) ({u['volume_loans']} of volumes, {u['document_loans']} "
               f"of documents, {u['outside']} outside), {u['views']} online view(s), {u['downloads']} download(s)")  # fmt: skip
