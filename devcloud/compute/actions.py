"""POST /servers/{id}/action (start, stop, reboot, console output, legacy console URLs; the
day-2 actions of day2.py, resize.py, snapshot.py, security.py), remote-consoles and the
admin os-console-auth-tokens, delegated to the consoles service."""

import inspect

from aiohttp import web

from ..errors import CloudError
from . import day2, resize, security, snapshot
from .api import body_of, compute_of, fmt, invalid_input, json_response, mv, nova, policy_error
from .states import check_host, check_lock, check_state

REBOOT_TYPES = ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]
PROTOCOL_TYPES = {"vnc": ["novnc", "xvpvnc"], "spice": ["spice-html5", "spice-direct"],
                  "serial": ["serial"], "rdp": ["rdp-html5"], "mks": ["webmks"]}


def _member(request, server: dict, rule: str) -> None:
    if not request["ctx"].can_write:
        raise policy_error(rule)


def _start(request, compute, server, _):
    _member(request, server, "os_compute_api:servers:start")
    check_lock(server, request["ctx"])
    check_host(server)
    check_state(server, "start", {"stopped"})
    compute.record_action(server, "start", request["ctx"], request["request_id"])
    compute.begin_action(server, "powering-on")


def _stop(request, compute, server, _):
    _member(request, server, "os_compute_api:servers:stop")
    check_lock(server, request["ctx"])
    check_host(server)
    check_state(server, "stop", {"active", "error"})
    compute.record_action(server, "stop", request["ctx"], request["request_id"])
    compute.begin_action(server, "powering-off")


def _reboot(request, compute, server, args):
    _member(request, server, "os_compute_api:servers:reboot")
    kind = (args or {}).get("type")
    if kind is None:
        raise invalid_input("reboot", args, "'type' is a required property")
    if kind not in REBOOT_TYPES:
        raise invalid_input("type", kind, f"'{kind}' is not one of {REBOOT_TYPES}")
    check_lock(server, request["ctx"])
    if kind.upper() == "SOFT":
        check_state(server, "reboot", {"active"})
        task = "rebooting"
    else:
        check_state(server, "reboot", {"active", "stopped", "error", "paused", "suspended"},
                     (None, "rebooting", "reboot_pending", "reboot_started"))
        task = "rebooting_hard"
    compute.record_action(server, "reboot", request["ctx"], request["request_id"])
    compute.begin_action(server, task)


def _console_output(request, compute, server, args):
    _member(request, server, "os_compute_api:os-console-output")
    length = (args or {}).get("length")
    if length is not None:
        try:
            length = int(length)
        except (TypeError, ValueError):
            raise invalid_input("length", length, "is not a valid integer") from None
        if length < -1:
            raise invalid_input("length", length, f"{length} is less than the minimum of -1")
    if not server.get("host"):
        raise CloudError(409, f"Instance {server['id']} is not ready")
    text = compute.console_text(server)
    if length is not None and length >= 0:
        lines = text.splitlines()
        text = "\n".join(lines[-length:]) if length else ""
    return json_response({"output": text})


def _legacy_console(protocol: str):
    def handler(request, compute, server, args):
        kind = (args or {}).get("type")
        console = _create_console(request, compute, server, protocol, kind)
        return json_response({"console": {"type": console["type"], "url": console["url"]}})
    return handler


ACTIONS = {"os-start": _start, "os-stop": _stop, "reboot": _reboot,
           "os-getConsoleOutput": _console_output,
           "os-getVNCConsole": _legacy_console("vnc"),
           "os-getSPICEConsole": _legacy_console("spice"),
           **day2.ACTIONS, **resize.ACTIONS, **security.ACTIONS,
           "createImage": snapshot.create_image}


@nova
async def server_action(request):
    compute = compute_of(request)
    server = compute.get(request.match_info["server_id"], request["ctx"])
    body = await body_of(request)
    for name, handler in ACTIONS.items():
        if name in body:
            response = handler(request, compute, server, body[name])
            return response if response is not None else web.Response(status=202)
    raise CloudError(400, "There is no such action: " + ", ".join(body) if body
                     else "Malformed request body")


def _create_console(request, compute, server, protocol, kind) -> dict:
    """The consoles service validates protocol/type as Nova does and mints the token;
    without it, every type is unavailable (Nova with consoles disabled)."""
    _member(request, server, "os_compute_api:os-remote-consoles")
    consoles = compute.consoles
    if server["vm_state"] == "building" or not server.get("host"):
        if consoles is None or kind in PROTOCOL_TYPES.get(protocol, []):
            raise CloudError(409, f"Instance {server['id']} is not ready")
    if consoles is None or not hasattr(consoles, "create_console"):
        if kind not in PROTOCOL_TYPES.get(protocol, []):
            raise CloudError(400, f"Invalid console type {kind}")
        raise CloudError(400, f"Unavailable console type {kind}.")
    if "microversion" in inspect.signature(consoles.create_console).parameters:
        return consoles.create_console(server, protocol, kind, microversion=fmt(request["mv"]))
    return consoles.create_console(server, protocol, kind)


@nova
async def remote_console(request):
    if not mv(request, "2.6"):
        raise CloudError(404, "The resource could not be found.")
    compute = compute_of(request)
    server = compute.get(request.match_info["server_id"], request["ctx"])
    body = (await body_of(request, "remote_console"))["remote_console"]
    for field in ("protocol", "type"):
        if field not in body:
            raise invalid_input("remote_console", body, f"'{field}' is a required property")
    console = _create_console(request, compute, server, body["protocol"], body["type"])
    return json_response({"remote_console": {"protocol": console["protocol"],
                                             "type": console["type"], "url": console["url"]}})


@nova
async def console_auth_token(request):
    if not request["ctx"].is_admin:
        raise policy_error("os_compute_api:os-console-auth-tokens")
    if not mv(request, "2.31"):
        # below 2.31 the API served rdp-html5 only, which Nova no longer has: a bare 400
        raise CloudError(400, "The server could not comply with the request since it is "
                              "either malformed or otherwise incorrect.")
    consoles = compute_of(request).consoles
    info = None
    if consoles is not None and hasattr(consoles, "auth_token"):
        info = consoles.auth_token(request.match_info["token"])
    if not info:
        raise CloudError(404, "Token not found")
    keys = ("instance_uuid", "host", "port", "internal_access_path")
    console = {k: info.get(k) for k in keys}
    if mv(request, "2.99") and "tls_port" in info:
        console["tls_port"] = info["tls_port"]
    return json_response({"console": console})


def routes(r, prefix: str) -> None:
    r.add_post(f"{prefix}/servers/{{server_id}}/action", server_action)
    r.add_post(f"{prefix}/servers/{{server_id}}/remote-consoles", remote_console)
    r.add_get(f"{prefix}/os-console-auth-tokens/{{token}}", console_auth_token)
