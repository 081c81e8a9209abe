"""Keystone's version documents and /v3/auth: issue, validate, check and revoke tokens;
the caller's projects and catalog."""

from aiohttp import web

from ..errors import CloudError
from ..routes import public
from .api import collection, identity_of, project_view, refused


def _version_doc(base: str) -> dict:
    return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{base}/v3/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}]}


@public
async def versions(request):
    base = identity_of(request).cloud.base_url
    return web.json_response({"versions": {"values": [_version_doc(base)]}}, status=300)


@public
async def v3_root(request):
    return web.json_response({"version": _version_doc(identity_of(request).cloud.base_url)})


@public
async def create_token(request):
    idn = identity_of(request)
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
    idn = identity_of(request)
    subject = request.headers.get("X-Subject-Token", "")
    if idn.record(subject) is None:
        raise CloudError(404, f"Could not find token: {subject}")
    ctx = request["ctx"]
    caller = idn.record(ctx.token)
    if not ctx.is_admin and "service" not in ctx.roles and caller["user_id"] != \
            idn.record(subject)["user_id"]:
        raise refused("identity:validate_token")
    return subject


async def validate_token(request):
    subject = _subject(request)
    body = identity_of(request).token_body(subject,
                                           with_catalog="nocatalog" not in request.query)
    return web.json_response(body, headers={"X-Subject-Token": subject})


async def check_token(request):
    subject = _subject(request)
    return web.Response(status=200, headers={"X-Subject-Token": subject})


async def revoke_token(request):
    subject = _subject(request)
    identity_of(request).revoke(subject)
    return web.Response(status=204)


async def auth_projects(request):
    idn = identity_of(request)
    rec = idn.record(request["ctx"].token)
    projects = [project_view(request, p) for p in idn.user_projects(rec["user_id"])]
    return collection(request, "projects", projects, "/v3/auth/projects")


async def auth_catalog(request):
    if not request["ctx"].scoped:
        raise CloudError(403, "The authenticated user should be scoped to a project.")
    return collection(request, "catalog", identity_of(request).catalog(request["ctx"].project_id),
                      "/v3/auth/catalog")
