"""What every page shares: the app's state, the signed-in user, CSRF, templates and guards.

A route is an ``async def`` wrapped by :func:`page` (or :func:`api`), which finds the user
(session cookie, or an API token for ``/api/``), checks the role may do the route's action
and, for a POST, the CSRF token.  Library calls run in the thread pool through :func:`call`,
with a catalog that records the user's name in every event.
"""

from __future__ import annotations

import functools
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from dangan.archive import days
from dangan.archive.catalog import Catalog
from dangan.archive.home import Home
from dangan.archive.sessions import token_sign_in, user_for_session
from dangan.archive.users import ROLE_LABELS, User, allowed
from dangan.indexer.errors import AuthError, DanganError
from dangan.indexer.index import SearchIndex
from dangan.indexer.messages import Message, say, say_text

HERE = Path(__file__).resolve().parent

# The menu every page shows: (path, label, the permission it needs or "" for any signed-in
# user).  A new page adds its line here rather than editing base.html.
NAV: list[tuple[str, str, str]] = [
    ("/search", "搜索", ""),
    ("/review", "待审核", ""),
    ("/check", "完整性", ""),
    ("/volumes", "案卷", ""),
    ("/deadlines", "服务期限", ""),
    ("/customers", "顾客", ""),
    ("/upload", "上传", "file"),
    ("/forms", "表格", ""),
    ("/admin", "管理", "users"),
    ("/lending", "借阅", "loans"),
    ("/inventory", "盘点", ""),
    ("/stats", "统计", ""),
    ("/trash", "回收站", "edit"),
]
templates = Jinja2Templates(directory=str(HERE / "templates"))


@dataclass
class WebState:
    """One running app: its home, catalog, per-thread search indexes and finished form ZIPs."""

    home: Home
    cat: Catalog
    max_upload_bytes: int
    _local: threading.local = field(default_factory=threading.local)
    downloads: dict[str, tuple[Path, str]] = field(default_factory=dict)  # random token -> (ZIP, user)

    def index(self) -> SearchIndex:
        """This thread's SearchIndex: a Whoosh searcher is not shared between threads."""
        ix = getattr(self._local, "index", None)
        if ix is None:
            ix = self._local.index = SearchIndex(self.home.index_dir)
        return ix

    def add_download(self, path: Path, user: str) -> str:
        """Remember a file made for ``user`` under a random token (no path in any URL)."""
        token = secrets.token_urlsafe(24)
        self.downloads[token] = (path, user)
        return token

    def take_download(self, token: str, user: str) -> Path | None:
        """The file of ``token`` if ``user`` made it; it can be taken once."""
        path, owner = self.downloads.get(token, (None, None))
        if path is None or owner != user:
            return None
        del self.downloads[token]
        return path


def state(request: Request) -> WebState:
    return request.app.state.web


# -- users ---------------------------------------------------------------------------------
def session_user(request: Request) -> User | None:
    """The user of the session cookie's session, looked up in the catalog at every request.

    A logged-out, expired or ended session (password or role changed, user disabled) is no
    session: a copy of the old cookie gets the login page.
    """
    return user_for_session(state(request).cat, request.session.get("sid"))


def token_user(request: Request) -> User | None:
    """The user of an ``Authorization: Bearer TOKEN`` header, if there is one."""
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        return None
    address = request.client.host if request.client else ""
    return token_sign_in(state(request).cat, auth[7:].strip(), address)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form carries it."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """403 unless a POST carries the session's CSRF token (form field or X-CSRF-Token header)."""
    expected = request.session.get("csrf")
    header = request.headers.get("x-csrf-token")
    sent = header if header is not None else (await request.form()).get("csrf")
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "该表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")


def page(action: str = "read") -> Callable:
    """Guard a page: signed in (else the login page), role allows ``action`` (else 403), CSRF on POST."""

    def wrap(fn: Callable[..., Awaitable[Response]]):
        @functools.wraps(fn)
        async def endpoint(request: Request) -> Response:
            user = await run_in_threadpool(session_user, request)
            if user is None:
                if request.method == "GET":
                    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
                raise HTTPException(401, "请先登录。")
            request.state.user = user  # set first: a 403 page keeps the signed-in user's menu
            _require(user, action)
            if request.method == "POST":
                await check_csrf(request)
            return await fn(request)

        return endpoint

    return wrap


def api(action: str = "read") -> Callable:
    """Guard an API route: a token or a session; 401 JSON when neither, 403 when the role may not."""

    def wrap(fn: Callable[..., Awaitable[Response]]):
        @functools.wraps(fn)
        async def endpoint(request: Request) -> Response:
            user = await run_in_threadpool(token_user, request) or await run_in_threadpool(session_user, request)
            if user is None:
                raise AuthError(
                    "sign in or send Authorization: Bearer TOKEN", fix="make one with `dangan user token NAME`"
                )
            request.state.user = user
            _require(user, action)
            return await fn(request)

        return endpoint

    return wrap


def _require(user: User, action: str) -> None:
    if not allowed(user.role, action):
        raise HTTPException(403, f"{user.name}（{ROLE_LABELS.get(user.role, user.role)}）没有此操作的权限。")


def catalog_for(request: Request) -> Catalog:
    """The catalog acting as the signed-in user: every event it logs names them."""
    return state(request).cat.acting_as(request.state.user.name)


async def call(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Run a library call in the thread pool (library calls block: files, SQLite, Whoosh)."""
    return await run_in_threadpool(fn, *args, **kw)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """A page from ``web/templates`` with the user, CSRF token and nav in its context."""
    user = getattr(request.state, "user", None)
    base = {
        "user": user,
        "role_label": ROLE_LABELS.get(user.role, "") if user else "",
        "nav": [(path, label) for path, label, need in NAV if user and (not need or user.can(need))],
        "can": (lambda a: bool(user and user.can(a))),
    }
    if "session" in request.scope:
        base["csrf"] = csrf_token(request)
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


# -- how things are shown ------------------------------------------------------------------------
def cn_date(value: Any) -> str:
    """Dates as the users write them: 2024年3月12日 (and the time for a moment)."""
    return days.cn_date(value, with_time=True)


def highlight(snippet: str, spans: list) -> Markup:
    """The snippet escaped, with each highlighted span in <mark>."""
    parts, pos = [], 0
    for start, end in sorted(tuple(s) for s in spans):
        parts.append(escape(snippet[pos:start]))
        parts.append(Markup("<mark>") + escape(snippet[start:end]) + Markup("</mark>"))
        pos = end
    parts.append(escape(snippet[pos:]))
    return Markup("").join(parts)


def event_detail(detail: dict) -> str:
    """An event's detail as 'key: value' pairs (Chinese readable, escaped by the template).

    The input file shows by its name: the folder it was read from is the server's business.
    """
    detail = dict(detail or {})
    before, after = detail.pop("before", None), detail.pop("after", None)
    changes = []
    if isinstance(before, dict) and isinstance(after, dict):  # an edit, discard or restore: old → new
        changes = [
            f"{FIELD_LABELS.get(k, k)}: {_value(k, before.get(k))} → {_value(k, v)}"
            for k, v in after.items()
            if k in FIELD_LABELS
        ]
    shown = {k: (Path(str(v)).name if k in ("input", "moved_to") and v else v) for k, v in detail.items()}
    return "；".join(
        changes
        + [f"{DETAIL_LABELS.get(k, k)}: {_detail_value(v)}" for k, v in shown.items() if v not in (None, "", [], {})]
    )


def _detail_value(value: Any) -> str:
    """A value of an event's detail in Chinese: a stored English sentence through the catalog."""
    if isinstance(value, list):
        return "、".join(_detail_value(v) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{k}={_detail_value(v)}" for k, v in value.items())
    return said(value)


# The keys of an event's detail as the document page names them.
DETAIL_LABELS = {
    "input": "文件", "project": "项目", "document": "文件号", "documents": "文件数", "item": "条目",
    "person": "责任人", "vault_path": "存放位置", "reason": "原因", "decided_by": "依据", "notes": "说明",
    "error": "错误", "moved_to": "移到", "batch": "批次", "user": "用户", "what": "内容", "volume": "卷",
    "period": "期间", "role": "角色", "roles": "角色", "by": "经办", "source": "来源", "name": "名称",
    "count": "数量", "to": "到", "station": "工作站", "year": "年度", "checklist": "清单",
}  # fmt: skip


def _value(column: str, value: Any) -> str:
    if column == "status":
        return STATUS_LABELS.get(value, value or "")
    return "（空）" if value in (None, "") else str(value)


STATUS_LABELS = {"filed": "已归档", "review": "待审核", "discarded": "回收站"}
# Catalog columns an edit, refile or discard changes, as the document page names them.
FIELD_LABELS = {
    "title": "题名",
    "document_date": "日期",
    "doc_number": "文件编号",
    "author": "责任者",
    "remarks": "备注",
    "pages": "页数",
    "retention": "保管期限",
    "secrecy": "密级",
    "project_code": "项目",
    "item_code": "条目",
    "status": "状态",
    "person": "责任人",
}


# Event actions as the users say them; an action not listed shows as it is logged.
ACTION_LABELS = {
    "filed": "归档",
    "to-review": "待审核",
    "filed-by-hand": "人工归档",
    "refiled": "改归",
    "item-waived": "免交",
    "waiver-undone": "撤销免交",
    "recovered": "恢复",
    "failed": "失败",
    "edited": "修改著录",
    "discarded": "移入回收站",
    "restored": "从回收站恢复",
    "undone": "撤销",
    "attachment-failed": "邮件附件未能归档",
    "attachments-not-filed": "邮件附件未全部归档",
}


def said(value: Any) -> str:
    """What the library says, in Chinese from the message catalog: an error or a Message, or an
    English sentence it stored as text (an event's reason); a name or code stays as it is."""
    if isinstance(value, (Message, DanganError)):
        return say(value)
    if value is None:
        return ""
    text = str(value)
    return say_text(text) or text


templates.env.filters["say"] = said
templates.env.filters["cndate"] = cn_date
templates.env.filters["action"] = lambda a: ACTION_LABELS.get(a, a)
templates.env.filters["detail"] = event_detail
templates.env.globals["highlight"] = highlight
