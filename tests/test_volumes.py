"""Volumes (案卷): planning by checklist group and thickness, moving, sealing, metadata defaults, migration."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from dangan.archive import migrations
from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.schema import documents, meta
from dangan.archive.volumes import get_volume, move_document, plan_volumes, seal, unseal
from dangan.archive.volumes.metadata import highest_secrecy, longest_retention, normal_retention, normal_secrecy
from dangan.indexer.errors import ConflictError, NotFoundError, UsageError
from tests.conftest import write_text_doc

CODE = "BJ-2024-017"
DOCS = [  # file name → text; each names its checklist item
    ("施工合同书.txt", "施工合同书 2024年2月1日"),
    ("开工报告.txt", "开工报告 2024年3月1日"),
    ("施工日志1.txt", "施工日志 2024年5月1日 晴"),
    ("施工日志2.txt", "施工日志 2024年4月1日 多云"),
    ("土建建施竣工图.txt", "土建建施竣工图 2024年9月1日"),
]


@pytest.fixture
def filed(cat, project, tmp_path) -> dict[str, int]:
    """The five documents filed; returns file name → document id."""
    folder = tmp_path / "in"
    for name, body in DOCS:
        write_text_doc(folder, name, body)
    records = ingest_paths(cat, [folder], project=CODE)
    assert all(r.outcome == "filed" for r in records), [r.message for r in records]
    return {r.path.name: r.doc_id for r in records}


def set_doc(cat: Catalog, doc_id: int, **values) -> None:
    with cat.engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.id == doc_id).values(**values))


def titles(v) -> list[str]:
    return [e.doc["original_name"] for e in v.entries]


def test_plan_groups_by_checklist_group_in_item_then_date_order(cat, filed):
    vols = plan_volumes(cat, CODE)
    assert [(v.sequence, v.kind, v.gbt_class, v.status) for v in vols] == [
        (1, "土建施工文件资料", "C", "draft"), (2, "竣工图", "D", "draft")]  # fmt: skip
    assert titles(vols[0]) == ["施工合同书.txt", "开工报告.txt", "施工日志2.txt", "施工日志1.txt"]
    assert [(e.position, e.start_page, e.end_page) for e in vols[0].entries] == [
        (1, 1, 1),
        (2, 2, 2),
        (3, 3, 3),
        (4, 4, 4),
    ]
    assert vols[0].title == "安居花园3号楼土建施工文件资料"
    # 施工合同书 is 永久 on the checklist, so the volume is too; nothing is secret
    assert (vols[0].retention, vols[0].secrecy, vols[1].retention) == ("永久", "公开", "永久")


def test_a_thick_group_splits_into_numbered_volumes_without_splitting_a_document(cat, filed):
    set_doc(cat, filed["施工合同书.txt"], pages=120)
    set_doc(cat, filed["开工报告.txt"], pages=90)
    vols = plan_volumes(cat, CODE, max_pages=200)
    assert [(v.title, v.pages) for v in vols] == [
        ("安居花园3号楼土建施工文件资料（第1卷）", 120), ("安居花园3号楼土建施工文件资料（第2卷）", 92), ("安居花园3号楼竣工图", 1)]  # fmt: skip
    assert [e.end_page for e in vols[1].entries] == [90, 91, 92]


def test_the_volume_takes_the_longest_retention_and_highest_secrecy(cat, filed):
    set_doc(cat, filed["土建建施竣工图.txt"], secrecy="秘密")
    set_doc(cat, filed["施工日志1.txt"], secrecy="机密")
    for name in ("施工合同书.txt", "施工日志1.txt", "施工日志2.txt"):
        set_doc(cat, filed[name], retention="D10")  # 短期, set by the archivist; 开工报告 keeps its item's 长期
    vols = plan_volumes(cat, CODE)
    assert (vols[0].secrecy, vols[1].secrecy, vols[0].retention) == ("机密", "秘密", "长期")
    assert longest_retention(["短期", "D30"]) == "长期" and highest_secrecy(["公开", "绝密", "秘密"]) == "绝密"


def test_metadata_values_are_validated():
    assert normal_retention("Y") == "永久"
    with pytest.raises(UsageError, match=r"^unknown 保管期限 '十年'; use 永久, 长期 or 短期 \(or Y, D30, D10\)$"):
        normal_retention("十年")
    with pytest.raises(UsageError, match=r"^unknown 密级 '内部'; use 公开, 秘密, 机密, 绝密$"):
        normal_secrecy("内部")


def test_move_renumbers_both_volumes_and_is_logged(cat, filed):
    plan_volumes(cat, CODE)
    diary = filed["施工日志1.txt"]
    v2 = move_document(cat, diary, 2, position=1)
    assert titles(v2) == ["施工日志1.txt", "土建建施竣工图.txt"]
    assert [(e.position, e.start_page) for e in v2.entries] == [(1, 1), (2, 2)]
    v1 = get_volume(cat, CODE, 1)
    assert [e.position for e in v1.entries] == [1, 2, 3] and v1.pages == 3
    assert [e["detail"]["to"] for e in cat.events(document=diary) if e["action"] == "volume-moved"] == [2]
    with pytest.raises(UsageError, match=r"^--position 9 is outside volume 1 \(1 to 4\)$"):
        move_document(cat, diary, 1, position=9)


def test_a_sealed_volume_refuses_changes_until_unsealed(cat, filed):
    plan_volumes(cat, CODE)
    seal(cat, CODE, 1)
    with pytest.raises(ConflictError, match=rf"^volume 1 of {CODE} is sealed, so moving document \d+ out of it would change "
                                            rf"frozen numbers; run `dangan volume unseal {CODE} 1` first$"):  # fmt: skip
        move_document(cat, filed["开工报告.txt"], 2)
    # planning again keeps the sealed volume and its documents
    vols = plan_volumes(cat, CODE)
    assert [(v.sequence, v.status) for v in vols] == [(1, "sealed"), (2, "draft")]
    assert len(vols[0].entries) == 4
    with pytest.raises(UsageError, match="needs a reason"):
        unseal(cat, CODE, 1, "")
    assert unseal(cat, CODE, 1, "补充施工日志").status == "draft"
    assert [e["detail"].get("reason") for e in cat.events(project=CODE) if e["action"] == "volume-unsealed"] == [
        "补充施工日志"
    ]


def test_unknown_volume_names_the_ones_there_are(cat, filed):
    with pytest.raises(
        NotFoundError, match=rf"^project {CODE} has no volume 1; plan them with `dangan volume plan {CODE}`$"
    ):
        get_volume(cat, CODE, 1)
    plan_volumes(cat, CODE)
    with pytest.raises(NotFoundError, match=rf"^project {CODE} has no volume 7; volumes: 1, 2$"):
        get_volume(cat, CODE, 7)


def test_a_catalog_from_before_volumes_gains_the_tables(home):
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        conn.execute(text("DROP TABLE volume_documents"))
        conn.execute(text("DROP TABLE volumes"))
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="2"))
    with Catalog.open(home) as cat:
        assert cat.schema_version() == migrations.latest_version()
        with cat.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM volume_documents")).scalar() == 0


def test_bad_volume_settings_are_config_errors(cat, filed):
    from dangan.archive.volumes import code_settings, volume_code
    from dangan.archive.volumes.model import max_pages
    from dangan.indexer.errors import ConfigError

    vols = plan_volumes(cat, CODE)
    assert volume_code(vols[0], code_settings(cat)) == "0123-BJ2024017·C-001"
    with pytest.raises(
        ConfigError, match=r"^\[volume\] code_pattern '\{fonds\}-\{box\}' in dangan.toml cannot be filled"
    ):
        volume_code(vols[0], {"fonds": "0123", "pattern": "{fonds}-{box}"})
    cat.home.config["volume"] = {"max_pages": 0}
    with pytest.raises(
        ConfigError, match=r"^\[volume\] max_pages = 0 in dangan.toml must be a whole number ≥ 1, e.g. 200$"
    ):
        max_pages(cat)


def test_a_sealed_volume_whose_files_changed_page_count_is_refused(cat, filed):
    from dangan.archive.volumes import record_pages

    plan_volumes(cat, CODE)
    sealed = seal(cat, CODE, 1)
    real = {e.document_id: e.pages for e in sealed.entries}
    assert record_pages(cat, sealed, real) is sealed  # nothing changed: nothing to do
    diary = filed["施工日志2.txt"]
    with pytest.raises(ConflictError, match=rf"^document {diary} in sealed volume 1 of {CODE} now has 3 page\(s\), "
                                            r"not the sealed 1; unseal the volume and build again$"):  # fmt: skip
        record_pages(cat, sealed, {**real, diary: 3})
    draft = unseal(cat, CODE, 1, "日志补页")
    renumbered = record_pages(cat, draft, {**real, diary: 3})
    assert [(e.start_page, e.end_page) for e in renumbered.entries] == [(1, 1), (2, 2), (3, 5), (6, 6)]
    assert cat.document(diary)["pages"] == 3


def test_a_title_not_on_the_document_is_shown_in_brackets(cat, filed):
    from dangan.archive.volumes.model import title_on_document

    assert title_on_document("施工组织设计", "施 工 組 織 設 計\n第一章")  # OCR spaces, Traditional text
    assert not title_on_document("scan_0003", "原材料试验报告")
    set_doc(cat, filed["开工报告.txt"], title="开工申请（拟）")
    entries = {e.doc["original_name"]: e for e in plan_volumes(cat, CODE)[0].entries}
    assert entries["开工报告.txt"].register_entry()["title"] == "[开工申请（拟）]"
    assert entries["施工合同书.txt"].register_entry()["title"] == "施工合同书 2024年2月1日"  # its first line
