"""The dangan web app: Starlette routes over the archive library, served by uvicorn.

``create_app(home)`` assembles the pages of each module (search and documents, review,
completeness, volumes and the 四性检测, upload, forms and registers, the JSON API), the
signed session cookie, the upload size limit, and error pages: a library error becomes a page (or JSON under /api/)
with its one-line message and a fitting HTTP status; anything else a plain 500 page with no
traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dangan.archive.catalog import Catalog
from dangan.archive.home import Home
from dangan.archive.sessions import SESSION_HOURS
from dangan.archive.users import session_secret
from dangan.indexer.errors import (
    AuthError,
    BusyError,
    ConflictError,
    DanganError,
    ExitCode,
    LoginThrottledError,
    PermissionDeniedError,
)
from dangan.indexer.messages import say
from dangan.web import (
    admin,
    api,
    auth,
    checks,
    customers,
    deadlines,
    documents,
    forms,
    grants,
    lending,
    life,
    review,
    upload,
    volumes,
)
from dangan.web import stats as stats_page
from dangan.web.base import HERE, WebState, render
from dangan.web.formjobs import sweep_jobs
from dangan.web.forms import FORMS_WORK
from dangan.web.handover import routes as handover_routes
from dangan.web.pictures import routes as picture_routes
from dangan.web.trash import routes as trash_routes
from dangan.web.uploadjobs import DEFAULT_MAX_BYTES, sweep_uploads

log = logging.getLogger("dangan.web")

BUSY_MESSAGE = "档案正被另一项操作（归档、核查或重建索引，可能在另一台工作站上）占用，等了太久仍未结束；请稍后再试。"
HTTP_STATUS = {
    ExitCode.usage: 400,
    ExitCode.input_error: 422,
    ExitCode.not_found: 404,
    ExitCode.conflict: 409,
    ExitCode.busy: 503,
    ExitCode.missing_dependency: 503,
    ExitCode.config_error: 500,
    ExitCode.verify_failed: 500,
}
TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "找不到", 405: "不支持的操作", 409: "冲突",
          413: "文件太大", 429: "请稍后再试", 422: "文件或数据无法使用", 500: "内部错误", 503: "稍后再试"}  # fmt: skip


def create_app(home: Home, *, max_upload_bytes: int = DEFAULT_MAX_BYTES, https_only: bool = False) -> Starlette:
    """The ASGI app serving ``home``; the catalog stays open for the app's life."""
    cat = Catalog.open(home)
    # Work folders of a previous run: unfinished uploads and ZIPs nobody fetched.
    for folder in [*sweep_uploads(home.root), *sweep_jobs(home.root / FORMS_WORK)]:
        log.warning("removed %s left by an earlier run of the web app", folder)
    routes: list[BaseRoute] = [
        *auth.routes,
        *documents.routes,
        *review.routes,
        *life.routes,
        *checks.routes,
        *deadlines.routes,
        *customers.routes,
        *upload.routes,
        *volumes.routes,
        *forms.routes,
        *admin.routes,
        *api.routes,
        *grants.routes,
        *lending.routes,
        *stats_page.routes,
        *picture_routes,
        *handover_routes,
        *trash_routes,
    ]
    routes.append(Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"))
    # Starlette types a handler as taking any Exception; each of ours takes the class it is for.
    handlers: dict[Any, Any] = {DanganError: _library_error, HTTPException: _http_error, Exception: _internal_error}
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, limit=max_upload_bytes + 1024 * 1024, shown=max_upload_bytes),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(home.root),
                session_cookie="dangan_session",
                same_site="strict",
                https_only=https_only,
                max_age=SESSION_HOURS * 3600,
            ),  # fmt: skip
        ],
        exception_handlers=handlers,
        lifespan=_closing(cat),
    )
    app.state.web = WebState(home=home, cat=cat, max_upload_bytes=max_upload_bytes)
    return app


def _closing(cat: Catalog):
    """Close the catalog when the server stops."""

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        try:
            yield
        finally:
            cat.close()

    return lifespan


def _page_or_json(request: Request, status: int, message: str, english: str | None = None) -> Response:
    """An error page with ``message``; under /api/ JSON with the same Chinese ``error`` (what a
    person is shown) and, for a library error, its English line as ``english`` (the CLI's text)."""
    if request.url.path.startswith("/api/"):
        body: dict[str, object] = {"error": message, "status": status}
        if english is not None:
            body["english"] = english
        return JSONResponse(body, status_code=status)
    return render(
        request, "error.html", status_code=status, status=status, title=TITLES.get(status, "出错了"), message=message
    )


async def _library_error(request: Request, exc: DanganError) -> Response:
    """A library error as its Chinese sentence from the message catalog (never the English
    text with its `dangan` advice) and a fitting status.

    401 only when nobody is signed in: a signed-in user who may not do something gets 403
    (with the menu), and a bad name, role or password they typed is a 400.
    """
    signed_in = getattr(request.state, "user", None) is not None
    if isinstance(exc, LoginThrottledError):
        response = _page_or_json(request, 429, say(exc), str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, PermissionDeniedError):
        status = 403
    elif isinstance(exc, AuthError) and not exc.code and not signed_in:  # coded ones are bad input: 400
        status = 401
    else:
        status = HTTP_STATUS.get(exc.exit_code, 500)
    if isinstance(exc, BusyError):  # its text names the server's home folder and a setting
        return _page_or_json(request, status, BUSY_MESSAGE)
    return _page_or_json(request, status, say(exc), str(exc))


# Starlette's own English details (a URL matching no route, a wrong method), as users read them.
STARLETTE_DETAILS = {
    "Not Found": "找不到这个页面：地址有误，或它已不存在。",
    "Method Not Allowed": "这个地址不支持这种操作。",
}


async def _http_error(request: Request, exc: HTTPException) -> Response:
    detail = str(exc.detail)
    return _page_or_json(request, exc.status_code, STARLETTE_DETAILS.get(detail, detail))


async def _internal_error(request: Request, exc: Exception) -> Response:
    # The traceback goes to the server's log for the administrator, never to the browser.
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return _page_or_json(request, 500, f"内部错误（{exc.__class__.__name__}）：请把服务器日志交给管理员。")


# Pages load scripts, styles and images from this server only and cannot be framed by
# another site; an injected <script> would not run even if escaping ever failed.
PAGE_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'self'",
    ),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Add PAGE_HEADERS to HTML responses (a file's own headers are left as they are)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    message = {**message, "headers": headers + PAGE_HEADERS}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse a request body over ``limit`` bytes (413) before it is read into memory or disk."""

    def __init__(self, app: ASGIApp, limit: int, shown: int | None = None):
        # ``limit`` has room for the multipart framing; ``shown`` is the limit users are told.
        self.app, self.limit, self.shown = app, limit, shown or limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(self.shown, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, f"上传内容超过 {_mb(self.shown)} MB 的上限：请分批上传。")
            return message

        await self.app(scope, counted, send)


async def _too_large(limit: int, send: Send) -> None:
    body = f"上传内容超过 {_mb(limit)} MB 的上限：请分批上传。".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _mb(size: int) -> str:
    """Bytes as the MB figure users were told (100 for 100 MB; 0.06 for 64 KB)."""
    return f"{size / (1024 * 1024):.2f}".rstrip("0").rstrip(".")


def check_port(host: str, port: int) -> None:
    """A clear one-line error (instead of uvicorn's log) when the address cannot be used."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as e:
        reason = os.strerror(e.errno) if e.errno else str(e)
        raise ConflictError(
            f"cannot listen on {host}:{port} ({reason}); pick another with --port or stop what uses it"
        ) from e


def run(home_root: Path, host: str, port: int, *, max_upload_mb: int) -> None:
    """Serve ``home_root`` with uvicorn until interrupted."""
    import uvicorn

    check_port(host, port)
    app = create_app(Home.open(home_root), max_upload_bytes=max_upload_mb * 1024 * 1024)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
