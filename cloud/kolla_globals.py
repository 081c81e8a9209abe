"""Kolla-Ansible's `globals.yml`: the interfaces the cloud's traffic uses and the physical
networks (physnets) Neutron's bridges give it, worked out as kolla-ansible's own defaults
do (ansible/group_vars/all.yml):

    network_interface            API and most services (default eth0)
    neutron_external_interface   flat and VLAN provider networks: one or more, "eth1,eth2"
    neutron_bridge_name          one bridge per external interface (br-ex, br-ex2, ...)
    neutron_physical_networks    one physnet per bridge (physnet1, physnet2, ...)

    read(path) -> Globals        GlobalsError: the file and line that could not be read
"""

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULTS = {"network_interface": "eth0", "neutron_external_interface": "eth1"}


@dataclass(frozen=True)
class GlobalsError(Exception):
    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Physnet:
    name: str
    bridge: str
    interface: str


@dataclass(frozen=True)
class Globals:
    path: str
    network_interface: str
    external_interfaces: tuple[str, ...]
    physnets: tuple[Physnet, ...]
    defaulted: tuple[str, ...]     # the settings the file leaves to Kolla's defaults
    templated: tuple[str, ...]     # the settings whose value is a Jinja expression

    def physnet(self, name: str) -> Physnet | None:
        return next((p for p in self.physnets if p.name == name), None)


def _split(value) -> list[str]:
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _templated(value) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _load(path: Path) -> dict:
    try:
        text = path.read_text()
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise GlobalsError(str(path), None, f"cannot be read ({reason})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote or bracket is only noticed at the end of the file: the line it
        # opens on is the one to fix. Otherwise the problem's own line is.
        at_end = exc.problem_mark is None or exc.problem_mark.index >= len(text.rstrip())
        mark = exc.context_mark if (at_end and exc.context_mark) else exc.problem_mark
        reason = " ".join(filter(None, (exc.context, exc.problem))) or "not valid YAML"
        raise GlobalsError(str(path), mark.line + 1 if mark else None, reason) from None
    except yaml.YAMLError as exc:
        raise GlobalsError(str(path), None, f"not valid YAML ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise GlobalsError(str(path), 1, "is not a mapping of settings (key: value lines)")
    return data


def read(path: str | Path) -> Globals:
    path = Path(path).resolve()
    data = _load(path)
    for key in ("network_interface", "neutron_external_interface", "neutron_bridge_name",
                "neutron_physical_networks"):
        value = data.get(key)
        if value is not None and not isinstance(value, str | int | float):
            raise GlobalsError(str(path), _line_of(path, key),
                               f"{key} should be a name or a comma-separated list of names")
    values = {**DEFAULTS, **{k: v for k, v in data.items() if v is not None}}
    interfaces = _split(values["neutron_external_interface"])
    bridges = _split(values.get("neutron_bridge_name") or ",".join(
        "br-ex" if i == 0 else f"br-ex{i + 1}" for i in range(len(interfaces))))
    physnets = _split(values.get("neutron_physical_networks") or ",".join(
        f"physnet{i + 1}" for i in range(len(bridges))))
    if len(bridges) != len(interfaces) or len(physnets) < len(bridges):
        key = "neutron_bridge_name" if len(bridges) != len(interfaces) else \
            "neutron_physical_networks"
        raise GlobalsError(str(path), _line_of(path, key),
                           f"{len(interfaces)} external interface(s), {len(bridges)} "
                           f"bridge(s) and {len(physnets)} physnet(s): kolla-ansible pairs "
                           "them one to one")
    return Globals(
        path=str(path), network_interface=str(values["network_interface"]),
        external_interfaces=tuple(interfaces),
        physnets=tuple(Physnet(n, b, i) for n, b, i in zip(physnets, bridges, interfaces,
                                                           strict=False)),
        defaulted=tuple(k for k in DEFAULTS if data.get(k) is None),
        templated=tuple(k for k, v in data.items() if _templated(v) and k in (
            "network_interface", "neutron_external_interface", "neutron_bridge_name",
            "neutron_physical_networks")))


def _line_of(path: Path, key: str) -> int | None:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.split(":", 1)[0].strip() == key:
            return number
    return None
