"""Signing in and out: the login page, the session (kept in the catalog), logout.

Also the Chinese words for what the access library says (a locked-out login, a disabled
user, an expired token, a name that is taken…): the library gives a code and parameters,
people read them here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.sessions import end_session, sign_in
from dangan.indexer.errors import AccountDisabledError, AuthError, DanganError, LoginThrottledError, TokenExpiredError
from dangan.web.base import call, check_csrf, cn_date, page, render, state

# Library message codes (dangan.archive.users) as the admin page says them.
ACCESS_MESSAGES = {
    "user-exists": "用户 {name} 已存在：要改密码、角色或停用，请用用户表中该用户一行的按钮。",
    "no-user": "没有用户 {name}。",
    "no-token": "没有编号为 {id} 的 API 令牌。",
    "bad-name": "用户名 {name} 不可用：请用 1–64 个字母、数字、汉字或 . @ _ -。",
    "bad-role": "没有角色 {role}。",
    "short-password": "密码太短：至少 {min} 位。",
    "last-admin": "{name} 是唯一的管理员：请先让另一位用户成为管理员。",
}


def access_message(exc: DanganError) -> str | None:
    """The Chinese sentence for an access error of the library, or None for other errors."""
    if isinstance(exc, LoginThrottledError):
        return f"登录失败次数过多，请 {exc.minutes} 分钟后再试。"
    if isinstance(exc, AccountDisabledError):
        return "该账号已停用，请联系管理员。"
    if isinstance(exc, TokenExpiredError):
        return f"API 令牌 {exc.token_id} 已于 {cn_date(exc.expired_at)} 过期，请管理员重新生成。"
    template = ACCESS_MESSAGES.get(getattr(exc, "code", ""))
    return template.format(**exc.params) if template else None


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
        response = render(request, "login.html", status_code=429, next=target, error=access_message(e))
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    except AccountDisabledError as e:
        return render(request, "login.html", status_code=403, next=target, error=access_message(e))
    except AuthError:
        return render(request, "login.html", status_code=401, next=target, error="用户名或密码错误。")
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
