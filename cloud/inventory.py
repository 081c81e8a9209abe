"""A Kolla-Ansible inventory (the INI `multinode` / `all-in-one` files), read by Ansible's own
INI inventory plugin: groups, `[group:children]`, host variables, `[group:vars]` and ranges
such as `compute[01:20]` mean here exactly what they mean to kolla-ansible.

    read(path) -> Inventory        the five Kolla groups' hosts, and every host's variables
    InventoryError                 the file and line that could not be read, and why

Ansible's plugin knows the line it failed on but (2.19) drops it from the error it raises;
`_LineKeeping` notes it before that happens, so the page can name the line.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

# The groups Kolla-Ansible's inventories start from; every service group is a child of these.
KOLLA_GROUPS = ("control", "network", "compute", "storage", "monitoring")


@dataclass(frozen=True)
class InventoryError(Exception):
    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class Inventory:
    path: str
    groups: dict[str, list[str]]               # Kolla group -> its hosts, in file order
    hostvars: dict[str, dict] = field(default_factory=dict)

    @property
    def hosts(self) -> set[str]:
        return {h for names in self.groups.values() for h in names}

    def groups_of(self, host: str) -> list[str]:
        return [g for g, names in self.groups.items() if host in names]


def _plugin():
    """Ansible's INI inventory plugin, keeping the line it stopped at. Imported here, not at
    module level: Ansible reads its configuration when first imported, which pages that
    have no inventory never need."""
    from ansible.plugins.inventory.ini import InventoryModule

    class _LineKeeping(InventoryModule):
        failed_line: int | None = None

        def _parse(self, lines):
            try:
                return super()._parse(lines)
            except Exception:
                origin = getattr(self, "_origin", None)
                self.failed_line = getattr(origin, "line_num", None)
                raise

    return _LineKeeping()


def _reason(exc: Exception) -> str:
    """What went wrong, in Ansible's words, without its "Failed to parse inventory" frame."""
    cause = exc.__cause__ or exc
    message = getattr(cause, "message", None) or str(cause)
    return str(message).removeprefix("Failed to parse inventory: ").strip() or type(
        cause).__name__


def _line_text(path: Path, line: int | None) -> str:
    if not line:
        return ""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def read(path: str | Path) -> Inventory:
    # Kolla's group names have dashes (nova-compute), which Ansible would warn about on
    # stderr at every read: they are Kolla's names, and stay as they are. (Before Ansible
    # is first imported: it reads its settings then.)
    os.environ.setdefault("ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS", "ignore")
    from ansible.errors import AnsibleError
    from ansible.inventory.data import InventoryData

    path = Path(path).resolve()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InventoryError(str(path), None, f"cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise InventoryError(str(path), None, "is empty: no hosts or groups in it")
    data, plugin = InventoryData(), _plugin()
    try:
        plugin.parse(data, None, str(path), cache=False)
        data.reconcile_inventory()
    except (AnsibleError, ValueError, UnicodeError) as exc:
        reason = _reason(exc)
        text = _line_text(path, plugin.failed_line)
        if text and text not in reason:
            reason = f"{reason} (the line reads: {text})"
        raise InventoryError(str(path), plugin.failed_line, reason) from None
    groups = {name: [h.name for h in data.groups[name].get_hosts()]
              for name in KOLLA_GROUPS if name in data.groups}
    if not any(groups.values()):
        raise InventoryError(str(path), None, "names no host in any of the Kolla groups "
                                              f"({', '.join(KOLLA_GROUPS)})")
    hostvars = {name: {k: v for k, v in host.vars.items()
                       if k not in ("inventory_file", "inventory_dir")}
                for name, host in data.hosts.items()}
    return Inventory(str(path), groups, hostvars)
