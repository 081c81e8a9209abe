"""What a fresh cloud has after Kolla's post-deploy (init-runonce) and DevStack: an
external flat network `public` on physnet1 owned by admin, and in each demo project a
`private` network and subnet with a router to `public`, and the default security group."""

from . import networks, routers, secgroups, subnets

DEMO_PROJECTS = ("demo", "alpha", "beta")


def seed(state, identity) -> None:
    admin = identity.project_by_name("admin")["id"]
    secgroups.ensure_default(state, admin)
    public = networks.create_network(state, admin, {
        "name": "public", "router:external": True, "provider:network_type": "flat",
        "provider:physical_network": "physnet1"})
    subnets.build_subnet(state, admin, public, {
        "name": "public-subnet", "cidr": "203.0.113.0/24", "ip_version": 4,
        "gateway_ip": "203.0.113.1", "enable_dhcp": False,
        "allocation_pools": [{"start": "203.0.113.100", "end": "203.0.113.200"}]})
    for name in DEMO_PROJECTS:
        project = identity.project_by_name(name)
        if project is None:
            continue
        pid = project["id"]
        secgroups.ensure_default(state, pid)
        private = networks.create_network(state, pid, {"name": "private"})
        subnet = subnets.build_subnet(state, pid, private, {
            "name": "private-subnet", "cidr": "10.0.0.0/24", "ip_version": 4,
            "gateway_ip": "10.0.0.1", "enable_dhcp": True})
        router = routers.create_router(state, None, pid, {
            "name": "router1", "external_gateway_info": {"network_id": public["id"]}})
        routers.add_interface(state, None, router, {"subnet_id": subnet["id"]})
