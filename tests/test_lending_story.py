"""Issue 28's "Done when", as one story an archivist lives through, on the command line and the read link."""

from __future__ import annotations

import json

from dangan.archive.labelcodes import parse
from dangan.web.app import create_app
from tests.conftest import write_text_doc
from tests.test_grants import _link
from tests.test_labels import _batch, _content_pages, decoded
from tests.webutil import make_client

CODE = "BJ-2024-017"


def test_the_story_of_issue_28(cli, project, home, tmp_path, monkeypatch):
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-01")
    folder = tmp_path / "in"
    write_text_doc(folder, "施工合同书.txt", "施工合同书\n2024年2月1日")
    write_text_doc(folder, "土建建施竣工图.txt", "土建建施竣工图\n2024年9月1日")
    assert cli("ingest", str(folder), "--project", CODE).exit_code == 0
    assert cli("volume", "plan", CODE).exit_code == 0
    vols = {v["volume"]: v["code"] for v in json.loads(cli("volume", "list", CODE, "--json").output)}

    # set locations for the project's volumes, print labels, and read their QR codes back
    assert cli("location", "set", f"{CODE}:1", f"{CODE}:2", "--at", "库房1/A03/2/盒017").exit_code == 0
    spines = tmp_path / "脊背.pdf"
    assert cli("label", f"{CODE}:1", f"{CODE}:2", "--kind", "spine", "-o", str(spines)).exit_code == 0
    assert [parse(codes[0]).values[1] for codes in decoded(spines)] == [vols[1], vols[2]]

    # lend a volume, see it overdue, return it
    r = cli("lend", f"{CODE}:2", "--to", "李明", "--dept", "工程部", "--purpose", "改造设计", "--until", "2025-03-05")
    assert r.exit_code == 0
    monkeypatch.setenv("DANGAN_TODAY", "2025-03-09")
    assert "BJ-2024-017:2  李明 (工程部)  改造设计  lent 2025-03-01, until 2025-03-05  overdue 4 day(s)" in cli(
        "loans", "--overdue").output  # fmt: skip
    assert (
        "借阅逾期 overdue loan: BJ-2024-017:2 lent to 李明 (工程部) until 2025-03-05, 4 day(s) late"
        in cli("due").output
    )
    assert cli("return", f"{CODE}:2", "--effect", "按原图完成改造设计").exit_code == 0
    assert cli("loans", "--overdue").output == "nothing is overdue\n"

    # a grant link viewed by an outsider is logged, and stops after its day or a revoke
    grant = ["--to", "王审计", "--org", "信达会计师事务所", "--purpose", "年度审计"]
    short = _link(cli("grant", f"{CODE}:1", *grant, "--until", "2025-03-10").output)
    long = _link(cli("grant", f"{CODE}:2", *grant, "--until", "2025-12-31").output)
    with make_client(create_app(home)) as web:
        listing = web.get(short)
        assert listing.status_code == 200 and "施工合同书" in listing.text
        doc = int(listing.text.split(f"{short}/d/")[1].split('"')[0])
        assert web.get(f"{short}/d/{doc}").status_code == 200
        assert web.get(long).status_code == 200
        assert cli("grant", "revoke", "2").exit_code == 0
        assert web.get(long).status_code == 410
        monkeypatch.setenv("DANGAN_TODAY", "2025-03-11")
        assert web.get(short).status_code == 410
    uses = json.loads(cli("use", "list", "--person", "王审计", "--json").output)
    assert [(u["action"], u["what"]) for u in uses] == [("在线查阅", f"#{doc}")]

    # a cover-sheet batch is split and filed exactly where its sheets say
    sheets = [tmp_path / "c02.pdf", tmp_path / "c04.pdf"]
    assert cli("coversheet", CODE, "C02", "-o", str(sheets[0])).exit_code == 0
    assert cli("coversheet", CODE, "C04", "-o", str(sheets[1])).exit_code == 0
    batch = _batch(home.inbox_dir / "批次.pdf", [sheets[0], _content_pages(["申请书 第1页", "申请书 第2页"]),
                                                  sheets[1], _content_pages(["方案"])])  # fmt: skip
    r = cli("ingest", str(batch), "--json")
    assert r.exit_code == 0, r.output
    filed = [(x["outcome"], x["item"]) for x in json.loads(r.output)["inputs"]]
    assert filed == [("filed", "C02"), ("filed", "C04")] and not batch.exists()
