"""The search page's 条目 and 责任人 filters are pickers filled from the catalog: the items
of the chosen project's checklist by part (code and name), the people holding its roles;
the URL parameters mean what they meant (an item's title in an old link still filters)."""

from __future__ import annotations

import re

from dangan.archive.catalog import Catalog
from dangan.archive.projects import add_project
from tests.test_deadlines import ROLES as SERVICE_ROLES
from tests.test_web import app, as_role, filed_doc  # noqa: F401  (app is a fixture)

CODE = "BJ-2024-017"


def picker(page: str, name: str) -> str:
    """The HTML of the <select name=NAME> of the filter form."""
    return re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)


def groups(html: str) -> dict[str, bool]:
    """Each optgroup's label → whether it is shown."""
    return {label: "hidden" not in rest for label, rest in re.findall(r'<optgroup label="([^"]+)"([^>]*)>', html)}


def test_the_item_and_person_filters_offer_the_chosen_projects_items_and_people(app, home):  # noqa: F811
    with Catalog.open(home) as cat:
        add_project(cat, "SV-BJ", "北京服务中心", checklist="service", roles=SERVICE_ROLES)
    viewer, _ = as_role(app, "viewer")
    page = viewer.get(f"/search?project={CODE}").text
    assert '<input name="item"' not in page and '<input name="person"' not in page
    assert "<label>条目 <select" in page and "<label>责任人 <select" in page  # labelled controls
    items, people = picker(page, "item"), picker(page, "person")
    assert groups(items)["科技档案一览表（土建） · 土建施工文件资料"] is True
    assert groups(items)["售后服务记录归档要求 · 定期归档记录"] is False  # another project's checklist: hidden
    assert '<option value="C14">C14 施工日志、大事记</option>' in items
    assert groups(people) == {CODE: True, "SV-BJ": False}
    assert '<option value="吴涛">吴涛</option>' in people and '<option value="赵敏">赵敏</option>' in people
    # no project chosen: every checklist and every project's people are offered
    every = viewer.get("/search").text
    assert set(groups(picker(every, "item")).values()) == {True} and groups(picker(every, "person")) == {
        CODE: True, "SV-BJ": True,
    }  # fmt: skip


def test_a_chosen_item_and_person_stay_chosen_and_old_links_still_filter(app, home, tmp_path):  # noqa: F811
    log = filed_doc(home, tmp_path, item="C14")
    viewer, _ = as_role(app, "viewer")
    page = viewer.get(f"/search?project={CODE}&item=C14&person=吴涛").text
    assert '<option value="C14" selected>' in picker(page, "item")
    assert '<option value="吴涛" selected>' in picker(page, "person")
    assert f'href="/documents/{log}"' in page
    # an item by its title and a person the pickers do not list, as earlier links wrote them
    page = viewer.get(f"/search?project={CODE}&item=施工日志&person=王小明").text
    assert '<option value="施工日志" selected>施工日志</option>' in picker(page, "item")
    assert '<option value="王小明" selected>王小明</option>' in picker(page, "person")
    assert "没有责任人“王小明”" in page  # still checked by the library, and said
    page = viewer.get(f"/search?project={CODE}&item=施工日志").text
    assert f'href="/documents/{log}"' in page
