"""Commands of the archive core: init, project, check, waive, catalog."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from dangan.archive import completeness
from dangan.archive.create import init_home
from dangan.archive.home import locate
from dangan.archive.projects import UNASSIGNED, add_project, get_project, list_projects, parse_roles, set_roles
from dangan.archive.tree import catalog_tree
from dangan.commands.common import console, emit_json, home_option, json_option, state
from dangan.commands.deadlines import (
    collect,
    needs_attention,
    print_deadlines,
    project_status,
    today_option,
    waive_one_period,
)

STATUS_MARK = {
    "filed": "[green]✔ 已归档 filed[/]",
    "missing": "[red]✘ 缺 missing[/]",
    "waived": "[yellow]– 免 waived[/]",
}


@click.command()
@click.option(
    "--catalog-url",
    metavar="URL",
    help="Keep the catalog on a database server instead of catalog.db, e.g. postgresql+psycopg://dangan@db-host/dangan.",
)
@home_option
def init(catalog_url: str | None) -> None:
    """Create an archive home (catalog, vault/, index/, inbox/, dangan.toml, checklists, templates).

    Running it again on a home is harmless: it only adds what is missing.  With
    --catalog-url the home's catalog is that database (created or brought up to date).

    \b
    Example:
      dangan init --home ./dangan-home
      export DANGAN_HOME=$PWD/dangan-home
      dangan init --home ./station-2 --catalog-url postgresql+psycopg://dangan@10.0.0.5:5432/dangan
    """
    root = locate(state().home)
    home, created = init_home(root, catalog_url=catalog_url)
    verb = "Created" if created else "Already a home; checked"
    click.echo(f"{verb} archive home at {home.root}")
    click.echo(f"Next: dangan project add CODE --name NAME --role 项目经理=姓名 --home {home.root}")


@click.group()
def project() -> None:
    """Projects and who holds each responsible role (责任人) on them.

    \b
    Example:
      dangan project add BJ-2024-017 --name 安居花园3号楼 --role 项目经理=张伟 --role 施工员=吴涛
      dangan project show BJ-2024-017
    """


@project.command("add")
@click.argument("code")
@click.option("--name", required=True, help="Project name, e.g. 安居花园3号楼.")
@click.option(
    "--checklist", default="construction", show_default=True, help="Checklist id the project is checked against."
)
@click.option(
    "--role", "roles", multiple=True, metavar="角色=姓名", help="Who holds a responsible role; repeat for each role."
)
@json_option
@home_option
def project_add(code: str, name: str, checklist: str, roles: tuple[str, ...], as_json: bool) -> None:
    """Add a project bound to a checklist, naming the people in its roles.

    \b
    Example:
      dangan project add BJ-2024-017 --name 安居花园3号楼 --role 项目经理=张伟 --role 内业技术员=李娜
    """
    p = add_project(state().catalog(), code, name, checklist=checklist, roles=parse_roles(roles))
    if as_json:
        return emit_json(p.to_json())
    click.echo(f"Added project {p.code} {p.name} (checklist {p.checklist.id}, {len(p.checklist.items)} items)")
    unfilled = [r for r in p.checklist.roles if r not in p.roles]
    if unfilled:
        click.echo(f"Roles without a person yet: {'、'.join(unfilled)} (dangan project roles {p.code} 角色=姓名)")


@project.command("list")
@json_option
@home_option
def project_list(as_json: bool) -> None:
    """List projects with their checklist and completeness.

    \b
    Example:
      dangan project list --json
    """
    cat = state().catalog()
    rows = [(p, project_status(cat, p)) for p in list_projects(cat)]
    if as_json:
        return emit_json([{**p.to_json(), "summary": r.summary()} for p, r in rows])
    if not rows:
        click.echo("No projects yet. Add one: dangan project add CODE --name NAME")
        return
    t = Table("项目 code", "名称 name", "checklist", "完整性 completeness")
    for p, r in rows:
        t.add_row(p.code, escape(p.name), p.checklist.id, escape(r.summary()))
    console().print(t)


@project.command("show")
@click.argument("code")
@json_option
@home_option
def project_show(code: str, as_json: bool) -> None:
    """Show a project's roles and the people holding them.

    \b
    Example:
      dangan project show BJ-2024-017
    """
    p = get_project(state().catalog(), code)
    if as_json:
        return emit_json(p.to_json())
    click.echo(f"{p.code} {p.name}  (checklist {p.checklist.id}: {p.checklist.title})")
    t = Table("角色 role", "责任人 person", "items")
    for role in p.checklist.roles:
        items = " ".join(i.code for i in p.checklist.items if i.role == role)
        t.add_row(role, escape(p.roles.get(role, UNASSIGNED)), items)
    console().print(t)


@project.command("roles")
@click.argument("code")
@click.argument("pairs", nargs=-1, required=True, metavar="角色=姓名...")
@home_option
def project_roles(code: str, pairs: tuple[str, ...]) -> None:
    """Name or change who holds roles on a project (recorded in the event log).

    \b
    Example:
      dangan project roles BJ-2024-017 项目经理=李娜 材料员=陈静
    """
    p = set_roles(state().catalog(), code, parse_roles(pairs))
    click.echo(f"{p.code}: " + ", ".join(f"{r}={p.roles[r]}" for r in parse_roles(pairs)))


def print_report(r: completeness.Report, by_person: bool) -> None:
    """Print one completeness report as a table, by item or by person."""
    click.echo(f"{r.project} {r.project_name} — {r.checklist}")
    out = console()
    if by_person:
        t = Table("责任人 person", "序号", "文件名称 document", "状态 status")
        for owner in sorted({i.owner for i in r.items}):
            for i in (x for x in r.items if x.owner == owner):
                t.add_row(escape(owner), i.code, escape(i.title), STATUS_MARK[i.status] + _detail(i))
        out.print(t)
    else:
        t = Table("序号", "文件名称 document", "责任人 responsible", "状态 status")
        group = None
        for i in r.items:
            if i.group != group:
                group = i.group
                t.add_row("", f"[bold]{escape(group)}[/]", "", "")
            t.add_row(
                str(i.number),
                escape(i.title),
                escape(f"{i.role} {i.person or UNASSIGNED}"),
                STATUS_MARK[i.status] + _detail(i),
            )
        out.print(t)
    click.echo(r.summary())


def _detail(i: completeness.ItemStatus) -> str:
    if i.status == "filed":
        return f" ({len(i.documents)})"
    if i.status == "waived":
        return f" ({escape(i.reason or '')})"
    return ""


@click.command()
@click.argument("codes", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every project, least complete first.")
@click.option(
    "--by",
    "by",
    type=click.Choice(["item", "person", "customer"]),
    default="item",
    show_default=True,
    help="Group by checklist item or by who owes what.",
)
@click.option("--period", metavar="PERIOD", help="Service deadlines of one period: 2025-03, 2025-Q1, 2025-W11, 2025.")
@click.option(
    "--from", "from_", metavar="YYYY-MM-DD", help="Service deadlines from this day (default: the first record)."
)
@click.option("--to", "to", metavar="YYYY-MM-DD", help="Service deadlines up to this day (default: today).")
@today_option
@json_option
@home_option
def check(codes: tuple[str, ...], all_: bool, by: str, period: str | None, from_: str | None, to: str | None,
          today: str | None, as_json: bool) -> None:  # fmt: skip
    """Check projects' archives against their checklist: filed, missing, who owes it.

    A checklist with deadlines (service records) is checked per item and period: filed on
    time, filed late (by how much), overdue, due soon.  Exit code 0 when every project is
    complete, 3 when anything is missing or overdue.

    \b
    Example:
      dangan check BJ-2024-017
      dangan check --all --by person
      dangan check SV-BJ --period 2025-03 --by person
      dangan check BJ-2024-017 --json
    """
    if not codes and not all_:
        raise click.UsageError("name a project code or use --all, e.g. dangan check BJ-2024-017")
    reports = collect(codes, all_, period=period, from_=from_, to=to, today=today)
    if as_json:
        data = [r.to_json() for r in reports]
        emit_json(data[0] if len(data) == 1 and not all_ else data)
    else:
        for n, r in enumerate(reports):
            if n:
                click.echo("")
            if isinstance(r, completeness.Report):
                print_report(r, by == "person")
            else:
                print_deadlines(r, by == "person", by_customer=by == "customer")
    if any(needs_attention(r) for r in reports):
        raise click.exceptions.Exit(3)


@click.command()
@click.argument("code")
@click.argument("item")
@click.option("--reason", help="Why the item does not apply (required unless --undo).")
@click.option("--undo", is_flag=True, help="Reverse an earlier waiver.")
@click.option("--period", metavar="PERIOD", help="Waive only this period of a periodic item, e.g. 2025-02.")
@home_option
def waive(code: str, item: str, reason: str | None, undo: bool, period: str | None) -> None:
    """Mark a checklist item not applicable to a project (or --undo that).

    \b
    Example:
      dangan waive BJ-2024-017 C13 --reason 本工程未发生停工，无停复工报告
      dangan waive BJ-2024-017 C13 --undo
      dangan waive SV-BJ S04 --period 2025-W06 --reason 春节停业
    """
    cat = state().catalog()
    if period:
        return waive_one_period(cat, code, item, period, reason, undo)
    if undo:
        s = completeness.unwaive(cat, code, item)
        click.echo(f"{code} {s.code} {s.title}: waiver removed, now {s.status}")
    else:
        s = completeness.waive(cat, code, item, reason or "")
        click.echo(f"{code} {s.code} {s.title}: {s.status} ({s.reason})")


@click.command()
@click.argument("code")
@json_option
@home_option
def catalog(code: str, as_json: bool) -> None:
    """The catalog tree: project → responsible person → checklist item → documents.

    \b
    Example:
      dangan catalog BJ-2024-017
      dangan catalog BJ-2024-017 --json
    """
    tree_data = catalog_tree(state().catalog(), code)
    if as_json:
        return emit_json(tree_data)
    print_catalog(tree_data)


def print_catalog(tree_data: dict) -> None:
    """Print the catalog tree of :func:`catalog_tree` for people."""
    root = Tree(f"[bold]{escape(tree_data['project'])} {escape(tree_data['name'])}[/]")
    for person in tree_data["people"]:
        pn = root.add(f"{escape(person['person'])} [dim]({escape('、'.join(person['roles']))})[/]")
        for it in person["items"]:
            inode = pn.add(f"{it['code']} {escape(it['title'])}" + _tree_mark(it))
            for d in it["documents"]:
                inode.add(
                    f"#{d['id']} {escape(d['title'])} [dim]{escape(d['original_name'])} · {d['date'] or '-'} · {d['pages']}p[/]"
                )
    console().print(root)
    if tree_data["review"]:
        click.echo(f"{tree_data['review']} document(s) wait in review: dangan review")


def _tree_mark(it: dict) -> str:
    """Like `check`: filed items show their documents, waived ones their reason, the rest 缺."""
    if it["documents"]:
        return ""
    if it.get("waived") is not None:
        return f" [yellow](免 waived: {escape(it['waived'])})[/]"
    return " [red](缺 missing)[/]"
