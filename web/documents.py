"""Search and the document page: one box, filters, "20 of 55" with paging; preview, text, history.

A document's file is sent only by its catalog id (``/documents/ID/file``): the path comes
from the catalog row, never from the request.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from dangan.archive.browse import BrowsePage, browse
from dangan.archive.life.edit import RETENTIONS, SECRECY
from dangan.archive.openness import search_for
from dangan.archive.projects import Project, list_projects
from dangan.archive.searchfilters import project_people
from dangan.archive.searchrequest import SearchPage, SearchRequest, run_search
from dangan.indexer.errors import DanganError, NotFoundError, UsageError
from dangan.indexer.messages import say
from dangan.web.base import call, page, render, state
from dangan.web.docview import document_view, readable, stored_file
from dangan.web.limits import check_query
from dangan.web.review import item_groups
from dangan.web.trash import NOTE

PER_PAGE = 20
TYPE_LABELS = {"pdf": "PDF", "image": "图片", "docx": "Word", "text": "文本"}
# How a document's and each page's text was read (dangan.archive.intake.pages / dangan.archive.life.show codes).
READ_METHODS = {
    "text": "文字层", "text-pdfium": "文字层（PDFium）", "text-unswapped": "文字层（字节序已纠正）", "text-pdfminer": "文字层（pdfminer）", "ocr": "OCR 识别",
    "mixed": "文字层和 OCR", "blank": "空白页（未 OCR）", "none": "无文字", "docx": "Word 文字", "plain": "纯文本",
    "xlsx": "Excel 单元格", "pptx": "演示文稿文字和备注", "ofd": "OFD 版式文字", "eml": "邮件正文", "msg": "Outlook 邮件正文", "libreoffice": "旧版 Office/WPS 文件（LibreOffice 转换）",
}  # fmt: skip
# Where a date candidate was found (dangan.archive.intake.dates' kinds), as the users say it.
DATE_KINDS = {"label": "标签旁", "signature": "落款处", "body": "正文中", "event": "事件日期", "hand": "人工更正"}
PAGES_SHOWN = 20  # page images on the document page; the whole PDF opens in the browser's viewer


# A request with any of these (even empty) and no words lists documents by date.
BROWSE_KEYS = ("q", "project", "item", "person", "from", "to", "type", "sort")
FILTER_LABELS = {"project": "项目", "item": "条目", "person": "责任人", "from": "起始日期", "to": "截止日期"}


def search_problem(e: DanganError) -> str:
    """A search request's error as the page says it (the library's error names the filter)."""
    param, value = getattr(e, "filter", None) or getattr(e, "param", None), getattr(e, "value", "")
    if isinstance(e, NotFoundError) and param in FILTER_LABELS:
        known = getattr(e, "known", [])
        return (
            f"没有{FILTER_LABELS[param]}“{value}”"
            + (f"（现有：{'、'.join(known)}）" if known else "")
            + "，请改正筛选条件。"
        )
    if param in ("from", "to"):
        return f"{FILTER_LABELS[param]} {value!r} 不是日期，请写成 2024-03-01 的形式"
    return say(e)  # a Chinese message (the web layer's own limits) is shown as it is


def _search(web, params, role: str) -> tuple[SearchPage | BrowsePage | None, list]:
    """The request run in this worker thread (its own index: a Whoosh searcher is not shared
    between threads), and the projects for the filter; a viewer's among open records only.
    No words: the catalog lists the filtered documents by date (``dangan.archive.browse``)."""
    req = SearchRequest.from_params(params, per_page=PER_PAGE)
    if req.query:
        return search_for(role, req, web.index, web.cat) or run_search(req, web.index, web.cat), list_projects(web.cat)
    if not any(k in params for k in BROWSE_KEYS):  # the bare page, before anything was asked
        return None, list_projects(web.cat)
    return browse(web.cat, req, sort=params.get("sort") or "new", role=role), list_projects(web.cat)


def pickers(projects: list[Project], params) -> dict:
    """The 条目 and 责任人 pickers: every checklist's items by part and every project's 责任人,
    those of the chosen project shown (the others hidden until the project changes:
    static/review.js); a value they do not hold (an old link's item title, a document's
    owner) stays as an option of its own, so every earlier URL still means what it meant."""
    chosen = next((p for p in projects if p.code == params.get("project")), None)
    checklists = item_groups(projects)
    people = [(code, names) for code, names in project_people(projects) if names]
    codes = {it.code for cl in checklists if not chosen or cl["id"] == chosen.checklist.id
             for _, items in cl["parts"] for it in items}  # fmt: skip
    names = {n for code, group in people if not chosen or code == chosen.code for n in group}
    item, person = params.get("item") or "", params.get("person") or ""
    return {"checklists": checklists, "people": people, "chosen": chosen,
            "item_extra": item if item not in codes else "", "person_extra": person if person not in names else ""}  # fmt: skip


@page()
async def search(request: Request) -> Response:
    """The search page; with htmx only the results part is sent back as one types.

    A filter naming no project, item or person (or a bad date) is said on the page, above
    the filters as they were typed: not a silent "no match".
    """
    params = request.query_params
    web, error, status = state(request), "", 200
    try:
        check_query((params.get("q") or "").strip())
        result, projects = await call(_search, web, params, request.state.user.role)
    except (UsageError, NotFoundError) as e:
        result, projects = None, await call(list_projects, web.cat)
        error, status = search_problem(e), 400 if isinstance(e, UsageError) else 404
    hits, total, number = (result.hits, result.total, result.page) if result else ([], 0, 1)
    browsing = result is not None and not isinstance(result, SearchPage)
    keep = {k: v for k, v in params.items() if k != "page" and v}
    context = dict(
        query=(params.get("q") or "").strip(), params=params, hits=hits, total=total, page=number,
        pages=(total + PER_PAGE - 1) // PER_PAGE, first=(number - 1) * PER_PAGE + 1, error=error,
        link=lambda n: "/search?" + urlencode({**keep, "page": n}), projects=projects, types=TYPE_LABELS,
        browsing=browsing, sort=params.get("sort") or "new", most=getattr(result, "level", "") == "most",
        **pickers(projects, params),
        sort_link=lambda order: "/search?" + urlencode({**{k: v for k, v in keep.items() if k != "sort"}, "sort": order}),
    )  # fmt: skip
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, "search_results.html", **context)  # 200: htmx swaps only a success
    return render(request, "search.html", status_code=status, **context)


@page()
async def document(request: Request) -> Response:
    """Preview, metadata, extracted text, date candidates and event history of one document;
    the edit, refile and discard/restore forms for the roles that may use them."""
    await call(readable, state(request).cat, request.state.user.role, request.path_params["doc_id"])
    view = await call(document_view, state(request).cat, request.path_params["doc_id"], request.state.user.role)
    projects = await call(list_projects, state(request).cat)  # the refile pickers: projects, items by part
    return render(request, "document.html", **view, kinds=DATE_KINDS, pages_shown=PAGES_SHOWN, projects=projects,
                  checklists=item_groups(projects), methods=READ_METHODS, retentions=RETENTIONS, secrecies=SECRECY,
                  saved=request.query_params.get("saved") == "1", open_edit=request.query_params.get("edit") == "1",
                  volume_note=request.session.pop(NOTE, ""))  # fmt: skip


@page()
async def document_file(request: Request) -> Response:
    """The stored file of a document, inline (the browser's PDF viewer or an image)."""
    await call(readable, state(request).cat, request.state.user.role, request.path_params["doc_id"])
    f = await call(stored_file, state(request).cat, request.path_params["doc_id"])
    disposition = "inline" if request.query_params.get("download") != "1" else "attachment"
    headers = {"X-Content-Type-Options": "nosniff"}
    if f.mime_type != "application/pdf":  # Chromium's PDF viewer will not run in a sandbox
        headers["Content-Security-Policy"] = "sandbox"
    return FileResponse(f.path, media_type=f.mime_type, filename=f.download_name, content_disposition_type=disposition,
                        headers=headers)  # fmt: skip


routes = [
    Route("/search", search),
    Route("/documents/{doc_id:id}", document),
    Route("/documents/{doc_id:id}/file", document_file),
]
