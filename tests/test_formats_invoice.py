"""An OFD e-invoice's fields in the catalog (issue 31 item 4): number, date, seller, buyer and
amount stored with the document, shown by ``dangan show`` (and ``--json``) and the web
document page, and the invoice found by its number."""

from __future__ import annotations

import json

from sqlalchemy import delete

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import ingest_paths
from dangan.archive.migrations import v023_mail_and_fields
from dangan.archive.schema import document_fields
from dangan.web.app import create_app
from tests.formatgen import make_ofd
from tests.test_formats import INVOICE_PAGE, INVOICE_TEMPLATE
from tests.webutil import login, make_client, prepare_home

CODE = "BJ-2024-017"
FIELDS = {
    "invoice_number": "26442000000318207715",
    "date": "2026年02月27日",
    "seller": "苏州恒通暖通设备有限公司",
    "buyer": "南京栖霞建设工程有限公司",
    "amount": "23730.00",
}


def _file_invoice(home):
    box = home.inbox_dir / CODE
    box.mkdir(parents=True, exist_ok=True)
    make_ofd(box / "水泵发票.ofd", [INVOICE_PAGE], template=INVOICE_TEMPLATE)
    make_ofd(box / "通知.ofd", [[(20, 20, "关于冬季供暖试运行的通知")]])
    with Catalog.open(home) as cat:
        return {r.path.name: r.doc_id for r in ingest_paths(cat, [home.inbox_dir])}


def test_invoice_fields_are_stored_shown_and_searchable_by_number(project, home, cli):
    ids = _file_invoice(home)
    shown = json.loads(cli("show", str(ids["水泵发票.ofd"]), "--json").output)
    assert shown["fields"] == FIELDS and list(shown["fields"]) == list(FIELDS)
    assert json.loads(cli("show", str(ids["通知.ofd"]), "--json").output)["fields"] == {}
    text = cli("show", str(ids["水泵发票.ofd"])).output
    assert "发票号码 (invoice_number, read from the content): 26442000000318207715" in text
    assert "价税合计 (amount, read from the content): 23730.00" in text
    hits = json.loads(cli("search", "26442000000318207715", "--json").output)
    assert [h["id"] for h in hits] == [ids["水泵发票.ofd"]]


def test_the_web_page_shows_the_invoice_block_only_for_an_invoice(home):
    prepare_home(home)
    ids = _file_invoice(home)
    with make_client(create_app(home)) as client:
        login(client, "viewer")
        page = client.get(f"/documents/{ids['水泵发票.ofd']}").text
        assert '<table class="kv" id="invoice">' in page
        assert "<tr><th>发票号码</th><td>26442000000318207715</td></tr>" in page
        assert "<tr><th>销售方</th><td>苏州恒通暖通设备有限公司</td></tr>" in page
        assert 'id="invoice"' not in client.get(f"/documents/{ids['通知.ofd']}").text


def test_the_migration_reads_the_fields_of_invoices_filed_before_it(project, home, cli):
    ids = _file_invoice(home)
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        conn.execute(delete(document_fields))
    assert json.loads(cli("show", str(ids["水泵发票.ofd"]), "--json").output)["fields"] == {}
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        v023_mail_and_fields.upgrade(conn)
        v023_mail_and_fields.upgrade(conn)  # a second run changes nothing
    assert json.loads(cli("show", str(ids["水泵发票.ofd"]), "--json").output)["fields"] == FIELDS
