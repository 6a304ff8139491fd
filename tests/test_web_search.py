"""The search page and the JSON API make the library's one search request.

Concurrency: ten signed-in clients search a real index through a real server (uvicorn's
worker threads) while another writer files documents; every request must answer 200 with
the right count.  Filters: an unknown project, item or person is said on the page (and is a
404 from the API), never a silent "no match" with the filter reset.
"""

from __future__ import annotations

import json
import re
import threading

import pytest

from dangan.archive.catalog import Catalog
from dangan.archive.intake.ingest import file_document
from dangan.web.app import create_app
from tests.conftest import write_text_doc
from tests.webutil import http_login, login, make_client, prepare_home, running_server

CODE = "BJ-2024-017"
WORDS = ("混凝土", "钢筋", "施工日志", "测量", "验收", "模板", "防水", "砌体")
CLIENTS = 10
REQUESTS = 30  # per client: 300 in all, page and API alternating


def _file(cat, folder, n: int) -> int:
    word = WORDS[n % len(WORDS)]
    text = f"施工日志 第{n}号\n今日{word}作业，{WORDS[(n + 3) % len(WORDS)]}检查合格。\n记录人：吴涛"
    path = write_text_doc(folder, f"日志_{n:03d}.txt", text)
    return file_document(cat, path, project=CODE, item="C14").doc_id


@pytest.fixture
def searchable(home, tmp_path):
    """A home with 48 filed documents (混凝土 in 12 of them) and a user per role."""
    prepare_home(home)
    with Catalog.open(home) as cat:
        for n in range(48):
            _file(cat, tmp_path / "docs", n)
    return home


def test_ten_clients_search_while_documents_are_filed_without_an_error(searchable, tmp_path):
    app = create_app(searchable)
    failures: list[str] = []
    with running_server(app) as base:
        clients = [http_login(base, "desk")[0] for _ in range(CLIENTS)]
        stop = threading.Event()

        def committer() -> None:  # commits change the index under the searchers' feet
            with Catalog.open(searchable) as cat:
                n = 100
                while not stop.is_set() and n < 140:
                    _file(cat, tmp_path / "more", n)
                    n += 1

        def searcher(k: int) -> None:
            client = clients[k]
            for i in range(REQUESTS):
                word = WORDS[(k + i) % len(WORDS)]
                url = f"/search?q={word}" if i % 2 else f"/api/search?q={word}&limit=5"
                r = client.get(url)
                if r.status_code != 200:
                    failures.append(f"{url}: HTTP {r.status_code} {r.text[:200]}")
                elif i % 2 and not re.search(r"共 \d+ 条", r.text):
                    failures.append(f"{url}: no count on the page")
                elif not i % 2 and len(json.loads(r.text)) != 5:
                    failures.append(f"{url}: {len(json.loads(r.text))} hits, not 5")

        writer = threading.Thread(target=committer)
        threads = [threading.Thread(target=searcher, args=(k,)) for k in range(CLIENTS)]
        writer.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        stop.set()
        writer.join(600)
        for c in clients:
            c.close()
    assert failures == []


def test_an_unknown_project_is_said_on_the_page_and_the_filter_kept(searchable):
    client = make_client(create_app(searchable))
    login(client, "desk")
    r = client.get("/search?q=混凝土&project=XX-0000")
    assert r.status_code == 404
    assert f"没有项目“XX-0000”（现有：{CODE}），请改正筛选条件。" in r.text
    assert '<option value="XX-0000" selected>XX-0000</option>' in r.text, "the filter as typed stays"
    assert 'class="hit"' not in r.text and "没有找到" not in r.text
    r = client.get("/search?q=混凝土&person=无名氏", headers={"hx-request": "true", "hx-target": "results"})
    assert r.status_code == 200 and 'id="search-error">没有责任人“无名氏”' in r.text  # htmx swaps only a 200
    r = client.get("/search?q=混凝土&item=不存在的条目")
    assert r.status_code == 404 and "没有条目“不存在的条目”，请改正筛选条件。" in r.text
    r = client.get(f"/search?q=混凝土&project={CODE}")
    assert r.status_code == 200 and "共 12 条" in r.text


def test_the_api_checks_filters_and_gives_the_total(searchable):
    client = make_client(create_app(searchable))
    login(client, "desk")
    r = client.get("/api/search?q=混凝土&project=XX-0000")
    assert r.status_code == 404 and json.loads(r.text)["error"] == "没有项目 XX-0000。现有项目：BJ-2024-017。"
    assert json.loads(r.text)["english"] == "no project 'XX-0000'; projects: BJ-2024-017"
    r = client.get("/api/search?q=混凝土&project=安居花园3号楼&limit=5&page=3")  # a project by its name too
    assert r.status_code == 200 and len(json.loads(r.text)) == 2 and r.headers["X-Total-Count"] == "12"
    assert client.get("/api/search?q=混凝土&limit=0").status_code == 400
    assert client.get("/api/search?q=混凝土&limit=1000").status_code == 400


def test_a_search_answered_by_most_of_its_words_says_so_on_the_page_and_in_the_api(searchable):
    client = make_client(create_app(searchable))
    login(client, "desk")
    r = client.get("/search?q=混凝土 吴涛 雨季停工")  # no document holds 雨季停工
    assert r.status_code == 200 and "共 12 条" in r.text
    assert "没有文件同时包含全部词语，下面是包含其中大部分词语的文件" in r.text
    r = client.get("/search?q=混凝土 吴涛")
    assert "共 12 条" in r.text and "大部分词语" not in r.text
    r = client.get("/api/search?q=混凝土 吴涛 雨季停工")
    assert r.status_code == 200 and r.headers["X-Search-Level"] == "most" and r.headers["X-Total-Count"] == "12"
