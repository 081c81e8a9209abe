"""Glance's refusals in words a tenant can act on.

Glance answers with webob's HTML pages; openstacksdk keeps their text lines as the
exception's details ("403 Forbidden: You are not authorized to complete publicize_image
action."). `glance_said` is the explanation alone; `refusals(...)` turns an HTTP refusal
around a service's Glance call into a CloudRefused, in the operation's words where we
know what the refusal means, else in Glance's own.
"""

import html
import re
from contextlib import contextmanager

from openstack import exceptions as os_exc

from portal.errors import CloudRefused


def glance_said(exc: os_exc.HttpException) -> str:
    """Glance's explanation, without the status line webob puts before it."""
    details = str(getattr(exc, "details", "") or "")
    said = re.sub(r"^\d{3} [A-Za-z ]+: ", "", details).strip()
    # a 415's page puts webob's generic sentence first: the detail after it is the news
    said = said.rpartition("is not supported by this server.: ")[2] or said
    return html.unescape(said) or str(exc)


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


@contextmanager
def refusals(messages: dict, **context):
    try:
        yield
    except os_exc.HttpException as exc:
        raise explain(exc, messages, **context) from exc


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
