"""Administration (admin role): users and their roles; projects and who holds each role."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dangan.archive.checklist import checklist_paths, load_checklist
from dangan.archive.projects import add_project, list_projects, set_roles
from dangan.archive.users import ROLE_LABELS, ROLES, add_user, list_users, set_role
from dangan.web.base import call, catalog_for, page, render, state


def _overview(cat) -> dict:
    home = cat.home
    checklists = {cid: load_checklist(cid, home) for cid in checklist_paths(home)}
    return {"users": list_users(cat), "projects": list_projects(cat), "checklists": checklists}


@page("users")
async def overview(request: Request) -> Response:
    data = await call(_overview, state(request).cat)
    return render(request, "admin.html", roles=ROLES, labels=ROLE_LABELS, done=request.query_params.get("done", ""), **data)


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


def _roles_from(form, prefix: str = "role:") -> dict[str, str]:
    """The 角色 fields of the project form that have a person typed in."""
    return {k[len(prefix):]: str(v).strip() for k, v in form.multi_items() if k.startswith(prefix) and str(v).strip()}


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
    Route("/admin/projects", new_project, methods=["POST"]),
    Route("/admin/projects/{code}/roles", project_roles, methods=["POST"]),
]
