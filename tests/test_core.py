"""The archive core through the command line: init, projects, check, waive, catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dangan.archive.catalog import Catalog
from dangan.cli import main
from dangan.indexer.errors import ExitCode
from tests.conftest import ALL_ROLES

ROLE_ARGS = [a for role, person in ALL_ROLES.items() for a in ("--role", f"{role}={person}")]


pytestmark = pytest.mark.both_catalogs  # every test here runs on SQLite and on PostgreSQL


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# -- init and finding the home -------------------------------------------------------------
def test_init_creates_the_home_layout(tmp_path: Path):
    root = tmp_path / "h"
    r = run("init", "--home", str(root))
    assert r.exit_code == 0, r.output
    assert f"Created archive home at {root}" in r.output
    for sub in ("vault", "index", "inbox", "checklists", "templates"):
        assert (root / sub).is_dir()
    assert (root / "dangan.toml").is_file()
    assert (root / "catalog.db").is_file()
    assert (root / "checklists" / "construction.toml").is_file()


def test_init_twice_is_harmless_and_keeps_edits(tmp_path: Path):
    root = tmp_path / "h"
    run("init", "--home", str(root))
    edited = root / "checklists" / "construction.toml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# my edit\n", encoding="utf-8")
    r = run("init", "--home", str(root))
    assert r.exit_code == 0
    assert "Already a home" in r.output
    assert edited.read_text(encoding="utf-8").endswith("# my edit\n")


def test_init_refuses_a_non_empty_folder_that_is_not_a_home(tmp_path: Path):
    (tmp_path / "stuff.txt").write_text("mine")
    r = run("init", "--home", str(tmp_path))
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == (
        f"Error: {tmp_path} is not empty and is not a dangan home; choose an empty or new folder with --home"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stuff.txt"]


def test_commands_without_a_home_say_how_to_make_one(tmp_path: Path):
    missing = tmp_path / "nohome"
    r = run("check", "X", "--home", str(missing))
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == (
        f"Error: no archive home at {missing}: create one with `dangan init --home {missing}` "
        "or point --home / $DANGAN_HOME at an existing one"
    )


def test_home_is_found_through_the_environment(tmp_path: Path):
    root = tmp_path / "envhome"
    run("init", "--home", str(root))
    r = run("project", "list", env={"DANGAN_HOME": str(root)})
    assert r.exit_code == 0
    assert "No projects yet" in r.output


def test_broken_dangan_toml_is_named(home):
    home.config_path.write_text("[dangan\n", encoding="utf-8")
    r = run("project", "list", "--home", str(home.root))
    assert r.exit_code == ExitCode.config_error
    assert r.output.startswith(f"Error: {home.config_path}: ")


# -- projects ------------------------------------------------------------------------------
def test_new_project_with_all_roles_has_sixteen_missing_items_under_the_right_people(cli):
    r = cli("project", "add", "BJ-2024-017", "--name", "安居花园3号楼", *ROLE_ARGS)
    assert r.exit_code == 0, r.output
    assert "Added project BJ-2024-017 安居花园3号楼 (checklist construction, 16 items)" in r.output
    r = cli("check", "BJ-2024-017", "--json")
    assert r.exit_code == ExitCode.incomplete
    data = json.loads(r.output)
    assert set(data) >= {"project", "checklist", "total", "filed", "missing", "waived", "items"}
    assert (data["total"], data["filed"], data["missing"], data["waived"]) == (16, 0, 16, 0)
    by_code = {i["code"]: i for i in data["items"]}
    assert by_code["C02"]["person"] == "张伟" and by_code["C02"]["role"] == "项目经理"
    assert by_code["C09"]["person"] == "吴涛"
    assert by_code["D01"]["person"] == "孙丽" and by_code["D01"]["group"] == "竣工图"
    assert set(by_code["C01"]) == {
        "code",
        "title",
        "group",
        "number",
        "role",
        "person",
        "status",
        "documents",
        "reason",
    }
    assert all(i["status"] == "missing" and i["documents"] == [] for i in data["items"])


def test_check_table_and_summary(cli, project):
    r = cli("check", "BJ-2024-017")
    assert r.exit_code == 3
    assert "施工合同书" in r.output and "公司法人 王建国" in r.output
    assert r.output.strip().splitlines()[-1].startswith("0/16 filed (0%), 16 missing: ")
    assert "内业技术员" not in r.output.strip().splitlines()[-1]  # people, not roles, when named
    assert "李娜 3" in r.output


def test_unknown_checklist(cli):
    r = cli("project", "add", "P-1", "--name", "x", "--checklist", "nope")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == (
        "Error: no checklist 'nope'; available: construction, service (add your own as checklists/<id>.toml in the home)"
    )


def test_unknown_role_lists_the_valid_ones(cli):
    r = cli("project", "add", "P-1", "--name", "x", "--role", "厨师=老王")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == (
        "Error: role '厨师' is not used by checklist construction; valid roles: "
        "公司法人、项目经理、内业技术员、项目技术负责人、材料员、试验员、测量员、施工员、质量安全员、土建内业技术员"
    )


def test_malformed_role_pair(cli):
    r = cli("project", "add", "P-1", "--name", "x", "--role", "项目经理")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: invalid role '项目经理': write 角色=姓名, e.g. 项目经理=张伟"


def test_duplicate_project(cli, project):
    r = cli("project", "add", "BJ-2024-017", "--name", "again")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == "Error: project BJ-2024-017 already exists; see `dangan project show BJ-2024-017`"


def test_invalid_project_code(cli):
    r = cli("project", "add", "BJ 2024/017", "--name", "x")
    assert r.exit_code == ExitCode.usage
    assert (
        r.output.strip()
        == "Error: invalid project code 'BJ 2024/017': use letters, digits and dashes, e.g. BJ-2024-017"
    )


def test_unknown_project(cli, project):
    r = cli("check", "NOPE")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == "Error: no project 'NOPE'; projects: BJ-2024-017"


def test_broken_checklist_file_names_file_item_and_problem(cli, home):
    bad = home.checklists_dir / "mine.toml"
    bad.write_text(
        'id = "mine"\ntitle = "t"\n[[groups]]\ntitle = "g"\n  [[groups.items]]\n  code = "X1"\n'
        '  title = "合同"\n  role = "经理"\n  retention = "十年"\n',
        encoding="utf-8",
    )
    r = cli("project", "add", "P-1", "--name", "x", "--checklist", "mine")
    assert r.exit_code == ExitCode.config_error
    assert r.output.strip() == f"Error: {bad}: item X1: retention '十年' must be one of 永久/长期/短期"


def test_checklist_syntax_error(cli, home):
    bad = home.checklists_dir / "mine.toml"
    bad.write_text('id = "mine\n', encoding="utf-8")
    r = cli("project", "add", "P-1", "--name", "x", "--checklist", "mine")
    assert r.exit_code == ExitCode.config_error
    assert r.output.startswith(f"Error: {bad}: not valid UTF-8 TOML")


def test_user_checklist_in_home_is_usable(cli, home):
    (home.checklists_dir / "service.toml").write_text(
        'id = "service"\ntitle = "售后服务记录"\n[[groups]]\ntitle = "服务记录"\n'
        '  [[groups.items]]\n  code = "S01"\n  title = "维护派工单"\n  role = "客服专员"\n  retention = "短期"\n',
        encoding="utf-8",
    )
    r = cli("project", "add", "SV-1", "--name", "服务", "--checklist", "service", "--role", "客服专员=何芳")
    assert r.exit_code == 0, r.output
    data = json.loads(cli("check", "SV-1", "--json").output)
    assert data["items"][0]["person"] == "何芳" and data["total"] == 1


def test_project_roles_changes_the_person_and_logs_it(cli, home, project):
    r = cli("project", "roles", "BJ-2024-017", "项目经理=李强")
    assert r.exit_code == 0
    shown = json.loads(cli("project", "show", "BJ-2024-017", "--json").output)
    assert {"role": "项目经理", "person": "李强"} in shown["roles"]
    with Catalog.open(home) as cat:
        ev = [e for e in cat.events(project="BJ-2024-017") if e["action"] == "roles-set"]
    assert ev[-1]["detail"]["before"] == {"项目经理": "张伟"} and ev[-1]["command"] == "project roles"


def test_project_list(cli, project):
    r = cli("project", "list", "--json")
    data = json.loads(r.output)
    assert data[0]["code"] == "BJ-2024-017" and data[0]["summary"].startswith("0/16 filed")


# -- waive -----------------------------------------------------------------------------------
def test_waive_and_undo(cli, project):
    r = cli("waive", "BJ-2024-017", "C13", "--reason", "本工程未发生停工")
    assert r.exit_code == 0
    assert r.output.strip() == "BJ-2024-017 C13 竣工报告(含停、复工报告): waived (本工程未发生停工)"
    data = json.loads(cli("check", "BJ-2024-017", "--json").output)
    c13 = next(i for i in data["items"] if i["code"] == "C13")
    assert (c13["status"], c13["reason"], data["waived"], data["missing"]) == ("waived", "本工程未发生停工", 1, 15)
    r = cli("waive", "BJ-2024-017", "C13", "--undo")
    assert r.exit_code == 0 and "waiver removed, now missing" in r.output
    r = cli("waive", "BJ-2024-017", "C13", "--undo")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == "Error: item C13 of project BJ-2024-017 is not waived; nothing to undo"


def test_waive_needs_a_reason_and_a_real_item(cli, project):
    r = cli("waive", "BJ-2024-017", "C13")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: a waiver needs a reason: --reason 本工程未发生停工"
    r = cli("waive", "BJ-2024-017", "Z9", "--reason", "x")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip().startswith("Error: project BJ-2024-017 has no checklist item 'Z9'; items: C01, C02")


def test_check_needs_codes_or_all(cli):
    r = cli("check")
    assert r.exit_code == 2
    assert "name a project code or use --all" in r.output


def test_check_all_least_complete_first(cli, cat, project, tmp_path):
    from dangan.archive.completeness import waive
    from dangan.archive.projects import add_project

    add_project(cat, "SZ-2024-002", "深圳仓库", roles={"项目经理": "李娜"})
    for it in project.checklist.items[:15]:
        waive(cat, "SZ-2024-002", it.code, "不适用")
    data = json.loads(cli("check", "--all", "--json").output)
    assert [d["project"] for d in data] == ["BJ-2024-017", "SZ-2024-002"]


def test_check_by_person(cli, project):
    r = cli("check", "BJ-2024-017", "--by", "person")
    assert r.exit_code == 3
    lines = [ln for ln in r.output.splitlines() if "孙丽" in ln and ln.startswith("│")]
    assert len(lines) == 2 and "D01" in lines[0] and "D02" in lines[1]


# -- help --------------------------------------------------------------------------------------
def _all_commands(group, prefix=()):
    # list_commands/get_command, not .commands: the top group loads its commands lazily.
    for name in group.list_commands(None):
        cmd = group.get_command(None, name)
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _all_commands(cmd, (*prefix, name))


def test_every_command_has_help_with_an_example():
    missing = []
    for path, cmd in _all_commands(main):
        r = run(*path, "--help")
        if r.exit_code != 0 or not (cmd.help or "").strip() or "Example" not in r.output:
            missing.append(" ".join(path))
    assert missing == []


def test_top_help_lists_every_command_with_its_own_short_help():
    from dangan.cli import COMMANDS

    assert len(COMMANDS) >= 16
    for name, (_, _, short) in COMMANDS.items():
        # The listing is printed from COMMANDS without importing the modules: it must
        # say what each command's own docstring says.
        assert main.get_command(None, name).get_short_help_str(300) == short, name
    r = run("--help")
    assert r.exit_code == 0
    listed = [ln.split()[0] for ln in r.output.split("Commands:")[1].splitlines() if ln.strip()]
    assert listed == sorted(COMMANDS)


def test_help_imports_no_library_code():
    code = "import sys, dangan.cli; dangan.cli.main(['--help'], standalone_mode=False); print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'whoosh', 'rich') or m.startswith('dangan.archive')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
