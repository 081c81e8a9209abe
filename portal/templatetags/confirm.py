"""`{% load confirm %}` `{% confirm url=… what=… label=… testid=… link=True %}`: what
`{% include "partials/confirm.html" with … %}` renders, for a table row's actions. The
partial is rendered once per shape (its label, testid, danger, link, confirm_label, and
whether the page has a CSRF token) with placeholders for the URL, the sentence and the
token, which each row fills in, escaped as the template would: a list page of 50 floating
IPs has 100 of these, and the partial's ~25 nodes were most of the page's own time.

Only for a partial whose context is what the tag is given: the page's own variables do
not reach it (an include would let `next`, `extra`, `open`, … through)."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.escaping import esc

register = template.Library()

URL, WHAT, CSRF = "0CONFIRMxURLx0", "0CONFIRMxWHATx0", "0CONFIRMxCSRFx0"


@lru_cache(maxsize=256)
def _pattern(shape: tuple, csrf: bool) -> str:
    context = {**dict(shape), "url": URL, "what": WHAT}
    if csrf:
        context["csrf_token"] = CSRF
    return render_to_string("partials/confirm.html", context)


@register.simple_tag(takes_context=True)
def confirm(context, url, what, **shape):
    token = context.get("csrf_token")
    csrf = bool(token) and str(token) != "NOTPROVIDED"  # as {% csrf_token %} decides
    html = _pattern(tuple(sorted(shape.items())), csrf)
    html = html.replace(URL, esc(url)).replace(WHAT, esc(what))
    if csrf:
        html = html.replace(CSRF, esc(str(token)))
    return mark_safe(html)
