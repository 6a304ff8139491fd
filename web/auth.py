"""Signing in and out: the login page, the session (kept in the catalog), logout.

What the access library says (a locked-out login, a disabled user, an expired token, a name
that is taken…) is shown in Chinese from the message catalog (``indexer/locale/zh_CN/access.po``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.sessions import end_session, sign_in
from dangan.indexer.errors import AccountDisabledError, AuthError, LoginThrottledError
from dangan.indexer.messages import say
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
    """Check the name and password under the brute-force limit; a new session (new CSRF token).

    A locked-out name or address gets 429 with Retry-After (the right password too).
    """
    await check_csrf(request)
    form = await request.form()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    address = request.client.host if request.client else ""
    try:
        user, session_id = await call(sign_in, state(request).cat, name, password, address)
    except LoginThrottledError as e:
        response = render(request, "login.html", status_code=429, next=target, error=say(e))
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    except AccountDisabledError as e:
        return render(request, "login.html", status_code=403, next=target, error=say(e))
    except AuthError as e:
        return render(request, "login.html", status_code=401, next=target, error=say(e))
    request.session.clear()
    request.session["sid"] = session_id
    request.session["user"] = user.name
    return RedirectResponse(target, status_code=303)


@page()
async def logout(request: Request) -> Response:
    """End the session on the server (a copy of the cookie is refused from now on) and forget it."""
    await call(end_session, state(request).cat, request.session.get("sid"))
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
