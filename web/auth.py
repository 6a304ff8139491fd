"""Signing in and out: the login page, the signed session cookie, logout."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.users import authenticate
from dangan.indexer.errors import AuthError
from dangan.web.base import call, check_csrf, page, render, state


def _safe_next(target: str | None) -> str:
    """Only a local path: an open redirect to another site is never followed."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/search"


async def login_form(request: Request) -> Response:
    """The login page (what an anonymous visitor sees for any page)."""
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")), error="")


async def login(request: Request) -> Response:
    """Check the name and password; a new session (new CSRF token) on success."""
    await check_csrf(request)
    form = await request.form()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    try:
        user = await call(authenticate, state(request).cat, name, password)
    except AuthError:
        return render(request, "login.html", status_code=401, next=target, error="用户名或密码错误。")
    request.session.clear()
    request.session["user"] = user.name
    return RedirectResponse(target, status_code=303)


@page()
async def logout(request: Request) -> Response:
    """Forget the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def root(request: Request) -> Response:
    return RedirectResponse("/search", status_code=303)


routes = [
    Route("/", root),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
