"""Key pairs: create (Nova makes nothing: the portal generates the pair and imports the
public half, showing the private one once), import, delete."""

from openstack import exceptions as os_exc

from portal.changes import afterwards, announce

from .. import fragments, keys
from ..errors import CloudRefused, explain


def create_keypair(actor, name: str, public_key: str = "") -> str | None:
    """Import public_key, or make a new pair; returns the private key when we made it."""
    private = None
    if not public_key:
        public_key, private = keys.generate()
    try:
        made = actor.conn.compute.create_keypair(name=name, public_key=public_key)
    except os_exc.HttpException as exc:
        if exc.status_code == 409:
            raise CloudRefused("You already have a key pair with this name.") from None
        raise explain(exc) from None
    # Nova has it: the private key must reach the person whatever happens next.
    afterwards(f"key pair {name}", lambda: announce(
        actor, "keypair.import" if private is None else "keypair.create", name,
        event=fragments.keypair_added(actor.user_id, made), to_user=True))
    return private


def delete_keypair(actor, name: str) -> None:
    try:
        # openstacksdk ignores a missing key pair by default: Nova's 404 is the answer.
        actor.conn.compute.delete_keypair(name, ignore_missing=False)
    except os_exc.NotFoundException:
        raise CloudRefused(f"You have no key pair named “{name}”: nothing was deleted.") \
            from None
    afterwards(f"key pair {name}", lambda: announce(
        actor, "keypair.delete", name, event=fragments.keypair_removed(actor.user_id, name),
        to_user=True))
