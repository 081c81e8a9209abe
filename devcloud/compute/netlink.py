"""How Nova talks to Neutron: through `cloud.services["network"]`, with Nova's own errors.

Neutron raises CloudError with its own kinds (NetworkNotFound, PortInUse, ...); Nova turns
them into its own messages and status codes. Until the network service is there, a null
network answers "no networks", so Nova still works with `networks: none`.
"""

from ..errors import CloudError


class NullNetwork:
    """Stands in for Neutron when the network service is absent: nothing exists."""

    def create_server_port(self, project_id, *, network_id=None, port_id=None, device_id,
                           security_groups=None, host=None, fixed_ip=None):
        if port_id:
            raise CloudError(404, f"Port {port_id} could not be found.", "PortNotFound")
        raise CloudError(404, f"Network {network_id} could not be found.", "NetworkNotFound")

    def release_server_ports(self, device_id):
        return []

    def server_addresses(self, device_ids):
        return {}

    def server_ports(self, device_id):
        return []

    def set_ports_status(self, device_id, status):
        pass

    def set_ports_host(self, device_id, host):
        pass

    def server_security_groups(self, device_ids):
        return {}

    def server_security_group_details(self, device_id):
        return []

    def find_security_group(self, project_id, ref):
        return None

    def set_port_security_groups(self, port_id, group_ids):
        pass

    def release_server_port(self, device_id, port_id):
        return False

    def dhcp_server_ip(self, subnet_id):
        return None

    def network(self, network_id):
        return None

    def visible_networks(self, project_id):
        return []


def network_service(cloud):
    service = cloud.services.get("network")
    if service is None or not hasattr(service, "create_server_port"):
        return NullNetwork()
    return service


def nova_error(err: CloudError, network_id=None, port_id=None) -> CloudError:
    """Neutron's error on port creation, as Nova reports it to its own caller."""
    kind = err.kind or ""
    if kind == "NetworkNotFound":
        return CloudError(400, f"Network {network_id} could not be found.")
    if kind == "PortNotFound":
        return CloudError(400, f"Port id {port_id} could not be found.")
    if kind == "PortInUse":
        return CloudError(409, f"Port {port_id} is still in use.")
    if kind == "IpAddressGenerationFailure":
        return CloudError(409, f"No fixed IP addresses available for network: {network_id}")
    if kind == "OverQuota":
        return CloudError(403, "Maximum number of ports exceeded")
    if kind == "SecurityGroupNotFound":
        return CloudError(400, err.message)
    return CloudError(500, err.message)
