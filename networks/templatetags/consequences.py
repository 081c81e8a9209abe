"""`{% load consequences %}`: what a destructive networks action loses, as the
`what` of its confirmation, e.g.

    {% network_delete network subnets ports as what %}
    {% include "partials/confirm.html" with url=... label="Delete network" what=what ... %}

The sentences are networks.consequences' (plain functions, tested without templates)."""

from django import template

from networks import consequences

register = template.Library()

for _name in ("network_delete", "subnet_delete", "router_delete", "interface_remove",
              "security_group_delete", "rule_delete", "floating_ip_release",
              "floating_ip_disassociate", "admin_release", "pool_delete", "range_delete"):
    register.simple_tag(getattr(consequences, _name), name=_name)
