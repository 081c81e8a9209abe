"""The networks app's URLs, by panel. Object pages nest under the object's own path
(`networks/<network_id>/…`), so each group is written once with `under`."""

from django.urls import path

import portal.converters  # noqa: F401 (registers osid, keypair, word)

from .views import floating_ips, networks, pools, routers, security_groups

app_name = "networks"


def page(route: str, view, name: str):
    return path(route, view.as_view(), name=name)


def under(prefix: str, *pages):
    """The pages of one object: (route below `prefix`, view, name) each."""
    return [page(prefix + route, view, name) for route, view, name in pages]


urlpatterns = [
    page("", networks.NetworkList, "list"),
    page("create/", networks.NetworkCreate, "create"),
    page("new/", networks.QuickCreate, "quick"),
    *under("networks/<osid:network_id>/",
           ("", networks.NetworkDetail, "detail"),
           ("rename/", networks.NetworkRename, "rename"),
           ("delete/", networks.NetworkDelete, "delete"),
           ("subnets/new/", networks.SubnetCreate, "subnet_create")),
    *under("subnets/<osid:subnet_id>/",
           ("edit/", networks.SubnetEdit, "subnet_edit"),
           ("delete/", networks.SubnetDelete, "subnet_delete")),

    page("routers/", routers.RouterList, "routers"),
    page("routers/create/", routers.RouterCreate, "router_create"),
    *under("routers/<osid:router_id>/",
           ("", routers.RouterDetail, "router_detail"),
           ("interfaces/add/", routers.RouterAddInterface, "router_add_interface"),
           ("interfaces/remove/", routers.RouterRemoveInterface, "router_remove_interface"),
           ("delete/", routers.RouterDelete, "router_delete")),

    page("floating-ips/", floating_ips.FloatingIPList, "floatingips"),
    page("floating-ips/allocate/", floating_ips.FloatingIPAllocate, "fip_allocate"),
    *under("floating-ips/<osid:fip_id>/",
           ("associate/", floating_ips.FloatingIPAssociate, "fip_associate"),
           ("disassociate/", floating_ips.FloatingIPDisassociate, "fip_disassociate"),
           ("release/", floating_ips.FloatingIPRelease, "fip_release")),

    page("security-groups/", security_groups.SecurityGroupList, "security_groups"),
    page("security-groups/create/", security_groups.SecurityGroupCreate, "sg_create"),
    *under("security-groups/<osid:group_id>/",
           ("", security_groups.SecurityGroupDetail, "security_group"),
           ("delete/", security_groups.SecurityGroupDelete, "sg_delete"),
           ("rules/add/", security_groups.RuleAdd, "rule_add"),
           ("rules/<osid:rule_id>/delete/", security_groups.RuleDelete, "rule_delete")),

    # Admin. The fixed routes come before pools/<pool_id>/, which would match them.
    page("pools/", pools.PoolList, "pools"),
    page("pools/create/", pools.PoolCreate, "pool_create"),
    page("pools/floating-ips/", pools.AllFloatingIPs, "admin_floatingips"),
    page("pools/floating-ips/<osid:fip_id>/release/", pools.AdminRelease, "admin_release"),
    page("pools/quotas/", pools.Quotas, "quotas"),
    *under("pools/<osid:pool_id>/",
           ("", pools.PoolDetail, "pool"),
           ("delete/", pools.PoolDelete, "pool_delete"),
           ("ranges/<osid:subnet_id>/delete/", pools.RangeDelete, "range_delete")),
]
