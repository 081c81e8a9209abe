"""A server's list row as HTML, written out in Python: the one place the <tr id="server-…">
is made, by the instances page for each of its rows and by the poller for a row it pushes.

Why not a template: Django's engine spent about 0.6 ms on each row (an include, ~30
variable lookups, the url tag, two filters) where this takes a few tens of µs, and a page
has up to 50 rows (1,000 for the poller's first look). What a row shows is unchanged: the
same elements, attributes, escaping and whitespace the template had.

    render(s, perms, oob=False)   s: vms.rows.for_template(row) with its "menu" (safe HTML)
"""

from datetime import datetime, timedelta
from functools import lru_cache

from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.timezone import is_aware, localtime
from django.utils.translation import get_language

from portal.escaping import esc

ID = "0SERVERxIDx0"  # what the cached detail URL has where the server's id goes


@lru_cache(maxsize=1)
def _detail_pattern() -> str:
    return reverse("vms:detail", args=[ID])


def _addresses(s: dict) -> str:
    fixed = s.get("fixed") or []
    out = "<br>".join(f"<code>{esc(ip)}</code>" for ip in fixed) or \
        '<span class="muted">—</span>'
    floating = "".join(f'<br><code>{esc(ip)}</code> <span class="badge">floating</span>'
                       for ip in s.get("floating") or [])
    return f"{out}\n    {floating}"


# Under four weeks, what timesince says depends on the whole minutes elapsed only (no
# months or years, whose lengths depend on the calendar).
_BY_MINUTES = timedelta(days=28)
_EPOCH = datetime(2000, 1, 1)


@lru_cache(maxsize=8192)
def _since_minutes(minutes: int, language: str | None) -> str:
    # `language` is only the cache key: timesince speaks the active language itself
    return timesince(_EPOCH - timedelta(minutes=minutes), _EPOCH)


def _since(created) -> str:
    """|timesince, once per distinct age and language (a page's rows mostly share a few):
    Django's takes ~11 µs a row in translations and calendar arithmetic."""
    elapsed = datetime.now(created.tzinfo if is_aware(created) else None) - created
    if timedelta(0) <= elapsed < _BY_MINUTES:
        return _since_minutes(int(elapsed.total_seconds() // 60), get_language())
    return timesince(created)


def _age(created) -> str:
    if not created:
        return ""
    # as the template's |date:'c' had it (ISO 8601 in the current time zone: what
    # dateformat's "c" is), without building a DateFormat per row; and |timesince
    local = localtime(created) if is_aware(created) else created
    return f'<time datetime="{esc(local.isoformat())}">{esc(_since(created))}</time>'


def render(s: dict, perms, oob: bool = False) -> str:
    change = bool(perms is not None and perms.can_change)
    sid, name = esc(s["id"]), esc(s.get("name"))
    select = (f'<td class="select"><input type="checkbox" name="server" value="{sid}" '
              f'form="bulk" aria-label="Select {name}" data-testid="select"></td>'
              if change else "")
    locked = (f' <span class="badge" title="{esc(s.get("locked_reason", ""))}" '
              f'data-testid="locked">locked</span>' if s.get("locked") else "")
    task = (f' <span class="muted">{esc(s["task_state"])}</span>'
            if s.get("task_state") else "")
    menu = f'<td class="row-actions">{esc(s.get("menu", ""))}</td>' if change else ""
    url = esc(_detail_pattern().replace(ID, s["id"]))
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<tr id="server-{sid}"{swap} '
        f'data-status="{esc(s.get("status", ""))}" {esc(s.get("live", ""))}>\n'
        f"  {select}\n"
        f'  <td><a href="{url}">{name}</a>{locked}</td>\n'
        f'  <td><span class="badge {esc(s.get("badge", ""))}" data-testid="status">'
        f'{esc(s.get("status", ""))}</span>{task}</td>\n'
        f"  <td>{_addresses(s)}</td>\n"
        f'  <td>{esc((s.get("flavor") or {}).get("name", ""))}</td>\n'
        f'  <td>{esc(s.get("image", ""))}</td>\n'
        f'  <td>{_age(s.get("created_dt"))}</td>\n'
        f"  {menu}\n"
        "</tr>\n")
