"""Glance's refusals in words a tenant can act on.

Glance answers with webob's error pages, in the form the request's Accept asks for: HTML
for most openstacksdk calls, plain text for the image upload (Image.upload sends an empty
Accept), JSON for `Accept: application/json`. openstacksdk keeps only the HTML's lines
(and for plain text just the reason, "Unsupported Media Type"), so `glance_said` reads the
answer itself. `refusals(...)` turns an HTTP refusal around a service's Glance call into
a CloudRefused, in the operation's words where we know what the refusal means, else in
Glance's own.
"""

import html
import re

from openstack import exceptions as os_exc

from portal.errors import CloudRefused, refusals_by

# webob's own sentence before a 415's detail: the detail is the news.
GENERIC_415 = re.compile(r"The request media type \S+ is not supported by this server\.")


def _explanation(resp) -> str:
    ctype = resp.headers.get("Content-Type", "")
    if "json" in ctype:
        try:
            return str(resp.json().get("message", ""))
        except (ValueError, AttributeError):
            return ""
    text = resp.text
    if "html" in ctype:
        return text.partition("</h1>")[2].partition("</body>")[0]
    return text.partition("\n\n")[2]         # plain: "415 Unsupported Media Type\n\n..."


def glance_said(exc: os_exc.HttpException) -> str:
    """Glance's explanation, whichever form it came in, as one line of text."""
    resp = getattr(exc, "response", None)
    said = _explanation(resp) if resp is not None and resp.content else ""
    said = html.unescape(re.sub(r"<[^>]+>", " ", said))
    said = " ".join(GENERIC_415.sub("", said).split())
    if said:
        return said
    details = str(getattr(exc, "details", "") or "")
    return re.sub(r"^\d{3} [A-Za-z ]+: ", "", details).strip() or str(exc)


def explain(exc: os_exc.HttpException, messages: dict, **context) -> CloudRefused:
    """The CloudRefused for `exc`: messages[status] (formatted with `context` and
    {glance}), else Glance's own words. A 401 is the middleware's (back to login)."""
    if exc.status_code == 401:
        raise exc
    said = glance_said(exc)
    template = messages.get(exc.status_code)
    if template:
        return CloudRefused(template.format(glance=said, **context), exc)
    return CloudRefused(f"The image service refused: {said}", exc)


# Around a service call: an HTTP refusal comes out as CloudRefused in the operation's
# words (`messages`, formatted with `context`).
refusals = refusals_by(explain)


CREATE = {
    400: "The image service did not accept these settings: {glance}",
    403: "The image service refused to create the image: {glance}",
    413: "Your project's image quota is used up: {glance}",
}

UPLOAD = {
    400: "The image service refused the data: {glance}",
    409: "The image “{name}” already has its data.",
    410: "The image “{name}” was deleted while its data was being sent.",
    413: "The file does not fit: {glance}",
    415: "The file is not what its disk format says: {glance}. Choose the disk format "
         "the file really has.",
}

VISIBILITY = {
    403: "The image service refused: {glance}",
    404: "That image no longer exists.",
}

DELETE = {
    403: "The image “{name}” cannot be deleted: {glance}",
    404: "That image no longer exists.",
    409: "The image “{name}” cannot be deleted now: {glance}",
}
