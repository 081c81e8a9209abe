"""The suite on a real OpenStack (`make test-realcloud`): bring the control plane in
../shared/realcloud up when it is not, create the accounts the suite needs, and check
that the suite left the cloud as it found it.

    python -m tests.realcloud ensure          install + start the control plane if down, and
                                              give it the baseline a deployed cloud has
    python -m tests.realcloud snapshot FILE   record every object's ID
    python -m tests.realcloud check FILE      fail if anything is left over since snapshot
"""

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openstack

KEYSTONE = "http://127.0.0.1:5000/v3"
# Accounts the devcloud seed has and the real cloud lacks: created for the session (as
# admin) and removed after. Name → (project, role).
EXTRA_ACCOUNTS = {"alice": ("sp-alpha", "member"), "bob": ("sp-beta", "member"),
                  "reader": ("demo", "reader"), "helpdesk": ("admin", "helpdesk")}
PREFIX = "sp-"
# ../shared/realcloud beside the repository (CI's layout); REALCLOUD_DIR overrides.
REALCLOUD_DIR = Path(os.environ.get(
    "REALCLOUD_DIR", Path(__file__).resolve().parents[2] / "shared" / "realcloud")).resolve()


def clouds_yaml(realcloud_dir: Path) -> Path:
    return Path(realcloud_dir) / "clouds.yaml"


def admin(realcloud_dir: Path):
    config = openstack.config.OpenStackConfig(config_files=[str(clouds_yaml(realcloud_dir))])
    return openstack.connection.Connection(config=config.get_one(cloud="os-admin"))


def is_up() -> bool:
    try:
        urllib.request.urlopen(KEYSTONE, timeout=3)
        return True
    except OSError:
        return False


def ensure(realcloud_dir: Path) -> None:
    if is_up():
        print("realcloud: Keystone answers on", KEYSTONE)
        return
    for script in ("install.sh", "start.sh"):
        print(f"realcloud: running {script}", flush=True)
        subprocess.run(["bash", str(Path(realcloud_dir) / script)], check=True)
    deadline = time.monotonic() + 120
    while not is_up():
        if time.monotonic() > deadline:
            sys.exit("realcloud: Keystone did not come up")
        time.sleep(2)


def baseline(conn) -> None:
    """What Kolla post-deploy and DevStack give a fresh cloud, as devcloud's seed has it:
    external network `public` (flat physnet1, 203.0.113.0/24), flavor 1 = m1.tiny, a public
    `cirros` image, and demo's `private` network + subnet + router to `public`. Created
    once, before the snapshot, and left in place (idempotent)."""
    public = conn.network.find_network("public", ignore_missing=True) or \
        conn.network.create_network(name="public", is_router_external=True,
                                    provider_network_type="flat",
                                    provider_physical_network="physnet1")
    if not conn.network.find_subnet("public-subnet", ignore_missing=True):
        conn.network.create_subnet(name="public-subnet", network_id=public.id, ip_version=4,
                                   cidr="203.0.113.0/24", gateway_ip="203.0.113.1",
                                   is_dhcp_enabled=False, allocation_pools=[
                                       {"start": "203.0.113.100", "end": "203.0.113.200"}])
    if not conn.compute.find_flavor("1", ignore_missing=True):
        conn.compute.create_flavor(id="1", name="m1.tiny", ram=512, vcpus=1, disk=1)
    if not conn.image.find_image("cirros", ignore_missing=True):
        conn.image.create_image(name="cirros", disk_format="raw", container_format="bare",
                                visibility="public", data=os.urandom(1024 * 1024))
    demo = conn.identity.find_project("demo")
    if not conn.network.find_network("private", project_id=demo.id, ignore_missing=True):
        net = conn.network.create_network(name="private", project_id=demo.id)
        sub = conn.network.create_subnet(name="private-subnet", network_id=net.id,
                                         project_id=demo.id, ip_version=4,
                                         cidr="10.0.0.0/24", gateway_ip="10.0.0.1")
        router = conn.network.create_router(name="router1", project_id=demo.id,
                                            external_gateway_info={"network_id": public.id})
        conn.network.add_interface_to_router(router, subnet_id=sub.id)


# Test runs on one machine share the real cloud and its accounts: each run registers here
# (under a file lock), an account left by a run still going is kept, and only the last run
# to end removes them (CI runs alone; engineers working side by side do not).
SESSIONS = Path(os.environ.get("REALCLOUD_SESSIONS", "/tmp/stackport-realcloud-sessions"))


@contextlib.contextmanager
def _sessions():
    SESSIONS.touch(exist_ok=True)
    with open(SESSIONS, "r+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        alive = [pid for pid in json.loads(f.read() or "[]") if _alive(pid)]
        yield alive
        f.seek(0)
        f.truncate()
        f.write(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def create_accounts(conn) -> dict:
    """Create the extra projects, users and role assignments; return name → password.
    Accounts another run still uses are kept as they are."""
    with _sessions() as alive:
        others = bool(alive)
        alive.append(os.getpid())
        return _create_accounts(conn, keep_existing=others)


def _create_accounts(conn, keep_existing: bool) -> dict:
    created = {}
    for user, (project_name, role_name) in EXTRA_ACCOUNTS.items():
        project = conn.identity.find_project(project_name, ignore_missing=True) or \
            conn.identity.create_project(name=project_name, domain_id="default")
        role = conn.identity.find_role(role_name, ignore_missing=True) or \
            conn.identity.create_role(name=role_name)
        name = f"{PREFIX}{user}"
        existing = conn.identity.find_user(name, ignore_missing=True)
        if existing and keep_existing:
            created[user] = (name, name, project_name)
            continue
        if existing:
            conn.identity.delete_user(existing)
        u = conn.identity.create_user(name=name, password=name, domain_id="default",
                                      default_project_id=project.id)
        conn.identity.assign_project_role_to_user(project, u, role)
        created[user] = (name, name, project_name)
    return created


def remove_accounts(conn) -> None:
    with _sessions() as alive:
        if os.getpid() in alive:
            alive.remove(os.getpid())
        if not alive:
            _remove_accounts(conn)


def _remove_accounts(conn) -> None:
    for user, (project_name, role_name) in EXTRA_ACCOUNTS.items():
        u = conn.identity.find_user(f"{PREFIX}{user}", ignore_missing=True)
        if u:
            conn.identity.delete_user(u)
        if project_name.startswith(PREFIX):
            p = conn.identity.find_project(project_name, ignore_missing=True)
            if p:
                # Neutron made the project's `default` security group on first use and
                # does not remove it with the project.
                for group in conn.network.security_groups(project_id=p.id):
                    conn.network.delete_security_group(group)
                conn.identity.delete_project(p)
        if role_name == "helpdesk":
            r = conn.identity.find_role(role_name, ignore_missing=True)
            if r:
                conn.identity.delete_role(r)


def snapshot(conn) -> dict:
    """Every object's ID, per kind, across all projects."""
    return {
        "servers": sorted(s.id for s in conn.compute.servers(all_projects=True)),
        "networks": sorted(n.id for n in conn.network.networks()),
        "subnets": sorted(s.id for s in conn.network.subnets()),
        "ports": sorted(p.id for p in conn.network.ports()),
        "routers": sorted(r.id for r in conn.network.routers()),
        "floating_ips": sorted(f.id for f in conn.network.ips()),
        "security_groups": sorted(g.id for g in conn.network.security_groups()),
        "projects": sorted(p.id for p in conn.identity.projects()),
        "users": sorted(u.id for u in conn.identity.users()),
        "roles": sorted(r.id for r in conn.identity.roles()),
    }


def leftovers(before: dict, after: dict) -> dict:
    return {kind: sorted(set(after[kind]) - set(before.get(kind, [])))
            for kind in after if set(after[kind]) - set(before.get(kind, []))}


def main(argv: list[str]) -> None:
    cmd, arg = argv[0], Path(argv[1]) if len(argv) > 1 else None
    realcloud_dir = REALCLOUD_DIR
    if cmd == "ensure":
        ensure(REALCLOUD_DIR)
        baseline(admin(realcloud_dir))
    elif cmd == "snapshot":
        arg.parent.mkdir(parents=True, exist_ok=True)
        arg.write_text(json.dumps(snapshot(admin(realcloud_dir))))
    elif cmd == "check":
        extra = leftovers(json.loads(arg.read_text()), snapshot(admin(realcloud_dir)))
        if extra:
            sys.exit(f"realcloud: the suite left objects behind: {json.dumps(extra)}")
        print("realcloud: nothing left behind")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
