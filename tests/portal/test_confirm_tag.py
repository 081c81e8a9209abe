"""{% confirm %} (portal/templatetags/confirm.py) gives what the include of
partials/confirm.html gives, row after row: each row's URL, sentence and the page's CSRF
token filled in and escaped, none of them left over from the row before."""

import pytest
from django.template import engines

INCLUDE = engines["django"].from_string(
    '{% include "partials/confirm.html" with url=url label="Release" what=what '
    'testid="release" danger=True link=True confirm_label="Release floating IP" %}')
TAG = engines["django"].from_string(
    '{% load confirm %}{% confirm url=url what=what label="Release" testid="release" '
    'danger=True link=True confirm_label="Release floating IP" %}')


@pytest.mark.parametrize("csrf", [None, "t0ken<&>"])
def test_the_tag_renders_what_the_include_did(csrf):
    for url, what in [("/network/floating-ips/a/release/", "203.0.113.5 goes back"),
                      ("/x/?a=1&b=2", 'The server "<b>web</b>" loses it & more')]:
        ctx = {"url": url, "what": what, **({"csrf_token": csrf} if csrf else {})}
        html = TAG.render(ctx)
        assert html == INCLUDE.render(ctx)
        assert "&lt;b&gt;" in html or "goes back" in html
        assert ("csrfmiddlewaretoken" in html) == bool(csrf)
        assert "0CONFIRMx" not in html
