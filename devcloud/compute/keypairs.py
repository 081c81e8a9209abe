"""Nova key pairs (per user): generate (below 2.92), import, list, show, delete.

Generated keys are RSA 2048, private key in the traditional PEM form Nova returns, public
key tagged "Generated-by-Nova"; fingerprints are MD5 over the key blob, as Nova's.
"""

import base64
import binascii
import hashlib
import re

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..errors import CloudError
from ..request_ids import request_id
from ..routes import add_resource
from . import notify, quotas
from .api import body_of, compute_of, invalid_input, iso_micro, json_response, mv, nova, now


def generate() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, f"{public} Generated-by-Nova"


def fingerprint(public_key: str) -> str:
    parts = public_key.strip().split()
    try:
        if len(parts) < 2:
            raise ValueError
        blob = base64.b64decode(parts[1], validate=True)
        serialization.load_ssh_public_key(f"{parts[0]} {parts[1]}".encode())
    except (ValueError, binascii.Error, TypeError):
        raise CloudError(400, "Keypair data is invalid: failed to generate fingerprint") \
            from None
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def _user(request) -> str:
    ctx = request["ctx"]
    wanted = request.query.get("user_id") if mv(request, "2.10") else None
    if wanted and wanted != ctx.user_id and not ctx.is_admin:
        raise CloudError(403, "Policy doesn't allow os_compute_api:os-keypairs:index to be "
                              "performed.")
    return wanted or ctx.user_id


def _get(request, user_id: str) -> dict:
    name = request.match_info["name"]
    keypair = compute_of(request).store["keypairs"].get(f"{user_id}/{name}")
    if keypair is None:
        raise CloudError(404, f"Keypair {name} not found for user {user_id}")
    return keypair


def _list_view(request, k: dict) -> dict:
    view = {"name": k["name"], "public_key": k["public_key"], "fingerprint": k["fingerprint"]}
    if mv(request, "2.2"):
        view["type"] = k["type"]
    return {"keypair": view}


@nova
async def list_keypairs(request):
    user_id = _user(request)
    pairs = sorted((k for k in compute_of(request).store["keypairs"].values()
                    if k["user_id"] == user_id), key=lambda k: k["name"])
    body = {}
    if mv(request, "2.35") and "marker" in request.query:
        names = [k["name"] for k in pairs]
        if request.query["marker"] not in names:
            raise CloudError(400, f"marker [{request.query['marker']}] not found")
        pairs = pairs[names.index(request.query["marker"]) + 1:]
    if mv(request, "2.35") and "limit" in request.query:
        limit = int(request.query["limit"])
        if len(pairs) > limit:
            pairs = pairs[:limit]
            body["keypairs_links"] = [{"rel": "next", "href": (
                f"{request.scheme}://{request.host}/compute/v2.1/os-keypairs?limit={limit}"
                f"&marker={pairs[-1]['name']}")}]
    body = {"keypairs": [_list_view(request, k) for k in pairs], **body}
    return json_response(body)


@nova
async def show_keypair(request):
    k = _get(request, _user(request))
    view = {"name": k["name"], "public_key": k["public_key"], "fingerprint": k["fingerprint"],
            "user_id": k["user_id"], "created_at": k["created_at"], "deleted": False,
            "deleted_at": None, "id": k["id"], "updated_at": None}
    if mv(request, "2.2"):
        view["type"] = k["type"]
    return json_response({"keypair": view})


# Nova's key pair name schema (nova/api/validation/parameter_types.py): a string of
# 1-255 printable characters, no whitespace at either end, and only these characters;
# 2.92 added "@" and ".". The reasons are jsonschema's, as Nova's 400 carries them.
NAME_PATTERN = r"^[_\- a-zA-Z0-9]+$"
NAME_PATTERN_292 = r"^[_\-\@\. a-zA-Z0-9]+$"
PRINTABLE = ("An invalid 'name' value was provided. The name must be: printable "
             "characters. Can not start or end with whitespace.")


def check_name(request, name) -> None:
    """Refuse a key pair name exactly as Nova does (status 400, the same message)."""
    if not isinstance(name, str):
        raise invalid_input("name", name, f"{name!r} is not of type 'string'")
    if not name:
        raise invalid_input("name", name, f"{name!r} should be non-empty")
    if len(name) > 255:
        raise invalid_input("name", name, f"{name!r} is too long")
    if not name.isprintable() or name != name.strip():
        raise CloudError(400, PRINTABLE)
    pattern = NAME_PATTERN_292 if mv(request, "2.92") else NAME_PATTERN
    if not re.match(pattern, name):
        raise invalid_input("name", name, f"{name!r} does not match {pattern!r}")


@nova
async def create_keypair(request):
    ctx = request["ctx"]
    body = (await body_of(request, "keypair"))["keypair"]
    if "name" not in body:
        raise invalid_input("keypair", body, "'name' is a required property")
    name = body["name"]
    check_name(request, name)
    if mv(request, "2.92") and "public_key" not in body:
        raise invalid_input("keypair", body, "'public_key' is a required property")
    user_id = body.get("user_id") if mv(request, "2.10") and ctx.is_admin else None
    user_id = user_id or ctx.user_id
    store = compute_of(request).store
    owned = sum(1 for k in store["keypairs"].values() if k["user_id"] == user_id)
    limit = quotas.limits(store, ctx.project_id)["key_pairs"]
    if 0 <= limit <= owned:
        raise CloudError(403, "Quota exceeded, too many key pairs.")
    if f"{user_id}/{name}" in store["keypairs"]:
        raise CloudError(409, f"Key pair '{name}' already exists.")
    private = None
    public = body.get("public_key")
    if public is None:
        private, public = generate()
    seq = store.meta.get("compute_keypair_seq", 0) + 1
    store.meta["compute_keypair_seq"] = seq
    keypair = {"id": seq, "name": name, "user_id": user_id, "project_id": ctx.project_id,
               "public_key": public, "fingerprint": fingerprint(public),
               "type": body.get("type", "ssh"), "created_at": iso_micro(now())}
    action = "create" if private is not None else "import"
    compute = compute_of(request)
    notify.send_keypair(compute, ctx, request_id(request), f"{action}.start", keypair)
    store["keypairs"][f"{user_id}/{name}"] = keypair
    store.touch()
    notify.send_keypair(compute, ctx, request_id(request), f"{action}.end", keypair)
    view = {}
    if mv(request, "2.2"):
        view["type"] = keypair["type"]
    if private is not None:
        view["private_key"] = private
    view.update(name=name, public_key=public, fingerprint=keypair["fingerprint"],
                user_id=user_id)
    status = 201 if mv(request, "2.2") else 200
    return json_response({"keypair": view}, status=status)


@nova
async def delete_keypair(request):
    k = _get(request, _user(request))
    compute = compute_of(request)
    notify.send_keypair(compute, request["ctx"], request_id(request), "delete.start", k)
    del compute.store["keypairs"][f"{k['user_id']}/{k['name']}"]
    compute.store.touch()
    notify.send_keypair(compute, request["ctx"], request_id(request), "delete.end", k)
    return web.Response(status=202 if not mv(request, "2.2") else 204)


def routes(r, prefix: str) -> None:
    add_resource(r, f"{prefix}/os-keypairs", list_=list_keypairs, create=create_keypair,
                 show=show_keypair, delete=delete_keypair, key="name")
