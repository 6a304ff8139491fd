"""Administration (admin role): users, their roles and access; projects and who holds each role.

Taking access away goes through the same library functions as `dangan user …`: a new
password, a role change or disabling ends every session of that user at once.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.checklist import checklist_paths, load_checklist
from dangan.archive.projects import add_project, list_projects, set_roles
from dangan.archive.users import (
    ROLE_LABELS,
    ROLES,
    add_user,
    disable_user,
    enable_user,
    list_tokens,
    list_users,
    revoke_token,
    revoke_tokens,
    set_password,
    set_role,
)
from dangan.web.base import call, catalog_for, page, render, state


def _overview(cat) -> dict:
    home = cat.home
    checklists = {cid: load_checklist(cid, home) for cid in checklist_paths(home)}
    return {
        "users": list_users(cat),
        "tokens": list_tokens(cat),
        "projects": list_projects(cat),
        "checklists": checklists,
    }


# What the page says after each change (?done=…).
DONE = {
    "user": "已添加用户。",
    "role": "已改角色；该用户须重新登录。",
    "password": "已重设密码；该用户的所有会话已结束，须用新密码登录。",
    "disabled": "已停用；该用户已在所有地方退出，API 令牌也不再可用。",
    "enabled": "已启用；该用户可以重新登录。",
    "token": "已吊销该 API 令牌。",
    "tokens": "已吊销该用户的全部 API 令牌。",
}


@page("users")
async def overview(request: Request) -> Response:
    data = await call(_overview, state(request).cat)
    done = request.query_params.get("done", "")
    # The new-project form offers the roles of the checklist chosen for it (?checklist=…).
    chosen = request.query_params.get("checklist", "")
    chosen = chosen if chosen in data["checklists"] else next(iter(data["checklists"]), "")
    return render(
        request, "admin.html", roles=ROLES, labels=ROLE_LABELS, done=DONE.get(done, "已保存。" if done else ""),
        new_checklist=chosen, **data,
    )  # fmt: skip


@page("users")
async def new_user(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("name", "")).strip()
    await call(add_user, catalog_for(request), name, str(form.get("role", "")), str(form.get("password", "")))
    return RedirectResponse("/admin?done=user", status_code=303)


@page("users")
async def change_role(request: Request) -> Response:
    form = await request.form()
    await call(set_role, catalog_for(request), request.path_params["name"], str(form.get("role", "")))
    return RedirectResponse("/admin?done=role", status_code=303)


@page("users")
async def reset_password(request: Request) -> Response:
    form = await request.form()
    await call(set_password, catalog_for(request), request.path_params["name"], str(form.get("password", "")))
    return RedirectResponse("/admin?done=password", status_code=303)


@page("users")
async def disable(request: Request) -> Response:
    await call(disable_user, catalog_for(request), request.path_params["name"])
    return RedirectResponse("/admin?done=disabled", status_code=303)


@page("users")
async def enable(request: Request) -> Response:
    await call(enable_user, catalog_for(request), request.path_params["name"])
    return RedirectResponse("/admin?done=enabled", status_code=303)


@page("users")
async def revoke_user_tokens(request: Request) -> Response:
    await call(revoke_tokens, catalog_for(request), request.path_params["name"])
    return RedirectResponse("/admin?done=tokens", status_code=303)


@page("users")
async def revoke_one_token(request: Request) -> Response:
    await call(revoke_token, catalog_for(request), request.path_params["id"])
    return RedirectResponse("/admin?done=token", status_code=303)


def _roles_from(form, prefix: str = "role:") -> dict[str, str]:
    """The 角色 fields of the project form that have a person typed in."""
    return {k[len(prefix) :]: str(v).strip() for k, v in form.multi_items() if k.startswith(prefix) and str(v).strip()}


@page("users")
async def new_project(request: Request) -> Response:
    form = await request.form()
    await call(add_project, catalog_for(request), str(form.get("code", "")).strip(), str(form.get("name", "")),
               checklist=str(form.get("checklist", "construction")), roles=_roles_from(form))  # fmt: skip
    return RedirectResponse("/admin?done=project", status_code=303)


@page("users")
async def project_roles(request: Request) -> Response:
    form = await request.form()
    await call(set_roles, catalog_for(request), request.path_params["code"], _roles_from(form))
    return RedirectResponse("/admin?done=roles", status_code=303)


routes = [
    Route("/admin", overview),
    Route("/admin/users", new_user, methods=["POST"]),
    Route("/admin/users/{name}/role", change_role, methods=["POST"]),
    Route("/admin/users/{name}/password", reset_password, methods=["POST"]),
    Route("/admin/users/{name}/disable", disable, methods=["POST"]),
    Route("/admin/users/{name}/enable", enable, methods=["POST"]),
    Route("/admin/users/{name}/tokens/revoke", revoke_user_tokens, methods=["POST"]),
    Route("/admin/tokens/{id}/revoke", revoke_one_token, methods=["POST"]),
    Route("/admin/projects", new_project, methods=["POST"]),
    Route("/admin/projects/{code}/roles", project_roles, methods=["POST"]),
]
