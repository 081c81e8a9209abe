"""Operations that change the cloud, by panel. Each takes the `Actor` it acts for first
(a person's request, or `Actor.service(project_id)` in a Celery task), makes its Neutron
call(s) through `actor.conn`, and ends with `networks.changes.announce`: the audit
record and the live update to the project's open pages, for every actor alike.

A refusal raises portal.errors.CloudRefused with words for the person (networks.errors).

    networks.py         networks, subnets, the quick path (network + subnet + router)
    routers.py          routers and their interfaces
    floating_ips.py     allocate, associate, disassociate, release (vms uses these too)
    security_groups.py  groups and rules
    pools.py            admin: floating IP pools, their ranges, the floating IP quota

Callers use `networks.services.<name>`: the names below are the app's service API.
"""

from .floating_ips import (
    allocate_floating_ip,
    associate_floating_ip,
    disassociate_floating_ip,
    release_floating_ip,
)
from .networks import (
    create_network,
    create_subnet,
    delete_network,
    delete_subnet,
    describe_attached,
    quick_network,
    rename_network,
    update_subnet,
)
from .pools import add_range, create_pool, delete_pool, delete_range, set_floating_ip_quota
from .routers import add_interface, create_router, delete_router, remove_interface
from .security_groups import add_rules, create_security_group, delete_rule, delete_security_group

__all__ = [
    "add_interface", "add_range", "add_rules", "allocate_floating_ip",
    "associate_floating_ip", "create_network", "create_pool", "create_router",
    "create_security_group", "create_subnet", "delete_network", "delete_pool",
    "delete_range", "delete_router", "delete_rule", "delete_security_group",
    "delete_subnet", "describe_attached", "disassociate_floating_ip", "quick_network",
    "release_floating_ip", "remove_interface", "rename_network", "set_floating_ip_quota",
    "update_subnet",
]
