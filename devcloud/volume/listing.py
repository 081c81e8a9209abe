"""GET /volumes[/detail] and /snapshots[/detail]: Cinder's filters, sort and paging.

Newest first (created_at desc, then id) unless `sort` says otherwise; `all_tenants` counts
only for an admin (a member's is ignored, as the real cloud does); `updated_at=gt:<time>`
is what a poller uses, Cinder having no `changes-since` ("Invalid filters
changes-since are found in query options.").
"""

from datetime import UTC, datetime
from urllib.parse import urlencode

from ..errors import CloudError

MAX_LIMIT = 1000  # cinder.conf osapi_max_limit
PAGING = {"all_tenants", "limit", "marker", "sort", "sort_key", "sort_dir", "offset",
          "with_count", "project_id"}
VOLUME_FILTERS = {"name", "status", "metadata", "bootable", "migration_status",
                  "availability_zone", "group_id", "size", "created_at", "updated_at"}
SNAPSHOT_FILTERS = {"name", "status", "volume_id", "metadata", "availability_zone",
                    "created_at", "updated_at"}
TIME_OPS = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b,
            "lte": lambda a, b: a <= b, "eq": lambda a, b: a == b, "neq": lambda a, b: a != b}


def _time(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CloudError(400, f"Invalid input received: Invalid time filter {value}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _time_match(raw: str, stamp: str | None) -> bool:
    op, _, value = raw.partition(":")
    if op not in TIME_OPS or not value:
        op, value = "eq", raw
    if stamp is None:
        return False
    return TIME_OPS[op](_time(stamp), _time(value))


def _bool(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "t", "yes", "y", "on")


class Query:
    def __init__(self, request, allowed: set):
        q = request.query
        ctx = request["ctx"]
        unknown = [k for k in q if k not in PAGING and k not in allowed]
        if unknown:
            raise CloudError(400, f"Invalid filters {', '.join(unknown)} are found in query "
                                  "options.")
        everyone = ctx.is_admin and _bool(q.get("all_tenants", "0"))
        self.project = q.get("project_id") if everyone else ctx.project_id
        if everyone and "project_id" not in q:
            self.project = None
        raw = q.get("limit")
        if raw is not None and (not raw.isdigit()):
            raise CloudError(400, "limit param must be an integer")
        self.limit = min(int(raw), MAX_LIMIT) if raw is not None else MAX_LIMIT
        self.limit_given = raw is not None
        self.marker = q.get("marker")
        self.filters = {k: q[k] for k in q if k in allowed}
        sort = q.get("sort") or ""
        key, _, direction = (sort.split(",")[0]).partition(":")
        self.sort_key = key or q.get("sort_key") or "created_at"
        self.sort_desc = (direction or q.get("sort_dir") or "desc") == "desc"

    def matches(self, obj: dict) -> bool:
        if self.project is not None and obj["project_id"] != self.project:
            return False
        for key, raw in self.filters.items():
            if key in ("created_at", "updated_at"):
                if not _time_match(raw, obj.get(key)):
                    return False
            elif key == "bootable":
                if bool(obj.get("bootable")) != _bool(raw):
                    return False
            elif key == "size":
                if str(obj.get("size")) != raw:
                    return False
            elif key == "metadata":
                continue
            elif str(obj.get(key)) != raw:
                return False
        return True


def select(objs, query: Query, noun: str) -> list[dict]:
    """One page; a marker not in the list is Cinder's 404 ("Volume <id> could not be
    found.", noun "Volume" or "Snapshot")."""
    found = [o for o in objs if query.matches(o)]
    found.sort(key=lambda o: (o.get(query.sort_key) or "", o["id"]), reverse=query.sort_desc)
    if query.marker is not None:
        ids = [o["id"] for o in found]
        if query.marker not in ids:
            raise CloudError(404, f"{noun} {query.marker} could not be found.")
        found = found[ids.index(query.marker) + 1:]
    return found[:query.limit]


def next_links(request, page: list[dict], query: Query, collection: str) -> list[dict] | None:
    if not page or len(page) != query.limit:
        return None
    params = [(k, v) for k, v in request.query.items() if k != "marker"]
    params.append(("marker", page[-1]["id"]))
    base = f"{request.scheme}://{request.host}/volume/v3/{request.match_info['project_id']}"
    return [{"rel": "next", "href": f"{base}/{collection}?{urlencode(params)}"}]
