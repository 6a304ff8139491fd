"""Retention that runs out: due records, appraisal, approval, disposal with its 销毁清册, holds."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from dangan.archive.schema import documents
from dangan.archive.users import add_user
from dangan.indexer.errors import ExitCode
from tests.conftest import write_text_doc

pytestmark = pytest.mark.both_catalogs

CODE = "BJ-2024-017"
TEXTS = {  # our own 施工日志 pages, each names a word only it has
    "log_a.txt": "施工日志\n今日绑扎二层柱钢筋，甲乙丙。\n记录人：吴涛\n",
    "log_b.txt": "施工日志\n今日砌筑四层填充墙，丁戊己。\n记录人：吴涛\n",
    "log_c.txt": "施工日志\n今日安装外墙脚手架，庚辛壬。\n记录人：吴涛\n",
    "log_d.txt": "施工日志\n今日浇筑地下室底板，癸子丑。\n记录人：吴涛\n",
}


def ingest(cli, home) -> dict[str, int]:
    for name, text in TEXTS.items():
        write_text_doc(home.inbox_dir / CODE, name, text)
    r = cli("ingest", str(home.inbox_dir), "--json")
    assert r.exit_code == 0, r.output
    inputs = json.loads(r.output)["inputs"]
    assert {i["outcome"] for i in inputs} == {"filed"}, inputs
    return {i["input"].rsplit("/", 1)[-1]: i["document"] for i in inputs}


def age(cat, doc_id: int, when: date, retention: str) -> None:
    with cat.engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.id == doc_id).values(document_date=when, retention=retention))


@pytest.fixture
def aged(cli, cat, project, home):
    """Four filed 施工日志: three 短期 from 2014 (expire end of 2024), one 长期 from 2014 (2044)."""
    ids = ingest(cli, home)
    a, b, c, d = (ids[n] for n in TEXTS)
    for doc_id in (a, b, c):
        age(cat, doc_id, date(2014, 3, 1), "短期")
    age(cat, d, date(2014, 3, 1), "长期")
    add_user(cat, "赵敏", "archivist", "pw-1234567")
    add_user(cat, "钱坤", "manager", "pw-1234567")
    add_user(cat, "孙丽", "desk", "pw-1234567")
    return a, b, c, d


def search_ids(cli, query: str) -> list[int]:
    return [h["id"] for h in json.loads(cli("search", query, "--json").output)]


def test_due_counts_from_the_year_after_the_document_date(cli, aged):
    a, b, c, d = aged
    r = cli("retention", "due", "--year", "2023", "--json")
    assert r.exit_code == 0 and json.loads(r.output) == []
    r = cli("retention", "due", "--year", "2024", "--json")
    rows = json.loads(r.output)
    assert [(x["id"], x["retention"], x["start_year"], x["expired"]) for x in rows] == [
        (a, "短期", 2015, 2024), (b, "短期", 2015, 2024), (c, "短期", 2015, 2024)]  # fmt: skip
    assert [x["id"] for x in json.loads(cli("retention", "due", "--year", "2044", "--json").output)] == [a, b, c, d]


def test_periods_are_configurable_in_dangan_toml(cli, aged, home):
    a, b, c, d = aged
    with home.config_path.open("a", encoding="utf-8") as fh:
        fh.write("\n[retention]\nshort_years = 5\nlong_years = 12\n")
    rows = json.loads(cli("retention", "due", "--year", "2026", "--json").output)
    assert [(x["id"], x["expired"]) for x in rows] == [(a, 2019), (b, 2019), (c, 2019), (d, 2026)]


def test_a_bad_period_in_dangan_toml_names_the_key(cli, aged, home):
    with home.config_path.open("a", encoding="utf-8") as fh:
        fh.write('\n[retention]\nshort_years = "ten"\n')
    r = cli("retention", "due")
    assert r.exit_code == ExitCode.config_error
    assert (
        r.output.strip() == "Error: dangan.toml [retention] short_years = 'ten': give a whole number of years, 1 to 200"
    )


def test_the_story_appraise_approve_dispose(cli, cat, aged, home):
    a, b, c, d = aged
    path_b = home.vault_dir / cat.document(b)["vault_path"]
    r = cli("appraise", "create", "--year", "2024", "--json")
    assert r.exit_code == 0, r.output
    batch = json.loads(r.output)
    assert [it["document_id"] for it in batch["items"]] == [a, b, c]
    bid = str(batch["id"])

    assert (
        cli(
            "appraise", "decide", bid, str(a), "--keep-until", "2034", "--reason", "仍有查考价值", "--by", "赵敏"
        ).exit_code
        == 0
    )
    assert (
        cli("appraise", "decide", bid, str(b), "--destroy", "--reason", "已无保存价值", "--by", "赵敏").exit_code == 0
    )
    r = cli("appraise", "decide", bid, str(c), "--destroy", "--reason", "重复", "--by", "孙丽")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == (
        "Error: --by 孙丽: only a user with the role archivist or manager or admin may decide in an appraisal; "
        "`dangan user add` one"
    )
    assert cli("appraise", "decide", bid, str(c), "--destroy", "--reason", "重复", "--by", "赵敏").exit_code == 0

    r = cli("appraise", "dispose", bid, "--witness", "赵敏", "--witness", "钱坤")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == (
        f"Error: appraisal batch {bid} is open, not approved: nothing is destroyed before its approval; "
        f"`dangan appraise approve {bid} --by 姓名`"
    )
    assert path_b.is_file()

    r = cli("appraise", "approve", bid, "--by", "赵敏")
    assert r.exit_code == ExitCode.usage and "only a user with the role manager or admin may approve" in r.output
    r = cli("appraise", "approve", bid, "--by", "钱坤")
    assert r.exit_code == 0, r.output
    r = cli("appraise", "decide", bid, str(a), "--open", "--reason", "改主意", "--by", "赵敏")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == f"Error: appraisal batch {bid} is approved; its decisions are fixed"
    assert cat.document(a)["keep_until"] == 2034

    r = cli("appraise", "dispose", bid, "--witness", "赵敏")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: disposal needs at least two 监销人: --witness 姓名 --witness 姓名"
    r = cli("appraise", "dispose", bid, "--witness", "赵敏", "--witness", "钱坤", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)

    assert not path_b.exists()
    for doc_id in (b, c):
        doc = cat.document(doc_id)
        assert (doc["status"], doc["vault_path"]) == ("destroyed", None)
        assert any(e["action"] == "destroyed" for e in cat.events(document=doc_id))
    assert search_ids(cli, "丁戊己") == [] and search_ids(cli, "甲乙丙") == [a]
    r = cli("verify")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "Clean."

    r = cli("show", str(b))
    assert r.exit_code == 0 and "status: destroyed" in r.output
    assert "vault path: (none: destroyed, its file removed)" in r.output
    r = cli("open", str(b))
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == f"Error: document {b} was destroyed (已销毁) by an appraisal; it has no stored file"
    r = cli("discard", str(b), "--reason", "清理")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == f"Error: document {b} was destroyed (已销毁) by an appraisal; its record cannot change"

    (register,) = out["registers"]
    reg = cat.document(register["document"])
    # no [retention] register_item in dangan.toml: it waits in review under the project, 永久
    assert (reg["status"], reg["retention"], reg["project_code"]) == ("review", "永久", CODE)
    assert reg["title"] == f"{CODE} 档案销毁清册（鉴定批次 {bid}）"
    assert "已无保存价值" in cat.text(reg["id"]) and "监销人：赵敏、钱坤" in cat.text(reg["id"])
    assert register["xlsx"] == f"销毁清册/销毁清册_{CODE}_批次{bid}.xlsx"
    rows = list(load_workbook(home.root / register["xlsx"]).active.values)
    assert rows[1] == ("序号", "题名", "档号", "应保管期限", "已保管期限", "页数", "销毁理由")
    kept = f"{date.today().year - 2015 + 1}年"
    assert [r[3:] for r in rows[2:4]] == [("短期（10年）", kept, 1, "已无保存价值"), ("短期（10年）", kept, 1, "重复")]
    assert [r[0] for r in rows[-2:]] == ["监销人：赵敏、钱坤", f"销毁日期：{date.today():%Y-%m-%d}"]
    # a 延长 record is not due again until its new year; the destroyed ones never
    assert [x["id"] for x in json.loads(cli("retention", "due", "--year", "2034", "--json").output)] == [a]


def test_a_held_record_cannot_be_destroyed_or_emptied_from_the_trash(cli, cat, aged):
    a, b, c, d = aged
    r = cli("hold", "set", str(b), "--reason", "合同纠纷诉讼", "--by", "钱坤")
    assert r.exit_code == 0 and r.output.strip() == f"Hold #1 on {b}: 合同纠纷诉讼 (by 钱坤)"
    bid = json.loads(cli("appraise", "create", "--year", "2024", "--json").output)["id"]
    r = cli("appraise", "decide", str(bid), str(b), "--destroy", "--reason", "无价值", "--by", "赵敏")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == (
        f"Error: document {b} cannot be decided for destruction: hold #1 on document {b} (合同纠纷诉讼, by 钱坤); "
        "`dangan hold release` it first"
    )
    # decided while free, then the whole project is held before disposal
    assert cli("appraise", "decide", str(bid), str(b), "--destroy", "--reason", "无价值", "--by", "赵敏").exit_code == 7
    assert cli("hold", "release", str(b), "--reason", "诉讼结束", "--by", "钱坤").exit_code == 0
    for doc_id in (a, b, c):
        assert (
            cli(
                "appraise", "decide", str(bid), str(doc_id), "--destroy", "--reason", "无价值", "--by", "赵敏"
            ).exit_code
            == 0
        )
    assert cli("appraise", "approve", str(bid), "--by", "钱坤").exit_code == 0
    assert cli("hold", "set", CODE, "--reason", "审计", "--by", "钱坤").exit_code == 0
    r = cli("appraise", "dispose", str(bid), "--witness", "赵敏", "--witness", "钱坤")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == (
        f"Error: document {a} cannot be disposed of: hold #2 on project {CODE} (审计, by 钱坤); "
        "`dangan hold release` it first"
    )
    assert cat.document(a)["status"] == "filed"

    assert cli("discard", str(d), "--reason", "误扫").exit_code == 0
    r = cli("trash", "empty", "--older-than", "0d")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == f"kept #{d} log_d.txt: hold #2 on project {CODE} (审计, by 钱坤)"
    assert cat.document(d)["status"] == "discarded"  # held with its project: still in the trash
    r = cli("hold", "release", CODE, "--reason", "审计结束", "--by", "钱坤")
    assert r.output.strip() == f"Released hold #2 on {CODE}."
    sha = cat.document(d)["sha256"]
    r = cli("trash", "empty", "--older-than", "0d")
    assert r.output.splitlines() == [
        f"removed #{d} log_d.txt (SHA-256 {sha[:12]}…)",
        "Removed 1 document(s) discarded more than 0d ago.",
    ]
    r = cli("hold", "release", CODE, "--reason", "x", "--by", "钱坤")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == f"Error: {CODE} is not on hold; `dangan hold` lists the holds"


def test_bad_input_to_appraisal(cli, aged):
    r = cli("appraise", "create", "--year", "2020")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == "Error: no record has expired by the end of 2020 outside an unfinished batch"
    r = cli("appraise", "show", "99")
    assert r.exit_code == ExitCode.not_found
    assert r.output.strip() == "Error: no appraisal batch 99; `dangan appraise create` makes one"
    bid = str(json.loads(cli("appraise", "create", "--year", "2024", "--json").output)["id"])
    r = cli("appraise", "decide", bid, str(aged[0]), "--open", "--destroy", "--reason", "x", "--by", "赵敏")
    assert r.exit_code == ExitCode.usage and "give exactly one of --keep-until YEAR, --open, --destroy" in r.output
    r = cli("appraise", "decide", bid, str(aged[0]), "--keep-until", "2020", "--reason", "x", "--by", "赵敏")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: --keep-until 2020: give a year after 2024, when the period ran out"
    r = cli("appraise", "decide", bid, str(aged[3]), "--open", "--reason", "x", "--by", "赵敏")
    assert r.exit_code == ExitCode.not_found
    assert (
        r.output.strip() == f"Error: document {aged[3]} is not in appraisal batch {bid}; `dangan appraise show {bid}`"
    )
    r = cli("appraise", "approve", bid, "--by", "钱坤")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip().startswith(f"Error: appraisal batch {bid}: no decision yet on document {aged[0]}, ")


def test_bad_input_to_holds_and_due(cli, aged):
    r = cli("hold", "set", "999", "--reason", "诉讼", "--by", "钱坤")
    assert r.exit_code == ExitCode.not_found
    r = cli("hold", "set", "NO-SUCH", "--reason", "诉讼", "--by", "钱坤")
    assert r.exit_code == ExitCode.not_found and "NO-SUCH" in r.output
    r = cli("hold", "set", CODE, "--reason", "  ", "--by", "钱坤")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: --reason is required and cannot be empty"
    assert cli("hold", "set", CODE, "--reason", "审计", "--by", "钱坤").exit_code == 0
    r = cli("hold", "set", CODE, "--reason", "又一次", "--by", "钱坤")
    assert r.exit_code == ExitCode.conflict
    assert r.output.strip() == f"Error: {CODE} is already on hold #1 (审计)"
    r = cli("hold")
    assert r.output.splitlines()[-1] == "1 hold(s)."
    r = cli("retention", "due", "--year", "99999")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: --year 99999: give a year like 2025"
    rows = json.loads(cli("retention", "due", "--year", "2024", "--json").output)
    assert {x["hold"] for x in rows} == {f"hold #1 on project {CODE} (审计, by 钱坤)"}
