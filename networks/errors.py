"""Neutron's refusals in words a tenant can act on.

Neutron answers a refused request with {"NeutronError": {"type", "message", "detail"}}.
We map on `type` (stable across releases; the wording is not), per operation, because the
same type means different things in different places (a 409 NetworkInUse on a tenant
network is "servers are attached", on a pool it is "floating IPs are allocated").
Anything not mapped is shown with Neutron's own message, never swallowed.
"""

import re
from dataclasses import dataclass

from openstack import exceptions as os_exc

from portal.errors import CloudRefused, refusals_by


@dataclass(frozen=True)
class Refusal:
    status: int
    type: str
    message: str


def refusal(exc: os_exc.HttpException) -> Refusal:
    """The NeutronError carried by an openstacksdk HttpException."""
    kind, message = "", ""
    try:
        body = exc.response.json()
        err = body.get("NeutronError") or {}
        if isinstance(err, dict):
            kind, message = err.get("type", ""), err.get("message", "")
        else:  # some middlewares answer {"NeutronError": "text"}
            message = str(err)
    except (AttributeError, ValueError):
        pass
    return Refusal(exc.status_code or 0, kind, message or exc.details or exc.message or "")


# Neutron's quota resource names (its OverQuota message lists them) in a tenant's words.
QUOTA_WORDS = {"network": "network", "subnet": "subnet", "router": "router", "port": "port",
               "floatingip": "floating IP", "security_group": "security group",
               "security_group_rule": "security group rule", "subnetpool": "subnet pool",
               "rbac_policy": "sharing (RBAC) policy"}


def quota_named(message: str) -> str:
    """The quotas a Neutron OverQuota message names ("Quota exceeded for resources:
    ['port']."), in words: "port", "network and subnet"; "" when it names none."""
    names = re.findall(r"'(\w+)'", message.partition("resources:")[2])
    words = [QUOTA_WORDS.get(n, n.replace("_", " ")) for n in names]
    return " and ".join(words)


def explain(exc: os_exc.HttpException, messages: dict[str, str], **context) -> CloudRefused:
    """The CloudRefused for exc: messages[type] formatted with context, else Neutron's own
    message. 401 is not ours to explain: the middleware logs the person out.
    `{quota}` in a message is the quota Neutron says was hit (OverQuota names it), else
    the operation's own (messages["quota"])."""
    if exc.status_code == 401:
        raise exc
    r = refusal(exc)
    template = messages.get(r.type) or messages.get(str(r.status))
    if template:
        quota = quota_named(r.message) or messages.get("quota", "")
        return CloudRefused(template.format(neutron=r.message, quota=quota, **context), r)
    return CloudRefused(f"The cloud refused: {r.message}", r)


# Around a service call: an HTTP refusal comes out as CloudRefused in the operation's
# words (`messages`, formatted with `context`).
refusals = refusals_by(explain)


# --- the messages, per operation ------------------------------------------------------

ALLOCATE_FIP = {
    "IpAddressGenerationFailure": "The pool “{pool}” has no free addresses left. Release a "
                                  "floating IP you no longer use, or ask an administrator "
                                  "to add a range to the pool.",
    "OverQuota": "Your project has used its floating IP quota. Release one you no longer "
                 "use, or ask an administrator to raise the quota.",
    "ExternalGatewayForFloatingIPNotFound": "{server} cannot be reached from the pool "
                                            "“{pool}”: no router connects its subnet to "
                                            "that pool. Add the subnet to a router whose "
                                            "gateway is on “{pool}”.",
    "FloatingIPPortAlreadyAssociated": "{target} already has a floating IP from this pool. "
                                       "Disassociate that one first.",
    "404": "That pool no longer exists.",
}

ASSOCIATE_FIP = {
    "ExternalGatewayForFloatingIPNotFound": ALLOCATE_FIP["ExternalGatewayForFloatingIPNotFound"],
    "FloatingIPPortAlreadyAssociated": ALLOCATE_FIP["FloatingIPPortAlreadyAssociated"],
    "BadRequest": "That address does not belong to the chosen port: {neutron}",
    "404": "The server's port or the floating IP no longer exists.",
}

DELETE_NETWORK = {
    "NetworkInUse": "Network “{name}” still has {attached} attached. Delete or detach them "
                    "first.",
}

SUBNET = {
    "InvalidInput": "{neutron}",
    "GatewayConflictWithAllocationPools": "The gateway is inside an allocation pool: "
                                          "{neutron}",
    "OutOfBoundsAllocationPool": "{neutron}",
    "OverlappingAllocationPools": "{neutron}",
    "SubnetInUse": "Subnet “{name}” still has addresses in use (servers, router interfaces "
                   "or floating IPs). Remove them first.",
    "OverQuota": "Your project has used its {quota} quota.",
    "quota": "subnet",
}

NETWORK = {"OverQuota": "Your project has used its {quota} quota.", "quota": "network"}

ROUTER = {
    "OverQuota": "Your project has used its {quota} quota.",
    "quota": "router",
    "IpAddressGenerationFailure": "The pool “{pool}” has no free address for the router's "
                                  "gateway.",
    "ExternalGatewayForFloatingIPNotFound": "{neutron}",
    "RouterInUse": "Router “{name}” still has subnets attached. Remove its interfaces "
                   "first.",
    "RouterInterfaceInUseByFloatingIP": "Floating IPs of servers on that subnet use this "
                                        "router. Disassociate them first.",
    "BadRequest": "{neutron}",
}

SECURITY_GROUP = {
    "SecurityGroupInUse": "Security group “{name}” is still used by servers. Remove it from "
                          "them first.",
    "SecurityGroupRuleExists": "That rule already exists in this group.",
    "SecurityGroupInvalidPortRange": "{neutron}",
    "OverQuota": "Your project has used its security group (or rule) quota.",
    "SecurityGroupCannotRemoveDefault": "The default group cannot be deleted.",
    "409": "{neutron}",
}

POOL = {
    "VlanIdInUse": "VLAN {vlan} on {physnet} is already used by another network.",
    "FlatNetworkInUse": "{physnet} already carries a flat network; use a VLAN instead.",
    "InvalidInput": "{neutron}",
    "NetworkInUse": "The pool still has addresses in use (router gateways or floating IPs).",
    "SubnetInUse": "Addresses from this range are in use (router gateways or floating IPs). "
                   "Release them first.",
}

QUOTA = {"HTTPBadRequest": "{neutron}", "BadRequest": "{neutron}"}
