"""Keystone v3: password and token auth, scoped tokens, catalog, projects, users, roles.

Shapes follow the Keystone API reference (identity v3). Roles imply as a default
Keystone deployment has them: admin implies member, member implies reader.
"""

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from aiohttp import web

from .app import SERVICES, Cloud, public
from .context import Context
from .errors import CloudError

DEFAULT_DOMAIN = {"id": "default", "name": "Default", "description": "The default domain",
                  "enabled": True, "tags": [], "options": {}}
IMPLIES = {"admin": ["member"], "member": ["reader"]}
DEMO_ACCOUNTS = [
    # user, password, project, role
    ("admin", "admin", "admin", "admin"),
    ("demo", "demo", "demo", "member"),
    ("alice", "alice", "alpha", "member"),
    ("bob", "bob", "beta", "member"),
    ("reader", "reader", "demo", "reader"),
    ("helpdesk", "helpdesk", "admin", "helpdesk"),
    ("portal", "portal", "service", "admin"),
]
DEMO_PROJECTS = ["admin", "service", "demo", "alpha", "beta"]
ROLES = ["admin", "member", "reader", "service", "helpdesk"]
UNAUTHORIZED = "The request you have made requires authentication."


def now() -> datetime:
    return datetime.now(UTC)


def isotime(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class Identity:
    def __init__(self, cloud: Cloud):
        self.cloud = cloud
        self.store = cloud.store
        self.token_ttl = 3600  # Keystone's default [token] expiration

    # --- seed ---------------------------------------------------------------
    def seed(self) -> None:
        s = self.store
        s["domains"]["default"] = dict(DEFAULT_DOMAIN)
        for name in ROLES:
            self.create_role(name)
        for name in DEMO_PROJECTS:
            self.create_project(name, description=f"{name} project")
        for user, password, project, role in DEMO_ACCOUNTS:
            u = self.create_user(user, password, default_project=project)
            self.assign(u["id"], self.project_by_name(project)["id"], role)

    def create_role(self, name: str) -> dict:
        role = {"id": uuid.uuid4().hex, "name": name, "domain_id": None, "description": None,
                "options": {}}
        self.store["roles"][role["id"]] = role
        self.store.touch()
        return role

    def create_project(self, name: str, domain_id: str = "default", description: str = "") -> dict:
        project = {"id": uuid.uuid4().hex, "name": name, "domain_id": domain_id,
                   "description": description, "enabled": True, "parent_id": domain_id,
                   "is_domain": False, "tags": [], "options": {}}
        self.store["projects"][project["id"]] = project
        self.store.touch()
        return project

    def create_user(self, name: str, password: str, domain_id: str = "default",
                    default_project: str | None = None) -> dict:
        user = {"id": uuid.uuid4().hex, "name": name, "domain_id": domain_id, "enabled": True,
                "password_expires_at": None, "options": {}, "password": password}
        if default_project:
            user["default_project_id"] = self.project_by_name(default_project)["id"]
        self.store["users"][user["id"]] = user
        self.store.touch()
        return user

    def assign(self, user_id: str, project_id: str, role_name: str) -> None:
        role = self.role_by_name(role_name)
        key = f"{user_id}:{project_id}:{role['id']}"
        self.store["assignments"][key] = {"user_id": user_id, "project_id": project_id,
                                          "role_id": role["id"]}
        self.store.touch()

    # --- lookups ------------------------------------------------------------
    def project_by_name(self, name: str, domain_id: str = "default") -> dict | None:
        return next((p for p in self.store["projects"].values()
                     if p["name"] == name and p["domain_id"] == domain_id), None)

    def role_by_name(self, name: str) -> dict | None:
        return next((r for r in self.store["roles"].values() if r["name"] == name), None)

    def domain(self, id_or_name: dict) -> dict | None:
        domains = self.store["domains"].values()
        if "id" in id_or_name:
            return next((d for d in domains if d["id"] == id_or_name["id"]), None)
        return next((d for d in domains if d["name"] == id_or_name.get("name")), None)

    def effective_roles(self, user_id: str, project_id: str) -> list[str]:
        roles_by_id = self.store["roles"]
        direct = [roles_by_id[a["role_id"]]["name"] for a in self.store["assignments"].values()
                  if a["user_id"] == user_id and a["project_id"] == project_id
                  and a["role_id"] in roles_by_id]
        seen: list[str] = []
        todo = list(direct)
        while todo:
            name = todo.pop(0)
            if name not in seen:
                seen.append(name)
                todo.extend(IMPLIES.get(name, []))
        return seen

    def user_projects(self, user_id: str) -> list[dict]:
        ids = {a["project_id"] for a in self.store["assignments"].values()
               if a["user_id"] == user_id}
        return [p for pid, p in self.store["projects"].items() if pid in ids and p["enabled"]]

    # --- tokens -------------------------------------------------------------
    def issue(self, user: dict, project: dict | None, methods: list[str],
              audit_chain: list[str] | None = None, expires_at: str | None = None) -> str:
        token_id = "gAAAAAB" + secrets.token_urlsafe(132)
        issued = now()
        record = {
            "user_id": user["id"], "project_id": project["id"] if project else None,
            "methods": methods, "issued_at": isotime(issued),
            "expires_at": expires_at or isotime(issued + timedelta(seconds=self.token_ttl)),
            "audit_ids": [secrets.token_urlsafe(16)[:22]] + (audit_chain or [])[:1],
        }
        self.prune_tokens()
        self.store["tokens"][token_id] = record
        self.store.touch()
        return token_id

    def prune_tokens(self) -> None:
        stamp = isotime(now())
        tokens = self.store["tokens"]
        for tid in [t for t, r in tokens.items() if r["expires_at"] <= stamp]:
            del tokens[tid]

    def record(self, token: str) -> dict | None:
        rec = self.store["tokens"].get(token)
        if rec is None or rec["expires_at"] <= isotime(now()):
            return None
        user = self.store["users"].get(rec["user_id"])
        if user is None or not user["enabled"]:
            return None
        return rec

    def validate(self, token: str) -> Context | None:
        rec = self.record(token)
        if rec is None:
            return None
        user = self.store["users"][rec["user_id"]]
        project = self.store["projects"].get(rec["project_id"]) if rec["project_id"] else None
        roles = self.effective_roles(user["id"], project["id"]) if project else []
        if project is not None and not roles:
            return None  # role removed since the token was issued: Keystone revokes it
        return Context(token=token, user_id=user["id"], user_name=user["name"],
                       domain_id=user["domain_id"], project_id=project and project["id"],
                       project_name=project and project["name"], roles=roles)

    def revoke(self, token: str) -> bool:
        existed = self.store["tokens"].pop(token, None) is not None
        self.store.touch()
        return existed

    def token_body(self, token: str, with_catalog: bool = True) -> dict:
        rec = self.store["tokens"][token]
        user = self.store["users"][rec["user_id"]]
        domain = self.store["domains"][user["domain_id"]]
        body = {
            "methods": rec["methods"],
            "user": {"domain": {"id": domain["id"], "name": domain["name"]},
                     "id": user["id"], "name": user["name"], "password_expires_at": None},
            "audit_ids": rec["audit_ids"],
            "expires_at": rec["expires_at"],
            "issued_at": rec["issued_at"],
        }
        if rec["project_id"]:
            project = self.store["projects"][rec["project_id"]]
            pdomain = self.store["domains"][project["domain_id"]]
            body["project"] = {"domain": {"id": pdomain["id"], "name": pdomain["name"]},
                               "id": project["id"], "name": project["name"]}
            body["is_domain"] = False
            body["roles"] = [{"id": self.role_by_name(n)["id"], "name": n}
                             for n in self.effective_roles(user["id"], project["id"])]
            if with_catalog:
                body["catalog"] = self.catalog()
        return {"token": body}

    def catalog(self) -> list[dict]:
        entries = []
        for name, _prefix, stype, sname in SERVICES:
            url = self.cloud.endpoint(name)
            sid = uuid.uuid5(uuid.NAMESPACE_URL, stype).hex
            entries.append({
                "endpoints": [
                    {"id": uuid.uuid5(uuid.NAMESPACE_URL, f"{stype}/{iface}").hex,
                     "interface": iface, "region_id": "RegionOne", "url": url,
                     "region": "RegionOne"}
                    for iface in ("public", "internal", "admin")
                ],
                "id": sid, "type": stype, "name": sname,
            })
        return entries

    # --- authentication -----------------------------------------------------
    def authenticate(self, auth: dict) -> tuple[dict, list[str], list[str], str | None]:
        """Return (user, methods, audit chain, expires_at) or raise 401."""
        identity = auth.get("identity") or {}
        methods = identity.get("methods") or []
        if "password" in methods:
            pw_user = (identity.get("password") or {}).get("user") or {}
            user = self._find_password_user(pw_user)
            if user is None or pw_user.get("password") != user["password"]:
                raise CloudError(401, UNAUTHORIZED)
            return user, ["password"], [], None
        if "token" in methods:
            old = (identity.get("token") or {}).get("id", "")
            rec = self.record(old)
            if rec is None:
                raise CloudError(404, f"Could not find token: {old}")
            # A rescoped token keeps the original's expiry and audit chain, as Keystone does.
            return (self.store["users"][rec["user_id"]], ["token"],
                    rec["audit_ids"], rec["expires_at"])
        raise CloudError(400, "Expecting to find identity in auth - the server could not "
                              "comply with the request since it is either malformed or "
                              "otherwise incorrect. The client is assumed to be in error.")

    def _find_password_user(self, pw_user: dict) -> dict | None:
        users = self.store["users"].values()
        if "id" in pw_user:
            return next((u for u in users if u["id"] == pw_user["id"] and u["enabled"]), None)
        domain = self.domain(pw_user.get("domain") or {})
        if domain is None:
            return None  # Keystone answers an unknown domain with a plain 401
        return next((u for u in users if u["name"] == pw_user.get("name")
                     and u["domain_id"] == domain["id"] and u["enabled"]), None)

    def resolve_scope(self, user: dict, scope) -> dict | None:
        if not scope:
            return None
        if scope == "unscoped":
            return None
        want = scope.get("project")
        if not want:
            raise CloudError(400, "Scoping to a domain or system is not supported by devcloud.")
        if "id" in want:
            project = self.store["projects"].get(want["id"])
        else:
            domain = self.domain(want.get("domain") or {})
            project = domain and self.project_by_name(want.get("name"), domain["id"])
        if project is None:
            raise CloudError(401, UNAUTHORIZED)
        if not self.effective_roles(user["id"], project["id"]):
            raise CloudError(401, UNAUTHORIZED)
        return project


# --- HTTP handlers -------------------------------------------------------------

def _id(request):
    return request.app["identity"]


def _link(request, path):
    return f"{request.app['identity'].cloud.base_url}{path}"


def _version_doc(base: str) -> dict:
    return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{base}/v3/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}]}


@public
async def versions(request):
    base = _id(request).cloud.base_url
    return web.json_response({"versions": {"values": [_version_doc(base)]}}, status=300)


@public
async def v3_root(request):
    return web.json_response({"version": _version_doc(_id(request).cloud.base_url)})


@public
async def create_token(request):
    idn = _id(request)
    try:
        auth = (await request.json())["auth"]
    except Exception as exc:
        raise CloudError(400, "Expecting to find auth in request body. The server could not "
                              "comply with the request since it is either malformed or "
                              "otherwise incorrect. The client is assumed to be in error.") from exc
    user, methods, chain, expires = idn.authenticate(auth)
    scope = auth.get("scope")
    if scope is None and "password" in methods and user.get("default_project_id"):
        # Keystone scopes to the default project when no scope is given.
        project = idn.store["projects"].get(user["default_project_id"])
        if project and not idn.effective_roles(user["id"], project["id"]):
            project = None
    else:
        project = idn.resolve_scope(user, scope)
    token = idn.issue(user, project, methods, chain, expires)
    nocatalog = "nocatalog" in request.query
    return web.json_response(idn.token_body(token, with_catalog=not nocatalog), status=201,
                             headers={"X-Subject-Token": token})


def _subject(request) -> str:
    idn = _id(request)
    subject = request.headers.get("X-Subject-Token", "")
    if idn.record(subject) is None:
        raise CloudError(404, f"Could not find token: {subject}")
    ctx = request["ctx"]
    caller = idn.record(ctx.token)
    if not ctx.is_admin and "service" not in ctx.roles and caller["user_id"] != \
            idn.record(subject)["user_id"]:
        raise CloudError(403, "You are not authorized to perform the requested action: "
                              "identity:validate_token.")
    return subject


async def validate_token(request):
    subject = _subject(request)
    body = _id(request).token_body(subject, with_catalog="nocatalog" not in request.query)
    return web.json_response(body, headers={"X-Subject-Token": subject})


async def check_token(request):
    subject = _subject(request)
    return web.Response(status=200, headers={"X-Subject-Token": subject})


async def revoke_token(request):
    subject = _subject(request)
    _id(request).revoke(subject)
    return web.Response(status=204)


async def auth_projects(request):
    idn = _id(request)
    rec = idn.record(request["ctx"].token)
    projects = [_project_view(request, p) for p in idn.user_projects(rec["user_id"])]
    return web.json_response({"projects": projects, "links": {
        "self": _link(request, "/v3/auth/projects"), "previous": None, "next": None}})


async def auth_catalog(request):
    idn = _id(request)
    if not request["ctx"].scoped:
        raise CloudError(403, "The authenticated user should be scoped to a project.")
    return web.json_response({"catalog": idn.catalog(), "links": {
        "self": _link(request, "/v3/auth/catalog"), "previous": None, "next": None}})


def _project_view(request, p: dict) -> dict:
    return {**p, "links": {"self": _link(request, f"/v3/projects/{p['id']}")}}


def _user_view(request, u: dict) -> dict:
    view = {k: v for k, v in u.items() if k != "password"}
    return {**view, "links": {"self": _link(request, f"/v3/users/{u['id']}")}}


def _require_admin(request, action: str):
    if not request["ctx"].is_admin:
        raise CloudError(403, "You are not authorized to perform the requested action: "
                              f"{action}.")


async def list_projects(request):
    _require_admin(request, "identity:list_projects")
    projects = _id(request).store["projects"].values()
    if "name" in request.query:
        projects = [p for p in projects if p["name"] == request.query["name"]]
    return web.json_response({"projects": [_project_view(request, p) for p in projects],
                              "links": {"self": _link(request, "/v3/projects"),
                                        "previous": None, "next": None}})


async def get_project(request):
    idn = _id(request)
    ctx = request["ctx"]
    project = idn.store["projects"].get(request.match_info["project_id"])
    if project is None or (not ctx.is_admin and project["id"] != ctx.project_id):
        if not ctx.is_admin and project is not None:
            raise CloudError(403, "You are not authorized to perform the requested action: "
                                  "identity:get_project.")
        raise CloudError(404, f"Could not find project: {request.match_info['project_id']}.")
    return web.json_response({"project": _project_view(request, project)})


async def create_project(request):
    _require_admin(request, "identity:create_project")
    idn = _id(request)
    body = (await request.json()).get("project") or {}
    domain_id = body.get("domain_id", "default")
    if not body.get("name"):
        raise CloudError(400, "Invalid input for field 'name': None is not of type 'string'")
    if idn.project_by_name(body["name"], domain_id):
        raise CloudError(409, f"Conflict occurred attempting to store project - it is not "
                              f"permitted to have two projects with the same name in the same "
                              f"domain : {body['name']}.")
    project = idn.create_project(body["name"], domain_id, body.get("description", ""))
    return web.json_response({"project": _project_view(request, project)}, status=201)


async def delete_project(request):
    _require_admin(request, "identity:delete_project")
    idn = _id(request)
    pid = request.match_info["project_id"]
    if idn.store["projects"].pop(pid, None) is None:
        raise CloudError(404, f"Could not find project: {pid}.")
    for key in [k for k, a in idn.store["assignments"].items() if a["project_id"] == pid]:
        del idn.store["assignments"][key]
    idn.store.touch()
    return web.Response(status=204)


async def list_users(request):
    _require_admin(request, "identity:list_users")
    users = _id(request).store["users"].values()
    if "name" in request.query:
        users = [u for u in users if u["name"] == request.query["name"]]
    return web.json_response({"users": [_user_view(request, u) for u in users],
                              "links": {"self": _link(request, "/v3/users"),
                                        "previous": None, "next": None}})


async def get_user(request):
    idn = _id(request)
    ctx = request["ctx"]
    user = idn.store["users"].get(request.match_info["user_id"])
    if user is None or (not ctx.is_admin and user["id"] != ctx.user_id):
        raise CloudError(404, f"Could not find user: {request.match_info['user_id']}.")
    return web.json_response({"user": _user_view(request, user)})


async def create_user(request):
    _require_admin(request, "identity:create_user")
    idn = _id(request)
    body = (await request.json()).get("user") or {}
    domain_id = body.get("domain_id", "default")
    if any(u["name"] == body.get("name") and u["domain_id"] == domain_id
           for u in idn.store["users"].values()):
        raise CloudError(409, f"Conflict occurred attempting to store user - Duplicate entry "
                              f"found with name {body.get('name')} at domain ID {domain_id}.")
    user = idn.create_user(body["name"], body.get("password", ""), domain_id)
    if body.get("default_project_id"):
        user["default_project_id"] = body["default_project_id"]
    return web.json_response({"user": _user_view(request, user)}, status=201)


async def delete_user(request):
    _require_admin(request, "identity:delete_user")
    idn = _id(request)
    uid = request.match_info["user_id"]
    if idn.store["users"].pop(uid, None) is None:
        raise CloudError(404, f"Could not find user: {uid}.")
    for key in [k for k, a in idn.store["assignments"].items() if a["user_id"] == uid]:
        del idn.store["assignments"][key]
    idn.store.touch()
    return web.Response(status=204)


async def user_projects(request):
    idn = _id(request)
    ctx = request["ctx"]
    uid = request.match_info["user_id"]
    if not ctx.is_admin and uid != ctx.user_id:
        raise CloudError(403, "You are not authorized to perform the requested action: "
                              "identity:list_user_projects.")
    projects = [_project_view(request, p) for p in idn.user_projects(uid)]
    return web.json_response({"projects": projects, "links": {
        "self": _link(request, f"/v3/users/{uid}/projects"), "previous": None, "next": None}})


async def list_roles(request):
    roles = [{**r, "links": {"self": _link(request, f"/v3/roles/{r['id']}")}}
             for r in _id(request).store["roles"].values()
             if "name" not in request.query or r["name"] == request.query["name"]]
    return web.json_response({"roles": roles, "links": {
        "self": _link(request, "/v3/roles"), "previous": None, "next": None}})


async def grant_role(request):
    _require_admin(request, "identity:create_grant")
    idn = _id(request)
    m = request.match_info
    role = idn.store["roles"].get(m["role_id"])
    if m["project_id"] not in idn.store["projects"]:
        raise CloudError(404, f"Could not find project: {m['project_id']}.")
    if m["user_id"] not in idn.store["users"]:
        raise CloudError(404, f"Could not find user: {m['user_id']}.")
    if role is None:
        raise CloudError(404, f"Could not find role: {m['role_id']}.")
    idn.assign(m["user_id"], m["project_id"], role["name"])
    return web.Response(status=204)


async def revoke_role(request):
    _require_admin(request, "identity:revoke_grant")
    idn = _id(request)
    m = request.match_info
    key = f"{m['user_id']}:{m['project_id']}:{m['role_id']}"
    if idn.store["assignments"].pop(key, None) is None:
        raise CloudError(404, f"Could not find role assignment with role: {m['role_id']}, "
                              f"user or group: {m['user_id']}, project, domain, or system: "
                              f"{m['project_id']}.")
    idn.store.touch()
    return web.Response(status=204)


async def role_assignments(request):
    idn = _id(request)
    ctx = request["ctx"]
    q = request.query
    out = []
    for a in idn.store["assignments"].values():
        if "user.id" in q and a["user_id"] != q["user.id"]:
            continue
        if "scope.project.id" in q and a["project_id"] != q["scope.project.id"]:
            continue
        if not ctx.is_admin and a["user_id"] != ctx.user_id:
            continue
        out.append({"role": {"id": a["role_id"]}, "user": {"id": a["user_id"]},
                    "scope": {"project": {"id": a["project_id"]}},
                    "links": {"assignment": _link(
                        request, f"/v3/projects/{a['project_id']}/users/{a['user_id']}"
                                 f"/roles/{a['role_id']}")}})
    return web.json_response({"role_assignments": out, "links": {
        "self": _link(request, "/v3/role_assignments"), "previous": None, "next": None}})


async def list_domains(request):
    domains = [{**d, "links": {"self": _link(request, f"/v3/domains/{d['id']}")}}
               for d in _id(request).store["domains"].values()
               if "name" not in request.query or d["name"] == request.query["name"]]
    return web.json_response({"domains": domains, "links": {
        "self": _link(request, "/v3/domains"), "previous": None, "next": None}})


async def get_domain(request):
    d = _id(request).store["domains"].get(request.match_info["domain_id"])
    if d is None:
        raise CloudError(404, f"Could not find domain: {request.match_info['domain_id']}.")
    return web.json_response({"domain": {**d, "links": {
        "self": _link(request, f"/v3/domains/{d['id']}")}}})


def setup(app: web.Application, cloud: Cloud) -> None:
    identity = Identity(cloud)
    cloud.services["identity"] = identity
    app["identity"] = identity
    r = app.router
    r.add_get("/", versions)
    r.add_get("/v3", v3_root)
    r.add_get("/v3/", v3_root)
    r.add_post("/v3/auth/tokens", create_token)
    r.add_get("/v3/auth/tokens", validate_token, allow_head=False)
    r.add_route("HEAD", "/v3/auth/tokens", check_token)
    r.add_delete("/v3/auth/tokens", revoke_token)
    r.add_get("/v3/auth/projects", auth_projects)
    r.add_get("/v3/auth/catalog", auth_catalog)
    r.add_get("/v3/projects", list_projects)
    r.add_post("/v3/projects", create_project)
    r.add_get("/v3/projects/{project_id}", get_project)
    r.add_delete("/v3/projects/{project_id}", delete_project)
    r.add_get("/v3/users", list_users)
    r.add_post("/v3/users", create_user)
    r.add_get("/v3/users/{user_id}", get_user)
    r.add_delete("/v3/users/{user_id}", delete_user)
    r.add_get("/v3/users/{user_id}/projects", user_projects)
    r.add_get("/v3/roles", list_roles)
    r.add_put("/v3/projects/{project_id}/users/{user_id}/roles/{role_id}", grant_role)
    r.add_delete("/v3/projects/{project_id}/users/{user_id}/roles/{role_id}", revoke_role)
    r.add_get("/v3/role_assignments", role_assignments)
    r.add_get("/v3/domains", list_domains)
    r.add_get("/v3/domains/{domain_id}", get_domain)
