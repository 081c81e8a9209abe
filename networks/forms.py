"""Forms: every check the person can fix is made here, under the field it concerns.

Forms that need cloud facts (the network's other subnets, the pools, the servers) get
them as constructor arguments from the view's selector call; forms never call the cloud.
"""

from django import forms
from django.conf import settings

from . import addressing

NAME = {"max_length": 255}


class _Form(forms.Form):
    def _check(self, field: str | None, fn, *args):
        """Run an addressing check; its ValueError becomes an error on `field`."""
        try:
            return fn(*args)
        except ValueError as exc:
            self.add_error(field, str(exc))
            return None


class NetworkForm(_Form):
    name = forms.CharField(**NAME)


class SubnetForm(_Form):
    """Create (cidr editable) or edit (cidr fixed: Neutron cannot change it)."""

    GATEWAY_CHOICES = [("auto", "Automatic (first address)"), ("explicit", "This address"),
                       ("none", "No gateway")]

    name = forms.CharField(required=False, **NAME)
    cidr = forms.CharField(label="Network address (CIDR)", max_length=64,
                           help_text="IPv4 like 10.0.0.0/24 or IPv6 like fd00:1::/64")
    gateway_mode = forms.ChoiceField(label="Gateway", choices=GATEWAY_CHOICES,
                                     initial="auto", widget=forms.RadioSelect)
    gateway_ip = forms.CharField(label="Gateway address", required=False, max_length=64)
    enable_dhcp = forms.BooleanField(label="DHCP", required=False, initial=True)
    allocation_pools = forms.CharField(
        label="Allocation pools", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One pool a line: start-end. Empty: the whole subnet but the gateway.")
    dns_nameservers = forms.CharField(
        label="DNS servers", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One address a line.")

    def __init__(self, *args, other_subnets=(), fixed_cidr: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.other_subnets = list(other_subnets)
        self.fixed_cidr = fixed_cidr
        if fixed_cidr:
            self.fields["cidr"].required = False
            self.fields["cidr"].disabled = True
            self.fields["cidr"].initial = fixed_cidr

    def clean(self):
        data = super().clean()
        cidr_text = self.fixed_cidr or data.get("cidr") or ""
        cidr = self._check("cidr", addressing.parse_cidr, cidr_text) if cidr_text else None
        pools = self._check("allocation_pools", addressing.parse_pools,
                            data.get("allocation_pools", ""))
        dns = self._check("dns_nameservers", addressing.parse_addresses,
                          data.get("dns_nameservers", ""))
        gateway = None
        if data.get("gateway_mode") == "explicit":
            if not data.get("gateway_ip"):
                self.add_error("gateway_ip", "Type the gateway address, or choose automatic.")
            else:
                gateway = self._check("gateway_ip", addressing.parse_address,
                                      data["gateway_ip"], "address")
        if cidr is None:
            return data
        if not self.fixed_cidr:
            self._check("cidr", addressing.check_no_overlap, cidr, self.other_subnets)
        if pools:
            self._check("allocation_pools", addressing.check_pools_in, cidr, pools)
        if gateway is not None:
            self._check("gateway_ip", addressing.check_gateway, cidr, gateway, pools or [])
        elif data.get("gateway_mode") == "auto" and pools and not self.fixed_cidr:
            # Neutron takes the first address as gateway; a pool holding it is refused.
            self._check("allocation_pools", addressing.check_gateway, cidr,
                        addressing.auto_gateway(cidr), pools)
        data.update(cidr_net=cidr, pools=pools or [], dns=dns or [], gateway=gateway)
        return data

    def neutron_body(self) -> dict:
        """The subnet attributes the form decides (network_id is the caller's)."""
        d = self.cleaned_data
        body = {"name": d["name"], "enable_dhcp": d["enable_dhcp"],
                "dns_nameservers": [str(a) for a in d["dns"]]}
        if d["pools"]:
            body["allocation_pools"] = addressing.pools_body(d["pools"])
        if d["gateway_mode"] == "none":
            body["gateway_ip"] = None
        elif d["gateway_mode"] == "explicit":
            body["gateway_ip"] = str(d["gateway"])
        if not self.fixed_cidr:
            body.update(cidr=str(d["cidr_net"]), ip_version=d["cidr_net"].version)
            if d["cidr_net"].version == 6:
                # Without modes Neutron makes a stateful DHCPv6 subnet nobody's router
                # advertises; SLAAC is what guests expect.
                body.update(ipv6_ra_mode="slaac", ipv6_address_mode="slaac")
        return body


def pool_choices(pools) -> list[tuple[str, str]]:
    return [(p["id"], p["name"] or p["id"]) for p in pools]


class QuickNetworkForm(_Form):
    name = forms.CharField(label="Network name", **NAME)
    cidr = forms.CharField(label="Subnet (CIDR)", max_length=64, initial="10.0.0.0/24")
    dns_nameservers = forms.CharField(label="DNS servers", required=False, max_length=255,
                                      help_text="Optional, comma separated.")
    pool = forms.ChoiceField(label="Floating IP pool (router gateway)")

    def __init__(self, *args, pools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = pool_choices(pools)

    def clean_cidr(self):
        return self._check("cidr", addressing.parse_cidr, self.cleaned_data["cidr"])

    def clean_dns_nameservers(self):
        return self._check("dns_nameservers", addressing.parse_addresses,
                           self.cleaned_data["dns_nameservers"]) or []


class RouterForm(_Form):
    name = forms.CharField(**NAME)
    pool = forms.ChoiceField(label="External gateway (floating IP pool)", required=False)

    def __init__(self, *args, pools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = [("", "No gateway")] + pool_choices(pools)


class InterfaceForm(_Form):
    subnet = forms.ChoiceField(label="Subnet")

    def __init__(self, *args, subnets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subnet"].choices = [(s["id"], s["label"]) for s in subnets]


class AllocateForm(_Form):
    pool = forms.ChoiceField(label="Pool")

    def __init__(self, *args, pools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].choices = pool_choices(pools)


class AssociateForm(_Form):
    """Step 1: the server. Step 2 (only when it has several addresses): port + fixed IP,
    sent as one value `port_id|fixed_ip`."""

    server = forms.ChoiceField(label="Server")
    target = forms.ChoiceField(label="Port / fixed IP", required=False)

    def __init__(self, *args, servers=(), targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server"].choices = [(s["id"], s["name"]) for s in servers]
        self.fields["target"].choices = [(t["value"], t["label"]) for t in targets]


RULE_PRESETS = {
    "ssh": [("tcp", 22, 22)],
    "icmp": [("icmp", None, None)],
    "http": [("tcp", 80, 80)],
    "https": [("tcp", 443, 443)],
    "web": [("tcp", 80, 80), ("tcp", 443, 443)],
}


class SecurityGroupForm(_Form):
    name = forms.CharField(**NAME)
    description = forms.CharField(required=False, max_length=255)


class RuleForm(_Form):
    PRESETS = [("ssh", "SSH (TCP 22)"), ("icmp", "ICMP (ping)"), ("http", "HTTP (TCP 80)"),
               ("https", "HTTPS (TCP 443)"), ("web", "HTTP and HTTPS"),
               ("custom", "Custom")]
    PROTOCOLS = [("tcp", "TCP"), ("udp", "UDP"), ("icmp", "ICMP"), ("any", "Any")]

    preset = forms.ChoiceField(choices=PRESETS, initial="ssh")
    direction = forms.ChoiceField(choices=[("ingress", "Ingress"), ("egress", "Egress")],
                                  initial="ingress")
    protocol = forms.ChoiceField(choices=PROTOCOLS, required=False, initial="tcp")
    port_min = forms.IntegerField(label="From port", required=False, min_value=1,
                                  max_value=65535)
    port_max = forms.IntegerField(label="To port", required=False, min_value=1,
                                  max_value=65535)
    remote_cidr = forms.CharField(label="Remote CIDR", required=False, initial="0.0.0.0/0",
                                  max_length=64)
    remote_group = forms.ChoiceField(label="or remote security group", required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remote_group"].choices = [("", "—")] + [(g["id"], g["name"])
                                                             for g in groups]

    def clean(self):
        data = super().clean()
        cidr = None
        if data.get("remote_cidr") and data.get("remote_group"):
            self.add_error("remote_group", "Choose a remote CIDR or a group, not both.")
        elif data.get("remote_cidr"):
            cidr = self._check("remote_cidr", addressing.parse_cidr, data["remote_cidr"])
        if data.get("preset") == "custom":
            self._clean_custom(data)
        data["remote_net"] = cidr
        return data

    def _clean_custom(self, data):
        proto, lo, hi = data.get("protocol") or "any", data.get("port_min"), data.get("port_max")
        if proto in ("tcp", "udp"):
            if lo is None and hi is not None or lo is not None and hi is None:
                self.add_error("port_max", "Give both ports (the same for a single port), "
                                           "or neither for all ports.")
            elif lo is not None and lo > hi:
                self.add_error("port_max", "The last port is lower than the first.")
        elif lo is not None or hi is not None:
            self.add_error("port_min", "Ports apply to TCP and UDP only.")

    def rules(self) -> list[dict]:
        """The Neutron rule bodies (without security_group_id) this form describes."""
        d = self.cleaned_data
        if d["preset"] == "custom":
            proto = None if d["protocol"] in ("", "any") else d["protocol"]
            specs = [(proto, d["port_min"], d["port_max"])]
        else:
            specs = RULE_PRESETS[d["preset"]]
        net = d["remote_net"]
        base = {"direction": d["direction"], "ethertype": f"IPv{net.version if net else 4}"}
        if net is not None:
            base["remote_ip_prefix"] = str(net)
        elif d.get("remote_group"):
            base["remote_group_id"] = d["remote_group"]
        return [{**base, "protocol": proto, "port_range_min": lo, "port_range_max": hi}
                for proto, lo, hi in specs]


class RangeForm(_Form):
    """An allocation range of a pool: a subnet of the external network, DHCP off.
    `other_subnets` are the pool's existing ranges, (name, cidr) each."""

    cidr = forms.CharField(label="Subnet (CIDR)", max_length=64)
    gateway_ip = forms.CharField(label="Upstream gateway", required=False, max_length=64,
                                 help_text="Empty: the first address of the subnet.")
    start = forms.CharField(label="First floating IP", max_length=64)
    end = forms.CharField(label="Last floating IP", max_length=64)

    def __init__(self, *args, other_subnets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.other_subnets = list(other_subnets)

    def clean(self):
        data = super().clean()
        self.clean_range(data)
        return data

    def clean_range(self, data) -> None:
        """Each mistake under the field it concerns: an address outside the subnet, a
        reversed range, a subnet overlapping one of the pool's ranges, the gateway
        inside the range."""
        cidr = self._check("cidr", addressing.parse_cidr, data.get("cidr") or "")
        start = self._check("start", addressing.parse_address, data.get("start") or "")
        end = self._check("end", addressing.parse_address, data.get("end") or "")
        gateway = None
        if data.get("gateway_ip"):
            gateway = self._check("gateway_ip", addressing.parse_address, data["gateway_ip"])
        if cidr is not None:
            self._check("cidr", addressing.check_no_overlap_ranges, cidr, self.other_subnets)
        if None in (cidr, start, end) or data.get("gateway_ip") and gateway is None:
            return
        problems = addressing.check_range(cidr, start, end)
        for field, message in problems:
            self.add_error(field, message)
        if not problems:
            if gateway is not None:
                self._check("gateway_ip", addressing.check_range_gateway, cidr, gateway,
                            start, end, False)
            else:
                self._check("start", addressing.check_range_gateway, cidr,
                            addressing.auto_gateway(cidr), start, end, True)
        data.update(cidr_net=cidr, pools=[(start, end)], gateway=gateway)

    def first_range(self) -> dict:
        """The range as create_pool / add_range take it."""
        d = self.cleaned_data
        return {"cidr": d["cidr_net"], "pools": addressing.pools_body(d["pools"]),
                "gateway": d["gateway"]}


class PoolForm(RangeForm):
    """A new pool and its first allocation range, in one form (more ranges are added on
    the pool's page)."""

    name = forms.CharField(**NAME)
    network_type = forms.ChoiceField(label="Type", choices=[("flat", "Flat"),
                                                            ("vlan", "VLAN")],
                                     widget=forms.RadioSelect, initial="flat")
    physnet = forms.ChoiceField(label="Physical network")
    vlan_id = forms.IntegerField(label="VLAN id", required=False)
    shared = forms.BooleanField(label="Shared with all projects", required=False)

    field_order = ["name", "network_type", "physnet", "vlan_id", "shared",
                   "cidr", "gateway_ip", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["physnet"].choices = [(p, p) for p in settings.PORTAL_PHYSNETS]
        self.fields["cidr"].label = "First range: subnet (CIDR)"

    def clean(self):
        data = super().clean()
        vlan = data.get("vlan_id")
        if data.get("network_type") == "vlan":
            if vlan is None:
                self.add_error("vlan_id", "A VLAN pool needs a VLAN id (1–4094).")
            elif not 1 <= vlan <= 4094:
                self.add_error("vlan_id", "A VLAN id is between 1 and 4094.")
        elif vlan is not None:
            self.add_error("vlan_id", "A flat pool has no VLAN id; choose VLAN or leave it "
                                      "empty.")
        return data


class QuotaForm(_Form):
    floating_ips = forms.IntegerField(label="Floating IPs", min_value=-1,
                                      help_text="-1 for unlimited.")
