"""{% if request|has_block_storage %}: the pages of other apps (the server detail) show
their volume parts only when the catalog has Cinder (portal.catalog: the token's catalog,
once per token, no call)."""

from django import template

from portal.catalog import has_block_storage as _has

register = template.Library()


@register.filter
def has_block_storage(request) -> bool:
    actor = getattr(request, "actor", None)
    if actor is None or not getattr(request, "cloud_user", None):
        return False
    try:
        return _has(actor.conn)
    except Exception:  # noqa: BLE001 (a page part never breaks the page)
        return False
