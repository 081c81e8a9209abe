"""The left navigation. Each app owns the URL names listed here; an entry whose URL is
not (yet) routed is left out, so the layout never breaks on a missing page."""

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .catalog import has_block_storage

# (section, [(label, url name, who sees it)]) — who: "all", "admin", "helpdesk", or
# "block-storage": everyone, when the catalog has Cinder (read from the token, no call)
SECTIONS = [
    ("Compute", [("Overview", "portal:home", "all"), ("Instances", "vms:list", "all"),
                 ("Images", "images:list", "all"), ("Key pairs", "vms:keypairs", "all")]),
    ("Storage", [("Volumes", "volumes:list", "block-storage")]),
    ("Network", [("Networks", "networks:list", "all"), ("Routers", "networks:routers", "all"),
                 ("Floating IPs", "networks:floatingips", "all"),
                 ("Security groups", "networks:security_groups", "all")]),
    ("Consoles", [("Helpdesk search", "consoles:helpdesk", "helpdesk"),
                  ("Console sessions", "consoles:audit", "all")]),
    ("Admin", [("Cloud", "cloud:overview", "admin"), ("Project usage", "cloud:usage", "admin"),
               ("Floating IP pools", "networks:pools", "admin"),
               ("All instances", "vms:admin_servers", "admin"),
               ("Flavors", "vms:flavors", "admin")]),
]


def _visible(who: str, perms, request=None) -> bool:
    if who == "block-storage":
        return _has_block_storage(request)
    if who == "admin":
        return perms.is_admin
    if who == "helpdesk":
        return perms.can_search_all_projects
    return True


def _has_block_storage(request) -> bool:
    actor = getattr(request, "actor", None)
    if actor is None:
        return False
    try:
        return has_block_storage(actor.conn)
    except Exception:  # noqa: BLE001 (a menu never breaks the page)
        return False


@lru_cache(maxsize=256)
def _url(name: str, urlconf, prefix: str) -> str | None:
    """The link's URL, reversed once per URLconf and script prefix (every page has the
    sidebar's ~20 links)."""
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _matches(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def sections_for(request) -> list[dict]:
    """The sections and links `request`'s person sees; one link is active: the one whose URL
    is the longest prefix of the path (/network/routers/ is Routers, not also Networks)."""
    perms = request.perms
    out = []
    for title, entries in SECTIONS:
        links = []
        for label, name, who in entries:
            if not _visible(who, perms, request):
                continue
            url = _url(name, get_urlconf(), get_script_prefix())
            if url is None:
                continue
            links.append({"label": label, "url": url, "active": False})
        if links:
            out.append({"title": title, "links": links})
    matching = [link for section in out for link in section["links"]
                if _matches(request.path, link["url"])]
    if matching:
        max(matching, key=lambda link: len(link["url"]))["active"] = True
    return out
