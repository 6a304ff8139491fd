"""`dangan stats`: every figure equals a count made here straight from the catalog's rows."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from dangan.archive.appraisal import approve, create_batch, decide
from dangan.archive.disposal import dispose
from dangan.archive.holdings import set_location
from dangan.archive.lending import lend, renew, return_loan
from dangan.archive.projects import add_project, get_project
from dangan.archive.sample import SAMPLE_ROLES
from dangan.archive.schema import (
    appraisal_batches,
    appraisal_items,
    documents,
    events,
    grant_uses,
    grants,
    holdings,
    loans,
    use_records,
    volume_documents,
)
from dangan.archive.users import add_user
from dangan.archive.volumes.plan import plan_volumes
from dangan.indexer.errors import ExitCode
from tests.conftest import write_text_doc

pytestmark = pytest.mark.both_catalogs

OTHER = "SH-2025-003"
DOCS = {  # (project, file, text): our own short records of two sites
    ("BJ-2024-017", "a.txt"): "施工日志\n今日绑扎二层柱钢筋。\n记录人：吴涛\n",
    ("BJ-2024-017", "b.txt"): "开工报告\n工程名称：安居花园3号楼\n计划开工日期：2024年3月1日\n",
    ("BJ-2024-017", "c.txt"): "施工日志\n今日安装外墙脚手架。\n记录人：吴涛\n",
    (OTHER, "d.txt"): "施工日志\n今日浇筑地下室底板。\n记录人：李强\n",
    (OTHER, "e.txt"): "施工日志\n今日砌筑四层填充墙。\n记录人：李强\n",
}
FILED_AT = [datetime(2024, 11, 2, 9), datetime(2025, 1, 15, 10), datetime(2025, 1, 20, 10),
            datetime(2025, 6, 3, 8), datetime(2026, 2, 1, 8)]  # fmt: skip


@pytest.fixture
def archive(cli, cat, project, home):
    add_project(cat, OTHER, "滨江商务楼", roles=dict(SAMPLE_ROLES))
    for (code, name), text in DOCS.items():
        write_text_doc(home.inbox_dir / code, name, text)
    r = cli("ingest", str(home.inbox_dir), "--json")
    ids = sorted(i["document"] for i in json.loads(r.output)["inputs"])
    with cat.engine.begin() as conn:
        for doc_id, at in zip(ids, FILED_AT):
            conn.execute(update(documents).where(documents.c.id == doc_id).values(
                filed_at=at, document_date=date(2010, 5, 1) if doc_id == ids[0] else at.date()))  # fmt: skip
    return ids


def destroy_first(cat, ids) -> None:
    """The 2010 record (短期 once set) is appraised and destroyed this year."""
    with cat.engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.id == ids[0]).values(retention="短期"))
    add_user(cat, "赵敏", "archivist", "pw-1234567")
    add_user(cat, "钱坤", "manager", "pw-1234567")
    b = create_batch(cat, 2025)
    for it in b["items"]:
        decide(cat, b["id"], it["document_id"], "destroy", reason="已无保存价值", by="赵敏")
    approve(cat, b["id"], by="钱坤")
    dispose(cat, b["id"], witnesses=["赵敏", "钱坤"])


def use_and_places(cat, ids) -> None:
    """Places and loans: BJ's volume 1 on paper, one SH record as 照片; loans moved to 2024 and 2025."""
    plan_volumes(cat, "BJ-2024-017")
    set_location(cat, ["BJ-2024-017:1"], "库房1/A03/2/盒017", carrier="纸质")
    set_location(cat, [f"#{ids[3]}"], "库房2/B01/1/盒003", carrier="照片")
    lend(cat, "BJ-2024-017:1", to="王芳", dept="工程部", purpose="工作查考", until="2099-01-01")
    renew(cat, "BJ-2024-017:1", until="2099-02-01")
    return_loan(cat, "BJ-2024-017:1", effect="解决了结算争议")
    lend(cat, f"#{ids[3]}", to="陈伟", dept="审计部", purpose="审计", until="2099-01-01",
         approved_by="钱坤", outside=True)  # fmt: skip
    lend(cat, f"#{ids[4]}", to="王芳", dept="工程部", purpose="工作查考", until="2099-01-01")
    with cat.engine.begin() as conn:  # the first four records in 2025, the last one in 2024
        rows = conn.execute(select(use_records.c.id).order_by(use_records.c.id)).scalars().all()
        for n, rid in enumerate(rows):
            day = date(2025, 3 + n, 10) if n < 4 else date(2024, 12, 30)
            conn.execute(update(use_records).where(use_records.c.id == rid).values(day=day))


def used(cat, year: int) -> dict:
    """Use figures counted from the rows of use_records, loans, grant_uses and grants."""
    with cat.engine.connect() as conn:
        recs = [dict(r) for r in conn.execute(select(use_records)).mappings() if r["day"].year == year]
        lent = {r["id"]: dict(r) for r in conn.execute(select(loans)).mappings()}
        readers = {r["id"]: dict(r) for r in conn.execute(select(grants)).mappings()}
        online = [dict(r) for r in conn.execute(select(grant_uses)).mappings() if r["day"].year == year]
    out = [r for r in recs if r["action"] == "借出"]
    used = [(r["person"], r["what"], r["purpose"], r["dept"]) for r in out] + [
        (g["person"], f"#{r['document_id']}", g["purpose"], g["org"] or "-")
        for r in online
        for g in [readers[r["grant_id"]]]
    ]
    actions = Counter(r["action"] for r in recs) + Counter("在线" + r["action"] for r in online)
    return {
        "year": year,
        "records": len(recs) + len(online),
        "by_action": [{"key": k, "count": n} for k, n in sorted(actions.items())],
        "uses": len(used),
        "loans": len(out),
        "volume_loans": len([r for r in out if lent[r["loan_id"]]["volume_id"]]),
        "document_loans": len([r for r in out if lent[r["loan_id"]]["document_id"]]),
        "outside": len([r for r in out if lent[r["loan_id"]]["outside"]]),
        "views": len([r for r in online if r["action"] == "查阅"]),
        "downloads": len([r for r in online if r["action"] == "下载"]),
        "people": len({u[0] for u in used}),
        "items": len({u[1] for u in used}),
        "by_purpose": [{"key": k, "count": n} for k, n in sorted(Counter(u[2] for u in used).items())],
        "by_dept": [{"key": k, "count": n} for k, n in sorted(Counter(u[3] for u in used).items())],
    }


def carrier_of(cat) -> dict[int, str]:
    with cat.engine.connect() as conn:
        places = [dict(r) for r in conn.execute(select(holdings)).mappings()]
        members = {r["document_id"]: r["volume_id"] for r in conn.execute(select(volume_documents)).mappings()}
    own = {p["document_id"]: p["carrier"] for p in places if p["document_id"]}
    vol = {p["volume_id"]: p["carrier"] for p in places if p["volume_id"]}
    return {d: own.get(d) or vol.get(members.get(d)) or "电子" for d in range(1, 100)}


def decided(cat, year: int) -> dict:
    with cat.engine.connect() as conn:
        batches = {r["id"]: r for r in conn.execute(select(appraisal_batches)).mappings()}
        items = list(conn.execute(select(appraisal_items)).mappings())
        gone = [r for r in conn.execute(select(events).where(events.c.action == "destroyed")).mappings()]
    this = [
        i for i in items if batches[i["batch_id"]]["approved_at"] and batches[i["batch_id"]]["approved_at"].year == year
    ]
    gone = [g for g in gone if g["at"].year == year]
    return {
        "decisions": {k: len([i for i in this if i["decision"] == k]) for k in ("keep", "open", "destroy")},
        "destroyed": len(gone),
        "pages": sum(cat.document(g["document_id"])["pages"] for g in gone),
    }


def expected(cat, year: int) -> dict:
    """The figures counted from the rows, without dangan.archive.stats."""
    with cat.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(documents)).mappings()]
    held = [d for d in rows if d["status"] == "filed" and d["filed_at"].year <= year]
    carriers = carrier_of(cat)

    def item_of(d):
        return get_project(cat, d["project_code"]).checklist.item(d["item_code"])

    def tally(key):
        docs, pages = Counter(), Counter()
        for d in held:
            docs[key(d)] += 1
            pages[key(d)] += d["pages"]
        return [{"key": k, "documents": docs[k], "pages": pages[k]} for k in sorted(docs)]

    months = Counter(d["filed_at"].month for d in rows if d["status"] != "review" and d["filed_at"].year == year)
    return {
        "project": tally(lambda d: d["project_code"]),
        "group": tally(lambda d: item_of(d).group),
        "retention": tally(lambda d: d["retention"] or item_of(d).retention),
        "year": tally(lambda d: str((d["document_date"] or d["filed_at"]).year)),
        "carrier": tally(lambda d: carriers[d["id"]]),
        "uses": used(cat, year),
        "decided": decided(cat, year),
        "months": [{"month": f"{year}-{m:02d}", "documents": months[m]} for m in range(1, 13)],
        "completeness": [
            (code, len({d["item_code"] for d in rows if d["project_code"] == code and d["status"] == "filed"}))
            for code in ("BJ-2024-017", OTHER)
        ],
        "destroyed": sum(1 for d in rows if d["status"] == "destroyed"),
    }


def test_stats_figures_equal_counts_from_the_catalog(cli, cat, archive, tmp_path):
    use_and_places(cat, archive)
    destroy_first(cat, archive)
    want = expected(cat, 2025)
    r = cli("stats", "--year", "2025", "--json", "--xlsx", str(tmp_path / "年报.xlsx"))
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    for key in ("project", "group", "retention", "carrier", "year"):
        assert got["holdings"][key] == want[key], key
    assert {x["key"] for x in got["holdings"]["carrier"]} == {"纸质", "照片"}  # BJ's volume, SH's own place
    assert got["uses"] == want["uses"]
    assert (got["uses"]["loans"], got["uses"]["records"], got["uses"]["outside"]) == (2, 4, 1)  # by hand too
    assert got["filed_per_month"] == want["months"]
    assert sum(r["documents"] for r in got["holdings"]["project"]) == 3  # 2026's and the destroyed one are not held
    assert [(c["project"], c["filed"]) for c in got["completeness"]] == want["completeness"]
    assert got["disposals"]["destroyed"] == 0  # destroyed this year, not in 2025
    this_year = json.loads(cli("stats", "--json").output)
    now = expected(cat, date.today().year)["decided"]
    assert this_year["disposals"] == {**now, "by_project": [{"key": "BJ-2024-017", "documents": 1}]}
    assert (now["destroyed"], now["decisions"]["destroy"]) == (want["destroyed"], 1)
    wb = load_workbook(tmp_path / "年报.xlsx")
    assert wb.sheetnames == ["概况", "按项目", "按门类", "按保管期限", "按载体", "按年度", "月度归档", "齐全率",
                             "服务记录", "利用目的", "利用部门", "销毁"]  # fmt: skip
    summary = dict(wb["概况"].values)
    assert (summary["借出次数"], summary["外借"], summary["利用人数"]) == (2, 1, 2)
    assert [list(r) for r in wb["按项目"].values][1:] == [
        [x["key"], x["documents"], x["pages"]] for x in want["project"]
    ]


def test_stats_refuses_a_bad_year_and_an_unwritable_file(cli, archive, tmp_path):
    r = cli("stats", "--year", "25")
    assert r.exit_code == ExitCode.usage
    assert r.output.strip() == "Error: --year 25: give a year like 2025"
    target = tmp_path / "missing" / "年报.xlsx"
    r = cli("stats", "--xlsx", str(target))
    assert r.exit_code == ExitCode.usage
    assert (
        r.output.strip() == f"Error: --xlsx {target}: cannot write it (No such file or directory); give a writable path"
    )


def test_one_count_of_use_on_the_page_in_the_workbook_and_in_use_count(cli, cat, archive, tmp_path, monkeypatch):
    """Loans and views and downloads through a read link are one 利用 count wherever it is shown."""
    from dangan.archive.grants import create_grant, get_grant, log_use
    from dangan.web.stats import summary

    use_and_places(cat, archive)
    monkeypatch.setenv("DANGAN_TODAY", "2025-05-01")
    g = create_grant(cat, [f"#{archive[1]}", f"#{archive[2]}"], to="王审计", org="信达会计师事务所",
                     until="2025-06-30", purpose="年度审计")  # fmt: skip
    for doc, action in ((archive[1], "查阅"), (archive[1], "下载"), (archive[2], "查阅")):
        log_use(cat, get_grant(cat, g.id), doc, action)
    with cat.engine.begin() as conn:  # one view a year later: not 2025's
        last = conn.execute(select(grant_uses.c.id).order_by(grant_uses.c.id.desc())).scalar()
        conn.execute(update(grant_uses).where(grant_uses.c.id == last).values(day=date(2026, 1, 5)))
    want = used(cat, 2025)
    # by hand: 借出 3 (two in 2025), 续借, 归还 in 2025; online 查阅 1 and 下载 1 in 2025
    assert (want["records"], want["uses"], want["loans"], want["views"], want["downloads"]) == (6, 4, 2, 1, 1)
    assert (want["people"], want["items"], want["outside"]) == (3, 3, 1)
    assert want["by_dept"] == [{"key": "信达会计师事务所", "count": 2}, {"key": "审计部", "count": 1},
                               {"key": "工程部", "count": 1}]  # fmt: skip
    r = cli("stats", "--year", "2025", "--json", "--xlsx", str(tmp_path / "年报.xlsx"))
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["uses"] == want
    count = cli("use", "count", "--year", "2025", "--json")
    assert count.exit_code == 0 and json.loads(count.output) == want
    page = dict(summary(json.loads(r.output)))
    assert (page["利用登记（条）"], page["利用（次）"], page["借出（次）"], page["在线查阅（次）"],
            page["在线下载（次）"], page["利用人数（人）"]) == (6, 4, 2, 1, 1, 3)  # fmt: skip
    wb = load_workbook(tmp_path / "年报.xlsx")
    sheet = dict(wb["概况"].values)
    assert (sheet["利用登记条数"], sheet["利用次数"], sheet["借出次数"], sheet["在线查阅"], sheet["在线下载"],
            sheet["利用人数"]) == (6, 4, 2, 1, 1, 3)  # fmt: skip
    assert [list(r) for r in wb["利用部门"].values] == [["部门", "利用次数"]] + [
        [x["key"], x["count"]] for x in want["by_dept"]]  # fmt: skip
    text = cli("use", "count", "--year", "2025").output.splitlines()
    assert text == ["2025: 6 use record(s) (借出 2, 在线下载 1, 在线查阅 1, 归还 1, 续借 1); 3 person(s), "
                    "3 volume(s)/document(s)",
                    "4 use(s): 2 loan(s) (1 of volumes, 1 of documents, 1 outside), 1 online view(s), "
                    "1 download(s)"]  # fmt: skip
