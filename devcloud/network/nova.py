"""What Nova asks of Neutron, as direct calls (devcloud's Nova and Neutron share a process).

Errors are CloudErrors with Neutron's types, so Nova can translate them as the real Nova
translates neutronclient exceptions.
"""

import ipaddress

from . import ports, secgroups, subnets
from .association import disassociate_port
from .core import HOST
from .util import CloudError, bump, not_found

SERVER_OWNER = "compute:nova"
PRESERVE = "network_preserved_ports"  # ports the user made: unbound, not deleted, on delete


class NovaInterface:
    """Mixed into the Neutron service object."""

    state = None  # set by the service

    def create_server_port(self, project_id: str, *, network_id: str | None = None,
                           port_id: str | None = None, device_id: str,
                           security_groups: list | None = None, host: str = HOST,
                           fixed_ip: str | None = None) -> dict:
        state = self.state
        if port_id:
            port = state["ports"].get(port_id)
            if port is None or port["project_id"] != project_id:
                raise not_found("ports", port_id)
            if port["device_id"]:
                raise CloudError(409, f"Unable to complete operation on port {port_id} for "
                                      f"network {port['network_id']}. Port already has an "
                                      f"attached device {port['device_id']}.", "PortInUse")
            state.store[PRESERVE][port_id] = device_id
            return ports.bind(state, port, device_id=device_id, device_owner=SERVER_OWNER,
                              host=host)
        network = state["networks"].get(network_id or "")
        if network is None or not (network["project_id"] == project_id or network["shared"]
                                   or network["router:external"]):
            raise not_found("networks", network_id)
        groups = secgroups.resolve(state, None, project_id, security_groups or ["default"])
        return ports.build(state, project_id=project_id, network=network,
                           fixed_ips=[{"ip_address": fixed_ip}] if fixed_ip else None,
                           device_id=device_id, device_owner=SERVER_OWNER,
                           security_groups=groups, host=host)

    def release_server_ports(self, device_id: str) -> list[dict]:
        """Delete the ports made for the server, unbind the ones the user brought; the
        addresses go back to the pools."""
        state = self.state
        preserved = state.store[PRESERVE]
        out = []
        for port in state.ports_of(device_id):
            if preserved.pop(port["id"], None) is not None:
                out.append(dict(ports.unbind(state, port)))
            else:
                out.append(dict(port))
                ports.delete(state, port)
        state.store.touch()
        return out

    def release_server_port(self, device_id: str, port_id: str) -> bool:
        """One port off the server (interface detach): deleted if Nova made it, unbound if
        the user brought it. False if the server has no such port."""
        state = self.state
        port = state["ports"].get(port_id)
        if port is None or port["device_id"] != device_id:
            return False
        if state.store[PRESERVE].pop(port_id, None) is not None:
            ports.unbind(state, port)
        else:
            ports.delete(state, port)
        state.store.touch()
        return True

    def server_ports(self, device_id: str) -> list[dict]:
        return [dict(p) for p in self.state.ports_of(device_id)]

    def set_ports_status(self, device_id: str, status: str) -> None:
        for port in self.state.ports_of(device_id):
            if port["status"] != status:
                port["status"] = status
                port["revision_number"] += 1
        self.state.store.touch()

    def set_ports_host(self, device_id: str, host: str) -> None:
        """Shelve offload unbinds the server's ports from the host (they stay the server's);
        unshelve binds them to the new one."""
        state = self.state
        for port in state.ports_of(device_id):
            ports.bind(state, port, device_id=device_id, device_owner=port["device_owner"],
                       host=host)
        state.store.touch()

    def server_addresses(self, device_ids: list[str]) -> dict[str, dict]:
        """Nova's `addresses` for many servers at once: index lookups only."""
        state = self.state
        networks = state["networks"]
        out: dict[str, dict] = {}
        for device_id in device_ids:
            addresses: dict[str, list] = {}
            for port in state.ports_of(device_id):
                name = networks.get(port["network_id"], {}).get("name", "")
                entries = addresses.setdefault(name, [])
                mac = port["mac_address"]
                for ip in port["fixed_ips"]:
                    entries.append(_address(ip["ip_address"], "fixed", mac))
                for fip in state.fips_of(port["id"]):
                    entries.append(_address(fip["floating_ip_address"], "floating", mac))
            out[device_id] = addresses
        return out

    def server_security_groups(self, device_ids: list[str]) -> dict[str, list[str]]:
        """The names of the groups on each server's ports, port by port and not merged
        (a server with two ports in "default" shows it twice, as Nova does); a group
        without a name by its id. Index lookups only."""
        groups = self.state["security_groups"]
        out: dict[str, list[str]] = {}
        for device_id in device_ids:
            names: list[str] = []
            for port in self.state.ports_of(device_id):
                for group_id in port.get("security_groups", []):
                    if group_id in groups:
                        names.append(groups[group_id].get("name") or group_id)
            out[device_id] = names
        return out

    def server_security_group_details(self, device_id: str) -> list[dict]:
        """Each group on each of the server's ports (port by port), with its rules."""
        state = self.state
        groups, rules = state["security_groups"], state["security_group_rules"]
        out = []
        for port in state.ports_of(device_id):
            for group_id in port.get("security_groups", []):
                if group_id in groups:
                    out.append({**groups[group_id], "security_group_rules": [
                        dict(rules[r]) for r in state.rules_by_group.get(group_id, {})
                        if r in rules]})
        return out

    def security_group(self, group_id: str) -> dict | None:
        group = self.state["security_groups"].get(group_id)
        return dict(group) if group else None

    def find_security_group(self, project_id: str, ref: str) -> dict | None:
        """neutronclient's find_resourceid_by_name_or_id as Nova calls it: an id the
        project owns, else the project's group of that name."""
        state = self.state
        group = state["security_groups"].get(ref)
        if group is not None and group["project_id"] == project_id:
            return dict(group)
        mine = [state["security_groups"][g]
                for g in state.owned["security_groups"].get(project_id, ())]
        found = next((g for g in mine if g["name"] == ref), None)
        if found is None and ref == "default":
            found = secgroups.ensure_default(state, project_id)
        return dict(found) if found else None

    def set_port_security_groups(self, port_id: str, group_ids: list[str]) -> None:
        port = self.state["ports"][port_id]
        port["security_groups"] = list(group_ids)
        bump(port)
        self.state.store.touch()

    def dhcp_server_ip(self, subnet_id: str) -> str | None:
        subnet = self.state["subnets"].get(subnet_id)
        if subnet is None:
            return None
        return subnets.dhcp_server_ip(self.state, subnet) or subnet["gateway_ip"]

    def network(self, network_id: str) -> dict | None:
        network = self.state["networks"].get(network_id)
        return dict(network) if network else None

    def subnet(self, subnet_id: str) -> dict | None:
        subnet = self.state["subnets"].get(subnet_id)
        return dict(subnet) if subnet else None

    def visible_networks(self, project_id: str) -> list[dict]:
        """The project's own networks plus shared and external ones (what it may list)."""
        state = self.state
        ids = list(state.owned["networks"].get(project_id, ()))
        ids += [n for n in state.public_networks if n not in set(ids)]
        nets = state["networks"]
        return [dict(nets[i]) for i in ids if i in nets]

    def floating_ips_of(self, port_id: str) -> list[dict]:
        return [dict(f) for f in self.state.fips_of(port_id)]

    def disassociate_floating_ips(self, device_id: str) -> None:
        for port in self.state.ports_of(device_id):
            disassociate_port(self.state, port["id"])


def _address(addr: str, kind: str, mac: str) -> dict:
    return {"version": ipaddress.ip_address(addr).version, "addr": addr,
            "OS-EXT-IPS:type": kind, "OS-EXT-IPS-MAC:mac_addr": mac}
