"""Nova quotas: defaults, per-project overrides, usage, and the 403 Nova answers when over.

Compute quotas live in the shared "quotas" collection under "compute:<project_id>" so they
never collide with Neutron's.
"""

from ..errors import CloudError

DEFAULTS = {
    "cores": 20, "instances": 10, "key_pairs": 100, "metadata_items": 128, "ram": 51200,
    "server_group_members": 10, "server_groups": 10,
    "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255, "injected_files": 5,
}
# Reported below 2.36 only: Nova proxied these to Neutron and shows them as unlimited.
NETWORK_LEGACY = {"fixed_ips": -1, "floating_ips": -1, "security_group_rules": -1,
                  "security_groups": -1}
PERSONALITY = ("injected_file_content_bytes", "injected_file_path_bytes", "injected_files")


def key(project_id: str) -> str:
    return f"compute:{project_id}"


def limits(store, project_id: str) -> dict:
    return {**DEFAULTS, **store["quotas"].get(key(project_id), {})}


def visible_fields(version: tuple[int, int]) -> list[str]:
    """Which quota names a microversion shows (2.36 drops network ones, 2.57 personality)."""
    names = list(DEFAULTS)
    if version >= (2, 57):
        names = [n for n in names if n not in PERSONALITY]
    if version < (2, 36):
        names += list(NETWORK_LEGACY)
    return sorted(names)


def quota_value(values: dict, name: str):
    return values[name] if name in values else NETWORK_LEGACY[name]


def over_quota(resources: list[str], requested: dict, used: dict, allowed: dict) -> CloudError:
    overs = sorted(resources)
    return CloudError(403, "Quota exceeded for {o}: Requested {r}, but already used {u} of {a} "
                           "{o}".format(o=", ".join(overs),
                                        r=", ".join(str(requested[x]) for x in overs),
                                        u=", ".join(str(used[x]) for x in overs),
                                        a=", ".join(str(allowed[x]) for x in overs)))


def _headroom(limit: int, used: int) -> int:
    return 10**9 if limit < 0 else max(limit - used, 0)


def allowed_count(flavor: dict, min_count: int, max_count: int, used: dict,
                  quota: dict) -> int:
    """How many instances to create, as Nova's _check_num_instances_quota decides.

    Over quota for max_count but not for min_count: create as many as fit. Otherwise
    raise Nova's TooManyInstances message.
    """
    wanted = {"instances": max_count, "cores": max_count * flavor["vcpus"],
              "ram": max_count * flavor["ram"]}
    overs = [r for r in wanted
             if quota[r] >= 0 and used[r] + wanted[r] > quota[r]]
    if not overs:
        return max_count
    allowed = _headroom(quota["instances"], used["instances"])
    if flavor["vcpus"]:
        allowed = min(allowed, _headroom(quota["cores"], used["cores"]) // flavor["vcpus"])
    if flavor["ram"]:
        allowed = min(allowed, _headroom(quota["ram"], used["ram"]) // flavor["ram"])
    if allowed > 0 and min_count <= allowed <= max_count:
        return allowed
    count = str(min_count) if min_count == max_count else f"{min_count}-{max_count}"
    requested = {"instances": count, "cores": wanted["cores"], "ram": wanted["ram"]}
    raise over_quota(overs, requested, used, quota)
