"""What an OpenStack id in a URL may look like, once for every app's URLs and queries.

    <osid:server_id>     an object id: UUIDs (Nova, Neutron, Glance), Keystone's 32-hex
                         ids, Nova's flavor ids: letters, digits, `-`, `_`, `.`, at most
                         64 characters. Anything else (an 8 KB "id") is a 404 from the
                         resolver, before a view runs or the cloud is asked.
    <keypair:name>       a key pair name as the person sees it: anything but control
                         characters, at most 255 (Nova's limit), `/` included, so a key
                         pair another client named oddly still gets its delete link.
    <word:action>        a verb in a URL (a server action): lower case and `_`, at most 32.
    id_param(request, "marker")   the same rule for an id in the query string: the value,
                         None when absent, 404 when it cannot be an id.
"""

import re

from django.http import Http404
from django.urls import register_converter

ID_PATTERN = r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}"
_ID = re.compile(rf"\A{ID_PATTERN}\Z")


class OpenStackId:
    regex = ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class KeypairName:
    regex = r"[^\x00-\x1f\x7f]{1,255}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class Word:
    regex = r"[a-z][a-z_]{0,31}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def is_id(value) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


def id_param(request, name: str) -> str | None:
    value = request.GET.get(name) or None
    if value is not None and not is_id(value):
        raise Http404(f"No such {name}.")
    return value


register_converter(OpenStackId, "osid")
register_converter(KeypairName, "keypair")
register_converter(Word, "word")
