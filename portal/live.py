"""Live lists: where a row pushed over /ws/events/ goes on each open page.

The poller publishes one fragment per change to every open page of a project; it cannot
know which pages are open, nor their filter, sort or page. So the fragment says what the
row is, and each page decides (static/js/live-rows.js, an htmx extension on the events
socket, before htmx swaps anything):

    the list    <tbody {{ list_attrs }}>   data-live-list="servers" (the list's name),
                data-live-filter='[["name","search","web"], ...]' (what the page was
                filtered by, in the ops below), data-live-order="desc" (the sort key's
                direction), data-live-first / data-live-last (the page is the first /
                the last one: a row sorting before the first shown row belongs here only
                on the first page, one after the last shown row only on the last page)
    a row       <tr id="server-…" hx-swap-oob="true" {{ row_attrs }}>  data-live-row
                (the list's name), data-live-key (its sort key, compared as a string),
                data-live-v-<field> (the values the filters read; several values space
                separated)
    a removal   removed("server-…"): an hx-swap-oob="delete" of that id
    both sent   in a <template> (pushed(html)): the HTML parser keeps a <tr> only there
                once the message holds other elements, so live-rows.js swaps these
                itself; everything else in a message is htmx's own out-of-band swap

A row whose id is on the page replaces it (htmx's own out-of-band swap); when it no longer
matches the page's filter it stays, marked, until the page is loaded again (a row does not
jump away under the pointer). A row whose id is not on the page is placed, in sort order,
into every list of that name whose filter it matches and whose page its key falls in;
anything else is dropped quietly: every page of a project hears every change, and a
fragment for something a page does not show is not an error. The cost per browser is a
few DOM look-ups per message; the cloud is asked nothing.

Filter ops (each [field, op, value]; a row matches when every entry does):
    eq      the row's value equals value
    in      the row's value is one of value (a list)
    search  value as a case-insensitive regular expression found in the row's value
            (as a literal substring when it is no valid expression)
    substr  one of the row's values contains value
    has     one of the row's values equals value
"""

import json

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .escaping import esc

OPS = {"eq", "in", "search", "substr", "has"}


def list_attrs(name: str, filters: list[tuple] = (), order: str = "desc",
               first: bool = True, last: bool = True) -> SafeString:
    """The attributes of a live list's container (its <tbody>)."""
    for f in filters:
        if len(f) != 3 or f[1] not in OPS:
            raise ValueError(f"not a live filter: {f!r}")
    if order not in ("asc", "desc"):
        raise ValueError(f"order is asc or desc, not {order!r}")
    attrs = format_html('data-live-list="{}" data-live-filter="{}" data-live-order="{}"',
                        name, json.dumps([list(f) for f in filters]), order)
    flags = (" data-live-first" if first else "") + (" data-live-last" if last else "")
    return mark_safe(attrs + flags)


def _value(v) -> str:
    if isinstance(v, list | tuple | set):
        return " ".join(str(x) for x in v if x not in (None, ""))
    return "" if v is None else str(v)


def row_attrs(name: str, key: str, values: dict) -> SafeString:
    """The attributes of one row of the live list `name`: its sort key and the values
    the lists' filters read (field names: letters, digits and -)."""
    # what format_html / format_html_join made, escaped once per value (every row of a
    # list page has these)
    fields = "".join(f' data-live-v-{esc(f)}="{esc(_value(v))}"' for f, v in values.items())
    return mark_safe(f'data-live-row="{esc(name)}" data-live-key="{esc(key or "")}"{fields}')


def pushed(html: str) -> str:
    """A row's out-of-band fragment as it is sent: inside a <template>, where a <tr> next
    to other elements survives HTML parsing (bare, it would be dropped or drag the
    message's later elements into table parsing); live-rows.js swaps it."""
    return f"<template>{html}</template>"


def removed(element_id: str, tag: str = "tr") -> str:
    """The fragment that takes the element with this id off every page showing it."""
    return pushed(format_html('<{} id="{}" hx-swap-oob="delete"></{}>', mark_safe(tag),
                              element_id, mark_safe(tag)))
