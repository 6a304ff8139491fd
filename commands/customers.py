"""The `customer` commands: the register (主要客户档案), linking names, complaints, corrective
actions, one customer's year and the satisfaction statistics."""

from __future__ import annotations

from pathlib import Path

import click

from dangan.archive.customers import register as reg
from dangan.archive.customers.actions import close_action, list_actions, set_action_due
from dangan.archive.customers.complaints import set_severity
from dangan.archive.customers.importing import import_customers
from dangan.archive.customers.names import parse_date, parse_year
from dangan.archive.customers.satisfaction import satisfaction, write_xlsx
from dangan.archive.customers.unlinked import unmatched
from dangan.archive.customers.year import KIND_NAMES, customer_year
from dangan.archive.days import today as the_day
from dangan.commands.common import console, emit_json, home_option, json_option, state
from dangan.commands.deadlines import status_text, today_option
from dangan.indexer.errors import InputFileError


@click.group()
def customer() -> None:
    """The service centre's customers: register, classes, warranties, complaints, surveys.

    \b
    Example:
      dangan customer import 主要客户档案.xlsx
      dangan customer show 清源市瑞丰大酒店 --year 2026
      dangan customer satisfaction --year 2026 --xlsx 满意度.xlsx
    """


def _print_customer(c: reg.Customer) -> None:
    click.echo(f"#{c.id} {c.name}")
    for label, value in (("别名 aliases", "、".join(c.aliases)), ("地址 address", c.address), ("电话 phone", c.phone),
                         ("主要产品 products", c.products), ("备注 note", c.note)):  # fmt: skip
        if value:
            click.echo(f"  {label}: {value}")
    for ct in c.contacts:
        click.echo(f"  联系人 contact: {ct.get('name', '')} {ct.get('phone', '')}".rstrip())
    for year, (klass, reason) in sorted(c.classes.items()):
        click.echo(f"  {year}: {klass}顾客" + (f" ({reason})" if reason else ""))
    for i in c.installations:
        click.echo(
            f"  保修 warranty: {i['product']} {i['warranty_start'].isoformat()} … {i['warranty_end'].isoformat()}"
        )


@customer.command("add")
@click.argument("name")
@click.option("--address", help="地址.")
@click.option("--phone", help="联系电话.")
@click.option("--contact", help="联系人.")
@click.option("--products", help="主要产品.")
@click.option("--alias", "aliases", multiple=True, help="Another name it is written under (repeatable).")
@click.option("--note", help="备注.")
@home_option
def add_cmd(name, address, phone, contact, products, aliases, note) -> None:
    """Enter a customer in the register.

    \b
    Example:
      dangan customer add 清源市瑞丰大酒店有限公司 --contact 王经理 --phone 0531-8812345 --alias 瑞丰大酒店
    """
    cat = state().catalog()
    cid = reg.add_customer(cat, name, address=address, phone=phone, contact=contact, products=products,
                           note=note, aliases=aliases)  # fmt: skip
    click.echo(f"added customer #{cid} {name.strip()}")


@customer.command("edit")
@click.argument("ident")
@click.option("--name", help="The new name (the old one is no longer matched unless kept as --alias).")
@click.option("--address")
@click.option("--phone")
@click.option("--contact")
@click.option("--products")
@click.option("--note")
@click.option("--alias", "aliases", multiple=True, help="Add an alias (repeatable).")
@click.option("--class", "klass", help="重点 or 一般, for --year (with --reason).")
@click.option("--year", help="The year the class applies to.")
@click.option("--reason", help="Why (上年销售额≥500万, 销售部指定 …).")
@click.option("--install", help="A product installed, with --warranty-from and --warranty-to.")
@click.option("--warranty-from", help="Warranty start, YYYY-MM-DD.")
@click.option("--warranty-to", help="Warranty end, YYYY-MM-DD.")
@home_option
def edit_cmd(ident, name, address, phone, contact, products, note, aliases, klass, year, reason, install,
             warranty_from, warranty_to) -> None:  # fmt: skip
    """Change a customer: fields, aliases, the class of a year, an installation's warranty.

    \b
    Example:
      dangan customer edit 瑞丰大酒店 --class 重点 --year 2026 --reason 上年销售额620万
      dangan customer edit 瑞丰大酒店 --install 冷水机组LS-300 --warranty-from 2025-07-01 --warranty-to 2026-06-30
    """
    cat = state().catalog()
    fields = dict(name=name, address=address, phone=phone, contact=contact, products=products, note=note)
    if any(v is not None for v in fields.values()) or aliases:
        reg.edit_customer(cat, ident, add_aliases=aliases, **fields)
    if klass or year:
        if not (klass and year):
            raise click.UsageError("--class and --year go together, e.g. --class 重点 --year 2026 --reason …")
        reg.set_class(cat, ident, year, klass, reason)
    if install or warranty_from or warranty_to:
        if not (install and warranty_from and warranty_to):
            raise click.UsageError("--install needs --warranty-from and --warranty-to (YYYY-MM-DD)")
        reg.add_installation(cat, ident, install, parse_date(warranty_from, "--warranty-from"),
                             parse_date(warranty_to, "--warranty-to"))  # fmt: skip
    _print_customer(reg.get_customer(cat, ident if name is None else name))


@customer.command("list")
@click.option("--year", help="The year whose class is shown (default: this year).")
@click.option("--class", "klass", help="Only 重点 or 一般 customers of that year.")
@json_option
@home_option
def list_cmd(year, klass, as_json) -> None:
    """The register, by name, with each customer's class of the year.

    \b
    Example:
      dangan customer list --year 2026 --class 重点 --json
    """
    y = parse_year(year) if year else the_day().year
    found = reg.list_customers(state().catalog(), year=y, klass=klass)
    if as_json:
        emit_json([{**c.to_json(), "class": c.klass(y)} for c in found])
        return
    if not found:
        click.echo("no customers yet; add them with `dangan customer add` or `dangan customer import`")
    for c in found:
        warranty = " 保修中" if c.under_warranty(the_day(), the_day()) else ""
        click.echo(f"#{c.id} {c.name}  {c.klass(y)}{warranty}  {c.phone or ''}".rstrip())


@customer.command("show")
@click.argument("ident")
@click.option("--year", help="Show this year's records, duties and complaints (default: this year).")
@today_option
@json_option
@home_option
def show_cmd(ident, year, today, as_json) -> None:
    """A customer and their year: surveys, visits, calls, complaints followed through, duties.

    \b
    Example:
      dangan customer show 清源市瑞丰大酒店 --year 2026
    """
    day = the_day(today, "--today")
    cy = customer_year(state().catalog(), ident, parse_year(year) if year else day.year, today=day)
    if as_json:
        emit_json(cy.to_json())
        return
    print_year(cy, day)


def print_year(cy, day) -> None:
    """A customer's year as `customer show` prints it (the demo prints it too)."""
    _print_customer(cy.customer)
    click.echo(f"{cy.year}: {cy.klass}顾客")
    for kind, rows in cy.records.items():
        days = ", ".join(f"#{r['document']} {r['date']}" for r in rows) or "—"
        click.echo(f"  {KIND_NAMES[kind]} {kind}: {days}")
    for link in cy.chains:
        action = link.action
        closure = "—"
        if action is not None:
            closure = (f"closed {action.verified_on} by {action.verified_by}, told {action.told_on}" if action.closed
                       else f"{action.status(day)} (due {action.due.isoformat()})")  # fmt: skip
        click.echo(
            f"  complaint #{link.complaint['document']} {link.complaint['date']} {link.severity or '?'}"
            f" → visit {'#' + str(link.visit) if link.visit else '—'}"
            f" → action {'#' + str(action.doc_id) if action else '—'} → {closure}"
        )
    if cy.duties:
        t = _duty_table(cy)
        console().print(t)


def _duty_table(cy):
    from rich.markup import escape
    from rich.table import Table

    t = Table("中心", "序号", "文件名称 record", "期间 for", "应交 due", "状态 status")
    for code, o in cy.duties:
        t.add_row(code, o.item, escape(o.title), escape(o.period or (o.trigger_date.isoformat() if o.trigger_date else "")),
                  o.due.isoformat(), status_text(o))  # fmt: skip
    return t


@customer.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--sheet", help="The worksheet of an .xlsx file (default: the first).")
@home_option
def import_cmd(path: Path, sheet: str | None) -> None:
    """Import a 主要客户档案 from .xlsx or .csv (UTF-8 or GBK) with Chinese headers.

    Headers: 客户名称 (required), 地址, 联系电话, 联系人, 主要产品, 别名, 年度, 类别, 原因,
    产品, 保修开始, 保修结束, 备注.  When any row is bad nothing is imported and every bad
    row is listed by row number and column.

    \b
    Example:
      dangan customer import 主要客户档案.xlsx
    """
    try:
        r = import_customers(state().catalog(), path, sheet=sheet)
    except InputFileError as e:  # print each bad row, then let the edge turn it into its exit code
        for line in getattr(e, "problems", []):
            click.echo(line, err=True)
        raise
    click.echo(
        f"{len(r.added)} added, {len(r.updated)} updated, {r.classes} class(es), {r.installations} installation(s)"
    )


@customer.command("unmatched")
@json_option
@home_option
def unmatched_cmd(as_json: bool) -> None:
    """Customer names on filed records that no customer of the register goes by.

    \b
    Example:
      dangan customer unmatched
      dangan customer link 瑞丰酒店 清源市瑞丰大酒店
    """
    rows = unmatched(state().catalog())
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("every customer name on the records is in the register")
    for r in rows:
        click.echo(f"{r['name']}  {r['records']} record(s): " + ", ".join(f"#{i}" for i in r["documents"][:10]))


@customer.command("link")
@click.argument("name")
@click.argument("ident")
@home_option
def link_cmd(name: str, ident: str) -> None:
    """Link a name written on records to a customer (it becomes one of its aliases).

    \b
    Example:
      dangan customer link 瑞丰酒店 清源市瑞丰大酒店
    """
    c = reg.link_name(state().catalog(), name, ident)
    click.echo(f"{name.strip()} now means customer #{c.id} {c.name}")


@customer.command("complaint")
@click.argument("doc_id", type=int)
@click.option("--severity", required=True, help="重大 or 一般 (only 重大 must be reported within 4 hours).")
@home_option
def complaint_cmd(doc_id: int, severity: str) -> None:
    """Set a filed complaint's seriousness.

    \b
    Example:
      dangan customer complaint 42 --severity 一般
    """
    click.echo(f"#{doc_id} is a {set_severity(state().catalog(), doc_id, severity)} complaint")


@customer.command("actions")
@click.option("--open", "only_open", is_flag=True, help="Only actions not yet closed.")
@today_option
@json_option
@home_option
def actions_cmd(only_open: bool, today, as_json: bool) -> None:
    """Corrective actions (纠正和预防措施处理单): open, overdue or closed.

    \b
    Example:
      dangan customer actions --open
    """
    day = the_day(today, "--today")
    found = [a for a in list_actions(state().catalog()) if not (only_open and a.closed)]
    if as_json:
        emit_json([a.to_json(day) for a in found])
        return
    for a in found:
        click.echo(f"#{a.doc_id} {a.day.isoformat()} {a.customer or '?'}  {a.status(day)} (due {a.due.isoformat()})")
    if not found:
        click.echo("no corrective actions" + (" open" if only_open else ""))


@customer.command("close-action")
@click.argument("doc_id", type=int)
@click.option("--by", "by", required=True, help="Who verified the measures.")
@click.option("--on", "on", required=True, help="The day they were verified, YYYY-MM-DD.")
@click.option("--result", required=True, help="The verification result (验证结果).")
@click.option("--told-on", required=True, help="The day the customer was told the result, YYYY-MM-DD.")
@home_option
def close_cmd(doc_id: int, by: str, on: str, result: str, told_on: str) -> None:
    """Close a corrective action: verified, and the result told to the customer.

    \b
    Example:
      dangan customer close-action 57 --by 赵敏 --on 2026-05-20 --result 已更换并复查合格 --told-on 2026-05-21
    """
    a = close_action(state().catalog(), doc_id, by=by, on=parse_date(on, "--on"), result=result,
                     told_on=parse_date(told_on, "--told-on"))  # fmt: skip
    click.echo(f"corrective action #{a.doc_id} closed: verified {a.verified_on} by {a.verified_by}, told {a.told_on}")


@customer.command("action-due")
@click.argument("doc_id", type=int)
@click.option("--due", required=True, help="The day the measures must be done by, YYYY-MM-DD.")
@home_option
def action_due_cmd(doc_id: int, due: str) -> None:
    """Set the day a corrective action's measures must be done by (完成期限).

    \b
    Example:
      dangan customer action-due 57 --due 2026-06-15
    """
    a = set_action_due(state().catalog(), doc_id, parse_date(due, "--due"))
    click.echo(f"corrective action #{a.doc_id} is due {a.due.isoformat()}")


@customer.command("satisfaction")
@click.option("--year", required=True, help="The year of the surveys.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Also write a workbook.")
@json_option
@home_option
def satisfaction_cmd(year: str, xlsx: Path | None, as_json: bool) -> None:
    """Satisfaction by indicator, customer class and quarter, from the surveys filed.

    Scores: 很满意 4, 满意 3, 一般 2, 不满意 1; 满意率 is the share of answers of 3 or more.

    \b
    Example:
      dangan customer satisfaction --year 2026 --xlsx 2026满意度.xlsx
    """
    stats = satisfaction(state().catalog(), parse_year(year))
    if xlsx:
        write_xlsx(stats, xlsx)
    if as_json:
        emit_json(stats.to_json())
        return
    click.echo(f"{stats.year}: {len(stats.surveys)} survey(s)")
    for name, f in stats.overall.items():
        if f.mean is None:
            click.echo(f"  {name}: —")
            continue
        by_class = "  ".join(
            f"{k} {v[name].mean if v[name].mean is not None else '—'}" for k, v in stats.by_class.items()
        )
        click.echo(f"  {name}: {f.mean} ({f.surveys} surveys, 满意率 {f.satisfied:.0%})  {by_class}")
    if xlsx:
        click.echo(f"wrote {xlsx}")
