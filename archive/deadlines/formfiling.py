"""Filing rendered forms: under the checklist item made from that form, with their data.

`forms render … --file-into CODE` files every form it wrote.  The item is the project's
checklist item whose ``form`` names this form (so a 维护派工单 lands in the service centre's
monthly S01), else the form's own ``checklist_item`` in forms.toml.  The row's data gives the
document date (so the record's period is the day on the paper, not the rendering day), the
customer and the service date, so the follow-ups a 派工单 triggers can be tracked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dangan.archive.catalog import Catalog
from dangan.archive.checklist import Item
from dangan.archive.customers.formrows import keep_form_row
from dangan.archive.dblock import writes
from dangan.archive.deadlines.servicedata import record_service_data, service_values
from dangan.archive.forms.manifest import FormSpec
from dangan.archive.intake.ingest import file_document
from dangan.archive.projects import Project, get_project, list_projects
from dangan.indexer.errors import DuplicateDocumentError, UsageError


def item_for_form(project: Project, form: FormSpec) -> Item | None:
    """The checklist item a rendered ``form`` is filed under on ``project``, if any."""
    names = {form.id, form.title, *form.aliases}
    for it in project.checklist.items:
        if it.form and it.form in names:
            return it
    return project.checklist.item(form.checklist_item) if form.checklist_item else None


def projects_for_form(cat: Catalog, form: FormSpec) -> list[Project]:
    """The projects a rendered ``form`` can be filed into (a checklist item takes it)."""
    return [p for p in list_projects(cat) if item_for_form(p, form) is not None]


def require_item(cat: Catalog, code: str, form: FormSpec, manifest: Iterable[FormSpec] = ()) -> Item:
    """:func:`item_for_form`, or a UsageError naming the forms that can be filed there."""
    project = get_project(cat, code)
    it = item_for_form(project, form)
    if it is None:
        pairs = [(f, item_for_form(project, f)) for f in manifest]
        filable = ", ".join(f"{f.title} ({i.code})" for f, i in pairs if i is not None) or "none"
        raise UsageError(
            f"{form.title} satisfies no checklist item of project {code} (checklist {project.checklist.id}), "
            f"so --file-into cannot file it; forms that can: {filable}"
        )
    return it


@writes("forms --file-into")
def file_forms(
    cat: Catalog, code: str, form: FormSpec, forms: Sequence[tuple[Path, Mapping[str, Any]]]
) -> dict[Path, str]:
    """File each rendered (path, row values) into project ``code``; path → outcome text.

    A form rendered twice from the same row has the same bytes and is reported as already
    filed, not filed twice.
    """
    it = require_item(cat, code, form)
    outcomes: dict[Path, str] = {}
    for path, values in forms:
        data = service_values(form.fields, values)
        try:
            rec = file_document(
                cat, path, project=code, item=it.code, source="forms", document_date=data["document_date"]
            )
        except DuplicateDocumentError as e:
            outcomes[path] = f"already filed as #{e.existing_id}"
            continue
        if rec.doc_id is not None and (data["customer"] or data["service_date"]):
            record_service_data(cat, rec.doc_id, customer=data["customer"], service_date=data["service_date"])
        if rec.doc_id is not None:  # the row stays with the record (survey scores, 严重程度)
            keep_form_row(cat, rec.doc_id, form.id, values)
        outcomes[path] = f"#{rec.doc_id} {rec.outcome}"
    return outcomes
