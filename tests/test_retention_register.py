"""The 销毁清册 is filed into the archive as a permanent record: DOCX and XLSX, under a register item."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from dangan.archive.checklist import checklist_paths
from dangan.indexer.errors import ExitCode
from tests.test_retention import CODE
from tests.test_retention import aged as aged_records

pytestmark = pytest.mark.both_catalogs

aged = pytest.fixture(aged_records.__wrapped__, name="aged")  # the four 施工日志 of test_retention


def destroy_two(cli, b: int, c: int) -> str:
    """An approved batch of 2024 that destroys ``b`` and ``c`` and keeps the other one; its id."""
    batch = json.loads(cli("appraise", "create", "--year", "2024", "--json").output)
    bid = str(batch["id"])
    for it in batch["items"]:
        doc = it["document_id"]
        how = ["--destroy"] if doc in (b, c) else ["--keep-until", "2030"]
        r = cli("appraise", "decide", bid, str(doc), *how, "--reason", "鉴定小组意见", "--by", "赵敏")
        assert r.exit_code == 0, r.output
    assert cli("appraise", "approve", bid, "--by", "钱坤").exit_code == 0
    return bid


def with_register_item(home) -> None:
    """The home's construction checklist gains a 鉴定与销毁 group with a 销毁清册 item (code X1)."""
    text = checklist_paths(None)["construction"].read_text(encoding="utf-8")
    home.checklists_dir.mkdir(exist_ok=True)
    (home.checklists_dir / "construction.toml").write_text(
        text
        + '\n[[groups]]\ntitle = "鉴定与销毁"\n\n  [[groups.items]]\n  code = "X1"\n  title = "档案销毁清册"\n'
        + '  role = "资料员"\n  retention = "永久"\n  aliases = ["销毁清册"]\n',
        encoding="utf-8",
    )


def test_without_a_register_item_both_copies_wait_in_review_saying_why(cli, cat, aged, home):
    a, b, c, d = aged
    bid = destroy_two(cli, b, c)
    r = cli("appraise", "dispose", bid, "--witness", "赵敏", "--witness", "钱坤", "--json")
    assert r.exit_code == 0, r.output
    (reg,) = json.loads(r.output)["registers"]
    docx, xlsx = cat.document(reg["document"]), cat.document(reg["xlsx_document"])
    assert [(x["status"], x["retention"], x["project_code"], x["item_code"]) for x in (docx, xlsx)] == [
        ("review", "永久", CODE, None), ("review", "永久", CODE, None)]  # fmt: skip
    assert docx["original_name"].endswith(".docx") and xlsx["original_name"].endswith(".xlsx")
    (event,) = [e for e in cat.events(document=xlsx["id"]) if e["action"] == "to-review"]
    assert event["detail"]["reason"] == (
        "no checklist item holds 销毁清册: file it by hand, or name the item in dangan.toml [retention] register_item"
    )
    # the filed XLSX is the register: both 档号 rows and the two 监销人
    rows = list(load_workbook(home.vault_dir / xlsx["vault_path"]).active.values)
    assert [r[1] for r in rows[2:4]] == [cat.document(b)["title"], cat.document(c)["title"]]
    assert rows[-2][0] == "监销人：赵敏、钱坤"
    assert "监销人：赵敏、钱坤" in cat.text(docx["id"])


def test_the_checklist_register_item_takes_both_copies_filed(cli, cat, aged, home):
    a, b, c, d = aged
    with_register_item(home)
    bid = destroy_two(cli, b, c)
    r = cli("appraise", "dispose", bid, "--witness", "赵敏", "--witness", "钱坤")
    assert r.exit_code == 0, r.output
    reg = json.loads(cli("appraise", "show", bid, "--json").output)
    events = [e for e in cat.events(project=CODE) if e["action"] == "destruction-register"]
    ids = [events[0]["document_id"], events[0]["detail"]["xlsx_document"]]
    assert [(cat.document(i)["status"], cat.document(i)["item_code"], cat.document(i)["retention"]) for i in ids] == [
        ("filed", "X1", "永久"), ("filed", "X1", "永久")]  # fmt: skip
    assert "under X1" in r.output and reg["status"] == "disposed"


def test_dangan_toml_names_the_register_item(cli, cat, aged, home, project):
    a, b, c, d = aged
    item = project.checklist.items[0].code
    with home.config_path.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[retention]\nregister_item = "{item}"\n')
    bid = destroy_two(cli, b, c)
    r = cli("appraise", "dispose", bid, "--witness", "赵敏", "--witness", "钱坤", "--json")
    assert r.exit_code == 0, r.output
    (reg,) = json.loads(r.output)["registers"]
    assert reg["item"] == item
    assert {cat.document(reg[k])["status"] for k in ("document", "xlsx_document")} == {"filed"}


def test_a_register_item_not_in_the_checklist_stops_disposal_before_anything_is_destroyed(cli, cat, aged, home):
    a, b, c, d = aged
    with home.config_path.open("a", encoding="utf-8") as fh:
        fh.write('\n[retention]\nregister_item = "Z9"\n')
    path_b = home.vault_dir / cat.document(b)["vault_path"]
    bid = destroy_two(cli, b, c)
    r = cli("appraise", "dispose", bid, "--witness", "赵敏", "--witness", "钱坤")
    assert r.exit_code == ExitCode.config_error
    assert r.output.strip() == (
        f"Error: dangan.toml [retention] register_item = 'Z9': checklist construction of project {CODE} "
        "has no such item; name one of its item codes"
    )
    assert path_b.is_file() and cat.document(b)["status"] == "filed"
