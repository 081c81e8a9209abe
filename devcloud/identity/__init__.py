"""Keystone v3 for devcloud: password and token auth, scoped tokens, catalog, projects,
users, roles. Shapes follow the Keystone API reference (identity v3).

    state:     accounts.py (domains, projects, users, roles, assignments), tokens.py
               (issue, validate, authenticate), catalog.py; service.py: the service object
    handlers:  auth.py (versions, /v3/auth), projects.py (projects, domains), users.py,
               roles.py (roles, grants, assignments); api.py: what they share
"""

from aiohttp import web

from ..cloud import Cloud
from ..routes import add_resource, add_root
from . import auth, projects, roles, users
from .accounts import DEMO_ACCOUNTS
from .service import Identity

__all__ = ["DEMO_ACCOUNTS", "Identity", "setup"]


def setup(app: web.Application, cloud: Cloud) -> None:
    cloud.services["identity"] = Identity(cloud)
    r = app.router
    r.add_get("/", auth.versions)
    add_root(r, "/v3", auth.v3_root)
    r.add_post("/v3/auth/tokens", auth.create_token)
    r.add_get("/v3/auth/tokens", auth.validate_token, allow_head=False)
    r.add_route("HEAD", "/v3/auth/tokens", auth.check_token)
    r.add_delete("/v3/auth/tokens", auth.revoke_token)
    r.add_get("/v3/auth/projects", auth.auth_projects)
    r.add_get("/v3/auth/catalog", auth.auth_catalog)
    add_resource(r, "/v3/projects", list_=projects.list_projects,
                 create=projects.create_project, show=projects.get_project,
                 delete=projects.delete_project, key="project_id")
    user = add_resource(r, "/v3/users", list_=users.list_users, create=users.create_user,
                        show=users.get_user, delete=users.delete_user, key="user_id")
    r.add_get(f"{user}/projects", users.user_projects)
    r.add_get("/v3/roles", roles.list_roles)
    grant = "/v3/projects/{project_id}/users/{user_id}/roles/{role_id}"
    r.add_put(grant, roles.grant_role)
    r.add_delete(grant, roles.revoke_role)
    r.add_get("/v3/role_assignments", roles.role_assignments)
    add_resource(r, "/v3/domains", list_=projects.list_domains, show=projects.get_domain,
                 key="domain_id")
