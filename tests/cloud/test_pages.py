"""/admin/cloud/: hosts by Kolla group (from an inventory, or inferred), services with their
state, the capacity bars, the globals' physnets and pools, usage across projects; the admin's
enable/disable of a compute service; broken files said on the page; 403 for non-admins."""

import re

import pytest

from portal.models import AuditEvent
from tests.pages import login, text

pytestmark = pytest.mark.django_db

ADMIN_URLS = ["/admin/cloud/", "/admin/cloud/capacity/", "/admin/cloud/usage/"]


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def compute_host(cloud) -> tuple[str, str]:
    """(host, service id) of the cloud's first nova-compute service."""
    conn = cloud.connect("admin")
    svc = [s for s in conn.compute.services(binary="nova-compute")][0]
    return svc.host, svc.id


@pytest.mark.parametrize("who", ["demo", "reader"])
def test_non_admins_get_403_on_every_admin_url(portal_settings, cloud, who):
    client = login(cloud, who)
    _, service_id = compute_host(cloud)
    for url in ADMIN_URLS:
        assert client.get(url).status_code == 403, url
    for action in ("disable", "enable"):
        resp = client.post(f"/admin/cloud/services/{service_id}/{action}/", {"reason": "x"})
        assert resp.status_code == 403


def test_groups_inferred_from_the_apis(portal_settings, cloud):
    portal_settings.PORTAL_KOLLA_INVENTORY = ""
    client = login(cloud, "admin")
    resp = client.get("/admin/cloud/")
    assert resp.status_code == 200
    page = text(resp)
    assert "the hosts' groups are inferred from the services" in page
    host, service_id = compute_host(cloud)
    compute = _section(resp, "compute")
    assert host in compute and f'id="nova-{service_id}"' in compute
    assert f'href="/servers/admin/?host={host}"' in compute
    assert "nova-scheduler" in _section(resp, "control")
    # Warm (the first look at Placement discovers its versions): Nova's services,
    # Neutron's agents, Placement's providers (and Cinder's services).
    has_cinder = cloud.connect("admin").has_service("block-storage")
    assert client.get("/admin/cloud/")["X-Cloud-Calls"] == str(3 + has_cinder)
    capacity = client.get("/admin/cloud/capacity/", HTTP_HX_REQUEST="true")
    assert capacity.status_code == 200
    nodes = re.findall(r'data-testid="node" data-node="([^"]+)"', capacity.content.decode())
    assert host in nodes
    assert re.search(r'data-testid="capacity-vCPUs">\d+ / \d+', capacity.content.decode())


def _section(resp, group: str) -> str:
    page = resp.content.decode()
    start = page.index(f'data-testid="group-{group}"')
    return page[start:page.index("</section>", start)]


def test_inventory_groups_missing_and_unknown_hosts(portal_settings, cloud, tmp_path):
    host, _ = compute_host(cloud)
    inventory = tmp_path / "multinode"
    inventory.write_text(
        "[control]\nctl[01:02] ansible_user=kolla\n\n[network:children]\ncontrol\n\n"
        f"[compute]\n{host}\nghost-compute\n\n[storage]\n\n[monitoring]\nmon01\n\n"
        "[nova-compute:children]\ncompute\n")
    portal_settings.PORTAL_KOLLA_INVENTORY = str(inventory)
    resp = login(cloud, "admin").get("/admin/cloud/")
    assert resp.status_code == 200
    page = text(resp)
    assert f"Groups from the Kolla-Ansible inventory {inventory}" in page
    compute = _section(resp, "compute")
    assert host in compute and "nova-compute" in compute
    assert "ghost-compute" in compute and "missing" in compute
    assert "In the inventory but reported by no service: ctl01, ctl02, ghost-compute, mon01" \
        in page
    # An inventory that does not name the host: its services are on an unknown host.
    inventory.write_text("[control]\nctl01\n\n[compute]\nghost-compute\n")
    resp = login(cloud, "admin").get("/admin/cloud/")
    unknown = resp.content.decode().split('data-testid="unknown"')[1].split("</section>")[0]
    assert host in unknown and "nova-scheduler" in unknown and "nova-compute" in unknown
    assert host not in _section(resp, "compute")


@pytest.mark.parametrize(("content", "line"), [
    ("[control]\nc1\n[network:children]\nnowhere\n", 4),
    ("[control]\nc1 ansible_port\n", 2),
])
def test_a_malformed_inventory_is_a_message_naming_file_and_line(portal_settings, cloud,
                                                                   tmp_path, content, line):
    inventory = tmp_path / "multinode"
    inventory.write_text(content)
    portal_settings.PORTAL_KOLLA_INVENTORY = str(inventory)
    resp = login(cloud, "admin").get("/admin/cloud/")
    assert resp.status_code == 200
    page = text(resp)
    assert f"The Kolla inventory could not be read: {inventory}, line {line}: " in page
    assert "inferred from the services" in page


def test_an_unreadable_inventory_and_a_malformed_globals(portal_settings, cloud, tmp_path):
    portal_settings.PORTAL_KOLLA_INVENTORY = str(tmp_path / "nothere")
    glob = tmp_path / "globals.yml"
    glob.write_text('network_interface: "eth0"\nneutron_external_interface: [eth1\n')
    portal_settings.PORTAL_KOLLA_GLOBALS = str(glob)
    page = text(login(cloud, "admin").get("/admin/cloud/"))
    assert f"The Kolla inventory could not be read: {tmp_path / 'nothere'}: cannot be read" \
        in page
    assert f"The Kolla globals could not be read: {glob}, line 2: " in page


def test_globals_physnets_and_the_pools_on_them(portal_settings, cloud, tmp_path):
    admin = cloud.connect("admin")
    public = admin.network.find_network(cloud.external_network, ignore_missing=False)
    glob = tmp_path / "globals.yml"
    glob.write_text('---\nnetwork_interface: "ens3"\nneutron_external_interface: "ens4,ens5"\n')
    portal_settings.PORTAL_KOLLA_GLOBALS = str(glob)
    resp = login(cloud, "admin").get("/admin/cloud/")
    page = resp.content.decode()
    assert 'data-testid="network-interface">ens3' in page
    assert 'data-testid="external-interface">ens4, ens5' in page
    row = page.split(f'data-physnet="{public.provider_physical_network}"')[1].split("</tr>")[0]
    assert public.id in row and "br-ex" in row


def test_usage_across_projects_sorted_with_links(portal_settings, cloud):
    resp = login(cloud, "admin").get("/admin/cloud/usage/?sort=vcpus&dir=desc")
    assert resp.status_code == 200
    page = resp.content.decode()
    names = re.findall(r'data-testid="project" data-project="([^"]+)"', page)
    assert {"admin", "demo"} <= set(names)
    used = [int(x) for x in re.findall(
        r'data-testid="vcpus">.*?<span class="figures">(\d+) /', page, re.S)]
    assert used == sorted(used, reverse=True) and len(used) == len(names)
    by_name = login(cloud, "admin").get("/admin/cloud/usage/?sort=name").content.decode()
    listed = re.findall(r'data-testid="project" data-project="([^"]+)"', by_name)
    assert listed == sorted(listed, key=str.lower)
    assert 'aria-sort="ascending"' in by_name
    # Each project's row links to its servers in the admin list of every project's servers.
    demo = cloud.connect("demo").current_project_id
    assert f'href="/servers/admin/?project={demo}"' in by_name
    # A sort key that is not a column is the name order, not an error.
    assert login(cloud, "admin").get("/admin/cloud/usage/?sort=%00").status_code == 200


@pytest.fixture
def second_compute(cloud):
    """An idle compute host beside devcloud's (compute01), for this test only."""
    cloud.devcloud.admin_api("POST", "config", {"compute_hosts": 2})
    conn = cloud.connect("admin")
    (svc,) = [s for s in conn.compute.services(binary="nova-compute", host="compute01")]
    yield svc
    cloud.devcloud.admin_api("DELETE", "services")
    cloud.devcloud.admin_api("POST", "config", {"compute_hosts": 1})


@pytest.mark.devcloud_only(reason="disables a compute host: the real cloud has one, which "
                                  "every other test run schedules to")
def test_disable_and_enable_a_compute_service(portal_settings, cloud, second_compute):
    client = login(cloud, "admin")
    page = client.get("/admin/cloud/").content.decode()
    assert 'data-testid="disable-compute01"' in page and "partials" not in page
    url = f"/admin/cloud/services/{second_compute.id}"
    refused = client.post(f"{url}/disable/", {"reason": "  "}, follow=True)
    assert "Say why the service is disabled" in text(refused)
    conn = cloud.connect("admin")
    assert _status(conn) == ("enabled", None)
    done = client.post(f"{url}/disable/", {"reason": "replacing a disk"}, follow=True)
    assert "nova-compute on compute01 disabled" in text(done)
    assert _status(conn) == ("disabled", "replacing a disk")
    assert 'data-testid="enable-compute01"' in done.content.decode()
    assert "compute_service.disable" in audit_actions()
    client.post(f"{url}/enable/")
    assert _status(conn) == ("enabled", None)
    assert "compute_service.enable" in audit_actions()
    # Not a nova-compute service (the scheduler's id), or no service at all: 404.
    scheduler = [s for s in conn.compute.services(binary="nova-scheduler")][0]
    assert client.post(f"/admin/cloud/services/{scheduler.id}/disable/",
                       {"reason": "x"}).status_code == 404
    assert client.post("/admin/cloud/services/0000/enable/").status_code == 404


def _status(conn) -> tuple:
    (svc,) = [s for s in conn.compute.services(binary="nova-compute", host="compute01")]
    return svc.status, svc.disabled_reason
