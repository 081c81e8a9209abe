"""The buttons that go with the day-2 forms: remove a security group, detach an interface,
disassociate a floating IP. Each checks that what it names is this server's, in this
project (404 otherwise, nothing done); the service checks that Nova would take it in the
server's state (vms.offered; a message otherwise)."""

from django.http import Http404
from django.urls import reverse

from portal.generic import CloudActionView

from .. import dayselectors, selectors, services


class ServerButton(CloudActionView):
    back = "vms:detail"

    def next_url(self, target, server_id, **kwargs):
        return reverse(self.back, args=[server_id])


class RemoveSecurityGroup(ServerButton):
    back = "vms:security_groups"

    def target(self, server_id, group_id):
        got = dayselectors.group_options(self.actor, server_id)
        group = next((g for g in got["on"] if g["id"] == group_id), None)
        if group is None:
            raise Http404("The server is not in that security group of this project.")
        return got["server"], group

    def act(self, target):
        server, group = target
        return services.remove_security_group(self.actor, server, group)


class DetachInterface(ServerButton):
    back = "vms:interfaces"

    def target(self, server_id, port_id):
        server = selectors.owned_server(self.actor, server_id)
        ports = dayselectors.server_ports(self.actor.conn, server.id)
        port = next((p for p in ports if p["id"] == port_id), None)
        if port is None:
            raise Http404("No such interface on this server.")
        return server, port

    def act(self, target):
        server, port = target
        return services.detach_interface(self.actor, server, port)


class DisassociateFloatingIp(ServerButton):
    back = "vms:floating_ips"

    def target(self, server_id, fip_id):
        got = dayselectors.floating_ip_options(self.actor, server_id)
        fip = next((f for f in got["on"] if f["id"] == fip_id), None)
        if fip is None:  # the project's, on one of this server's ports, or a 404
            raise Http404("No such floating IP on this server.")
        return got["server"], fip

    def act(self, target):
        server, fip = target
        return services.disassociate_floating_ip(self.actor, server, fip)
