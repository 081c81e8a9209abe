"""One server as a list row: built from Nova's server (a view's or the poller's), kept in
ServerState.row, rendered to the same <tr id="server-…"> by the page and by the poller."""

from functools import lru_cache

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import live, offered, rowhtml
from .names import UNKNOWN

TRANSITIONAL = {"BUILD", "REBOOT", "HARD_REBOOT", "REBUILD", "RESIZE", "MIGRATING",
                "VERIFY_RESIZE", "REVERT_RESIZE", "PASSWORD"}


def is_transitional(status: str, task_state: str | None) -> bool:
    return status in TRANSITIONAL or bool(task_state)


def addresses(server) -> tuple[list[str], list[str]]:
    """(fixed, floating) addresses from Nova's `addresses`."""
    fixed, floating = [], []
    for entries in (server.addresses or {}).values():
        for a in entries:
            (floating if a.get("OS-EXT-IPS:type") == "floating" else fixed).append(a["addr"])
    return fixed, floating


def flavor_of(server) -> dict:
    f = server.flavor
    if f is None:
        return {"name": "", "vcpus": None, "ram": None, "disk": None}
    return {"name": f.original_name or f.name or f.id or "", "vcpus": f.vcpus, "ram": f.ram,
            "disk": f.disk}


def image_id_of(server) -> str:
    image = server.image
    if not image:  # a volume-backed server's image is "" (the SDK may give {} for it)
        return ""
    return (image.get("id") if isinstance(image, dict) else image.id) or ""


def row(server, image_names: dict) -> dict:
    fixed, floating = addresses(server)
    image_id = image_id_of(server)
    return {
        "id": server.id, "name": server.name, "status": server.status,
        "task_state": server.task_state or "",
        # what vms.offered's rules read (the row menu is rendered from this row)
        "vm_state": getattr(server, "vm_state", None) or "",
        "locked": bool(getattr(server, "is_locked", False)),
        "locked_reason": getattr(server, "locked_reason", None) or "",
        "launched": bool(server.launched_at), "fixed": fixed, "floating": floating,
        "flavor": flavor_of(server), "image_id": image_id,
        "image": image_names.get(image_id, UNKNOWN) if image_id else "(volume)",
        "created": server.created_at, "project_id": server.project_id,
        "fault": (server.fault or {}).get("message", "") if server.fault else "",
    }


def badge(status: str) -> str:
    if status == "ACTIVE":
        return "ok"
    if status in ("ERROR", "DELETED"):
        return "bad"
    return "warn"


def for_template(r: dict) -> dict:
    """Values a template needs that JSON cannot keep (dates)."""
    created = r.get("created")
    return {**r, "badge": badge(r["status"]), "live": live.row_attrs(r),
            "created_dt": parse_datetime(created) if isinstance(created, str) else created}


@lru_cache(maxsize=256)
def _menu_pattern(names: tuple[str, ...]) -> str:
    """The row menu offering `names`, with placeholders for the server's id and name:
    a list page has a handful of distinct menus (running, stopped, locked, ...) over
    its 50 rows, so each is rendered once per process."""
    buttons = [{"name": a.name, "label": a.label, "kind": a.kind,
                "url": a.url(offered.SERVER_ID), "what": a.says(offered.SERVER_NAME),
                "danger": a.danger} for a in (offered.ACTIONS[n] for n in names)]
    return render_to_string("vms/_row_menu.html", {"s": {
        "id": offered.SERVER_ID, "name": offered.SERVER_NAME, "actions": buttons}})


def menu(r: dict, perms) -> str:
    """The row's action menu: what vms.offered offers `perms` for this server."""
    names = tuple(a.name for a in offered.offered(r, perms))
    if not names:
        return ""
    return mark_safe(_menu_pattern(names).replace(offered.SERVER_ID, r["id"])
                     .replace(offered.SERVER_NAME, escape(r.get("name") or "")))


def render_row(r: dict, oob: bool = False, perms=None) -> str:
    """The row as `perms` sees it (a pushed row: vms.fragments, per audience)."""
    return rowhtml.render({**for_template(r), "menu": menu(r, perms) if perms else ""},
                          perms, oob)
