"""The networks pages, one module per panel (networks/urls.py maps them):

    networks.py         networks and their subnets, the quick path
    routers.py          routers and their interfaces
    floating_ips.py     floating IPs: allocate, associate, disassociate, release
    security_groups.py  security groups and their rules
    pools.py            admin: floating IP pools and ranges, every project's floating
                        IPs, floating IP quotas
    base.py             what the panels share

Thin views on portal.generic: a selector for what the page shows, a form for what was
typed, a service for what changes, all given `self.actor`.
"""
