"""An upload's ticket: what the upload form validated (name, formats, visibility, sizes,
the file's size), signed, for the one request that then streams the file.

Nothing is made in Glance when the form is checked: the image record is created by the
request that brings the data, so a form checked and never followed by its file leaves
nothing behind. The ticket is bound to the person and project it was made for, and
expires.
"""

from django.core import signing

SALT = "images.upload"
MAX_AGE = 3600


def issue(actor, fields: dict) -> str:
    return signing.dumps({"u": actor.user_id, "p": actor.project_id, "f": fields},
                         salt=SALT, compress=True)


def redeem(actor, ticket: str) -> dict | None:
    """The fields the ticket carries, or None when it is not one of this person's (in
    this project), was tampered with, or expired."""
    try:
        data = signing.loads(ticket or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("u") != actor.user_id or data.get("p") != actor.project_id:
        return None
    return data.get("f")
