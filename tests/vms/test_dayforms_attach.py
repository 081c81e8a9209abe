"""Security groups and network interfaces from the server page, against the cloud under
test: added and removed through Nova, seen on the server's ports in Neutron; a port the
person attached stays (free) after its detach, one Nova made for a network goes."""

import pytest

from portal.models import AuditEvent

from .helpers import form_error, text, unique, wait_for
from .test_dayforms import server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(as_):
    return as_("alice")


def test_security_groups(alice, cloud, server):  # noqa: F811
    conn = cloud.connect("alice")
    group = conn.network.create_security_group(name=unique("vt-sg"), description="vt")
    try:
        page = alice.get(f"/servers/{server.id}/security-groups/")
        assert f'value="{group.id}"' in page.content.decode()
        resp = alice.post(f"/servers/{server.id}/security-groups/", {"group": "nope"})
        assert resp.status_code == 400 and "Pick one from the list" in text(resp)
        resp = alice.post(f"/servers/{server.id}/security-groups/", {"group": group.id})
        assert resp.status_code == 302, form_error(resp)
        assert AuditEvent.objects.filter(action="server.add_security_group").exists()
        [port] = list(conn.network.ports(device_id=server.id))
        wait_for(lambda: group.id in conn.network.get_port(port.id).security_group_ids,
                 what="group on the port")
        listed = alice.get(f"/servers/{server.id}/security-groups/").content.decode()
        assert f'data-group="{group.name}"' in listed
        resp = alice.post(f"/servers/{server.id}/security-groups/{group.id}/remove/")
        assert resp.status_code == 302
        assert AuditEvent.objects.filter(action="server.remove_security_group").exists()
        wait_for(lambda: group.id not in conn.network.get_port(port.id).security_group_ids,
                 what="group off the port")
        # Not on the server any more: removing it again names nothing of this server.
        assert alice.post(f"/servers/{server.id}/security-groups/{group.id}/remove/"
                          ).status_code == 404
    finally:
        conn.network.delete_security_group(group)


def test_interfaces(alice, cloud, server, networks):  # noqa: F811
    conn = cloud.connect("alice")
    net = networks["alice"]["network"]
    free = conn.network.create_port(network_id=net.id, name=unique("vt-port"))
    [first] = list(conn.network.ports(device_id=server.id))
    try:
        page = alice.get(f"/servers/{server.id}/interfaces/").content.decode()
        assert f'value="{free.id}"' in page and f'value="{net.id}"' in page
        resp = alice.post(f"/servers/{server.id}/interfaces/", {"mode": "port", "port": ""})
        assert resp.status_code == 400 and "Pick the port to attach." in text(resp)
        resp = alice.post(f"/servers/{server.id}/interfaces/",
                          {"mode": "port", "port": free.id})
        assert resp.status_code == 302, form_error(resp)
        resp = alice.post(f"/servers/{server.id}/interfaces/",
                          {"mode": "network", "network": net.id})
        assert resp.status_code == 302, form_error(resp)
        assert AuditEvent.objects.filter(action="server.attach_interface").count() == 2
        ports = wait_for(lambda: len(p := list(conn.network.ports(device_id=server.id))) == 3
                         and p, what="three ports")
        [made] = [p for p in ports if p.id not in (free.id, first.id)]
        detail = alice.get(f"/servers/{server.id}/").content.decode()
        assert f'data-port="{free.id}"' in detail
        listed = alice.get(f"/servers/{server.id}/interfaces/").content.decode()
        assert f'data-testid="detach-{free.id}"' in listed
        for port in (free, made):
            resp = alice.post(f"/servers/{server.id}/interfaces/{port.id}/detach/")
            assert resp.status_code == 302
        assert AuditEvent.objects.filter(action="server.detach_interface").count() == 2
        wait_for(lambda: len(list(conn.network.ports(device_id=server.id))) == 1,
                 what="back to one port")
        kept = conn.network.get_port(free.id)
        assert kept.device_id == ""  # a port attached by the person stays, free again
        # A port that is not the server's is not detached (404), whatever its id.
        assert alice.post(f"/servers/{server.id}/interfaces/{free.id}/detach/"
                          ).status_code == 404
    finally:
        conn.network.delete_port(free.id, ignore_missing=True)
