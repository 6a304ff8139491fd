"""Several stations, one archive: init on a server, migrate, locks, races and the index queue.

Tests taking ``home`` run on SQLite and on PostgreSQL (``both_catalogs``); the ones that only
make sense with a shared server take ``pg_url`` / ``pg_home`` and run on PostgreSQL alone.
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select, text, update

from dangan.archive import migrations
from dangan.archive.catalog import Catalog
from dangan.archive.create import init_home
from dangan.archive.dblock import index_lock, writer_lock
from dangan.archive.intake.ingest import Ingester, Record
from dangan.archive.schema import index_queue, meta
from dangan.archive.searchsync import index_difference, index_documents
from dangan.archive.verify import verify
from dangan.indexer.errors import BusyError, ConflictError, ExitCode
from tests.conftest import Cli, write_text_doc

pytestmark = pytest.mark.both_catalogs

CODE = "BJ-2024-017"


def _to_first_release(cat: Catalog) -> None:
    """Undo the schema steps this issue knows of, as a catalog of the first release looks."""
    with cat.engine.begin() as conn:
        for column in ("author", "retention", "secrecy"):
            conn.execute(text(f"ALTER TABLE documents DROP COLUMN {column}"))
        conn.execute(text("DROP TABLE index_queue"))
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="1"))


def _queued(cat: Catalog) -> int:
    with cat.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(index_queue)).scalar_one()


# -- init and migrate -------------------------------------------------------------------------
def test_migrate_steps_a_first_release_catalog_up_once(cli, home):
    with Catalog.open(home) as cat:
        _to_first_release(cat)
    latest = migrations.latest_version()
    r = cli("migrate")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == f"Migrated the catalog at {_shown(home)} from schema 1 to {latest}:"
    assert "  6: index_queue: documents waiting for the station that holds the search index" in lines
    assert "  2: documents get 责任者 (author), 保管期限 (retention) and 密级 (secrecy)" in lines
    r = cli("migrate")
    assert r.output.strip() == f"Catalog {_shown(home)} is up to date (schema {latest})."
    r = cli("migrate", "--json")
    assert json.loads(r.output) == {
        "catalog": _shown(home),
        "from": latest,
        "to": latest,
        "created": False,
        "applied": [],
    }
    with Catalog.open(home) as cat:
        assert [e["detail"]["version"] for e in cat.events() if e["action"] == "migrated"][-1] == latest


def _shown(home) -> str:
    from dangan.archive.catalog import display_url

    return display_url(home.catalog_url)


@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_init_with_catalog_url_writes_it_and_creates_the_schema(pg_cluster, home, tmp_path):
    url = pg_cluster.url(pg_cluster.create_database("station"))
    r = Cli(tmp_path / "station-2")("init", "--catalog-url", url)
    assert r.exit_code == 0, r.output
    assert f'url = "{url}"' in (tmp_path / "station-2" / "dangan.toml").read_text(encoding="utf-8")
    r = Cli(tmp_path / "station-2")("migrate")
    assert r.output.strip() == f"Catalog {url} is up to date (schema {migrations.latest_version()})."
    # A second station joining the same database finds the schema there.
    r = Cli(tmp_path / "station-3")("init", "--catalog-url", url)
    assert r.exit_code == 0 and "Created archive home" in r.output
    # An existing home is never silently re-pointed.
    r = Cli(tmp_path / "station-2")("init", "--catalog-url", pg_cluster.url("other"))
    assert r.exit_code == ExitCode.conflict
    assert f"this home's catalog is {url}, not " in r.output


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_init_with_an_unreachable_server_leaves_no_half_made_home(home, tmp_path):
    root = tmp_path / "station"
    r = Cli(root)("init", "--catalog-url", "postgresql+psycopg://dangan:secret@127.0.0.1:1/dangan")
    assert r.exit_code == ExitCode.config_error
    line = r.output.strip().splitlines()
    assert len(line) == 1 and line[0].startswith(
        "Error: postgresql+psycopg://dangan:***@127.0.0.1:1/dangan: cannot open the catalog ("
    )
    assert "secret" not in r.output
    assert not (root / "dangan.toml").exists()
    r = Cli(root)("init", "--catalog-url", "postgres://x")
    assert r.exit_code == ExitCode.config_error
    assert r.output.startswith("Error: postgres://x: not a catalog URL dangan can use (")


# -- races between stations --------------------------------------------------------------------
def test_two_stations_filing_the_same_bytes_at_once_file_it_once(cat, project, home, tmp_path, monkeypatch):
    first = write_text_doc(home.inbox_dir / CODE, "开工报告.txt", "开工报告 2024年3月1日 开工")
    second = write_text_doc(tmp_path / "station-b" / CODE, "开工报告(扫描).txt", "开工报告 2024年3月1日 开工")
    station_a = Ingester.for_catalog(cat)
    a = station_a.run(Record(path=first, project_hint=CODE, consume=True))
    station_a.flush_index()
    assert a.outcome == "filed"
    # Station B looked for the hash before A committed: its preflight found nothing.
    monkeypatch.setattr(Catalog, "document_by_sha", _none_once(Catalog.document_by_sha))
    ing = Ingester.for_catalog(cat)
    b = ing.run(Record(path=second, project_hint=CODE, consume=True, inbox=tmp_path / "station-b"))
    ing.flush_index()
    assert b.outcome == "duplicate" and b.duplicate_of == a.doc_id
    assert len(cat.documents()) == 1
    assert (tmp_path / "station-b" / ".duplicates" / "开工报告(扫描).txt").is_file()
    assert verify(cat).clean, "the loser's vault copy is gone, nothing orphaned"


def _none_once(real):
    calls = []

    def fake(self, sha):
        calls.append(sha)
        return None if len(calls) == 1 else real(self, sha)

    return fake


# -- the index: one writer, the others queue ---------------------------------------------------
@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_a_station_that_cannot_hold_the_index_queues_and_the_holder_drains(cat, project, home, tmp_path):
    docs = [
        Ingester.for_catalog(cat, index=False).run(
            Record(path=write_text_doc(tmp_path, f"施工日志{i}.txt", f"施工日志 第{i}天"), project_hint=CODE)
        )
        for i in range(3)
    ]
    ids = [d.doc_id for d in docs]
    with Catalog.open(home) as other, index_lock(other) as owner:
        assert owner
        assert index_documents(cat, ids[:2]) == 0  # another station holds the index
        assert _queued(cat) == 2
    assert index_documents(cat, ids[2:]) == 3  # its own document and the two queued ones
    assert _queued(cat) == 0 and index_difference(cat) == (set(), set())
    assert [e["action"] for e in cat.events()][-2:] == ["index-queued", "index-drained"]


def test_reindex_empties_the_queue(cli, cat, project, home, tmp_path):
    rec = Ingester.for_catalog(cat, index=False).run(
        Record(path=write_text_doc(tmp_path, "施工日志.txt", "施工日志 晴"), project_hint=CODE)
    )
    with cat.engine.begin() as conn:
        conn.execute(
            index_queue.insert().values(document_id=rec.doc_id, queued_at=rec.document_date or _now(), station="b:1")
        )
    r = cli("reindex")
    assert r.output.strip() == "Reindexed 1 document(s)."
    assert _queued(cat) == 0


def _now():
    from dangan.archive.catalog import now

    return now()


# -- the writer lock across stations -----------------------------------------------------------
@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_ingest_batches_share_the_writer_lock_and_repair_waits_for_them(cat, home):
    with Catalog.open(home) as b:
        with writer_lock(cat, shared=True), writer_lock(b, shared=True):
            pass  # two stations filing side by side
        with writer_lock(cat, shared=True):
            with pytest.raises(BusyError, match=r"another dangan station is writing .* held the lock for 0\.3s; wait"):
                with writer_lock(b, wait=0.3):
                    pass
        got = threading.Event()

        def repair():
            with writer_lock(b, wait=10):
                got.set()

        with writer_lock(cat, shared=True):
            t = threading.Thread(target=repair)
            t.start()
            assert not got.wait(0.5), "repair must wait for the batch"
        t.join(10)
        assert got.is_set()


@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_a_home_cannot_be_repointed_by_init(home):
    with pytest.raises(ConflictError):
        init_home(home.root, catalog_url="postgresql+psycopg://someone@elsewhere/db")


class Crash(BaseException):
    """Stands for kill -9 (not an Exception, so nothing in the pipeline handles it)."""


def test_repair_leaves_another_stations_originals_for_that_station(cat, project, home, tmp_path, monkeypatch):
    from dangan.archive.intake.recovery import reconcile

    box = tmp_path / "scanner-b"
    p = write_text_doc(box / CODE, "施工日志.txt", "施工日志 2024年5月1日")
    monkeypatch.setattr(Ingester, "finish", lambda self, rec: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        Ingester.for_catalog(cat).run(Record(path=p, project_hint=CODE, consume=True, inbox=box))
    monkeypatch.undo()
    rep = reconcile(cat)  # a station watching the home's inbox only
    assert rep.originals_removed == [] and p.exists()
    assert cat.documents()[0]["inbox_path"] == str(p)
    rep = reconcile(cat, inbox=box)  # station B at its next start
    assert rep.originals_removed == [str(p)] and not p.exists()
    assert cat.documents()[0]["inbox_path"] is None


def test_a_file_past_2_gib_fits_the_catalog(cat, project):
    values = dict(
        sha256="f" * 64,
        original_name="竣工图.tif",
        title="竣工图",
        vault_path="x/竣工图.tif",
        size=3_000_000_000,
        mime_type="image/tiff",
        status="review",
        filed_at=_now(),
    )
    with cat.engine.begin() as conn:
        doc_id = cat.add_document(conn, values, "")
    assert cat.document(doc_id)["size"] == 3_000_000_000


@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_migrate_widens_an_old_postgresql_size_column(cli, home):
    with Catalog.open(home) as cat:
        with cat.engine.begin() as conn:
            conn.execute(text("ALTER TABLE documents ALTER COLUMN size TYPE INTEGER"))
        _to_first_release(cat)
    assert cli("migrate").exit_code == 0
    with Catalog.open(home) as cat:
        test_a_file_past_2_gib_fits_the_catalog(cat, None)


@pytest.mark.parametrize("home", ["postgresql"], indirect=True)
def test_stations_starting_at_once_on_an_empty_database_create_the_schema_once(pg_cluster, home, tmp_path):
    from dangan.archive.home import Home

    url = pg_cluster.url(pg_cluster.create_database("fresh"))
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def station(k: int) -> None:
        try:
            start.wait()
            Catalog.open(Home(root=tmp_path / f"s{k}", config={"catalog": {"url": url}})).close()
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=station, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with Catalog.open(Home(root=tmp_path / "s0", config={"catalog": {"url": url}})) as cat:
        assert cat.schema_version() == migrations.latest_version()
        with cat.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(meta)).scalar_one() == 1


def test_init_again_with_the_same_url_is_harmless(home):
    init_home(home.root, catalog_url=home.setting("catalog", "url"))
    init_home(home.root)
