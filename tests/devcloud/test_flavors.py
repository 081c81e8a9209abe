"""Nova's flavors in devcloud, admin side: create (validation, duplicates), description
(2.55), delete, private flavors and os-flavor-access. The expected answers are the real
Nova 34's (2026.2), recorded against ../shared/realcloud with the same requests."""

import uuid

import pytest


@pytest.fixture
def tag():
    return f"t{uuid.uuid4().hex[:6]}"


@pytest.fixture
def flavors(nova_admin):
    """Flavor ids to delete after the test."""
    made = []
    yield made
    for flavor_id in made:
        nova_admin.nova("DELETE", f"/flavors/{flavor_id}")


def create(client, made, mv="2.1", **fields):
    resp = client.nova("POST", "/flavors", {"flavor": fields}, mv=mv)
    if resp.status_code == 200:
        made.append(resp.json()["flavor"]["id"])
    return resp


def message(resp) -> str:
    return next(iter(resp.json().values()))["message"]


def test_create_shows_the_flavor_and_lists_it(nova_admin, nova_demo, flavors, tag):
    resp = create(nova_admin, flavors, name=tag, ram="512", vcpus=2, disk=10, id=tag,
                  swap=256, **{"OS-FLV-EXT-DATA:ephemeral": 5})
    assert resp.status_code == 200
    body = resp.json()["flavor"]
    body.pop("links")
    assert body == {"id": tag, "name": tag, "ram": 512, "disk": 10, "swap": 256,
                    "OS-FLV-EXT-DATA:ephemeral": 5, "OS-FLV-DISABLED:disabled": False,
                    "vcpus": 2, "os-flavor-access:is_public": True, "rxtx_factor": 1.0}
    assert tag in [f["id"] for f in nova_demo.nova("GET", "/flavors").json()["flavors"]]
    # an integer id is kept as text; no id (or null) is a UUID Nova picks
    numeric = create(nova_admin, flavors, name=f"{tag}-n", ram=1, vcpus=1, disk=0, id=987654)
    assert numeric.json()["flavor"]["id"] == "987654"
    picked = create(nova_admin, flavors, name=f"{tag}-u", ram=1, vcpus=1, disk=0, id=None)
    assert uuid.UUID(picked.json()["flavor"]["id"])


@pytest.mark.parametrize("fields, text", [
    ({"vcpus": 0}, "Invalid input for field/attribute vcpus. Value: 0. 0 is less than the "
                   "minimum of 1"),
    ({"ram": "0"}, "Invalid input for field/attribute ram. Value: 0. 0 is less than the "
                   "minimum of 1"),
    ({"ram": 1.5}, "Invalid input for field/attribute ram. Value: 1.5. 1.5 is not of type "
                   "'integer', 'string'"),
    ({"ram": "x"}, "Invalid input for field/attribute ram. Value: x. 'x' does not match "
                   "'^[0-9]+$'"),
    ({"disk": -1}, "Invalid input for field/attribute disk. Value: -1. -1 is less than the "
                   "minimum of 0"),
    ({"vcpus": 2 ** 31}, "Invalid input for field/attribute vcpus. Value: 2147483648. "
                         "2147483648 is greater than the maximum of 2147483647"),
    ({"swap": None}, "Invalid input for field/attribute swap. Value: None. None is not of "
                     "type 'integer', 'string'"),
    ({"name": ""}, "Invalid input for field/attribute name. Value: . '' should be non-empty"),
    ({"name": " lead"}, "An invalid 'name' value was provided. The name must be: printable "
                        "characters. Can not start or end with whitespace."),
    ({"name": "tab\there"}, "An invalid 'name' value was provided. The name must be: "
                            "printable characters. Can not start or end with whitespace."),
    ({"id": "a/b"}, "Invalid input for field/attribute id. Value: a/b. 'a/b' does not match "
                    "'^(?! )[a-zA-Z0-9. _-]+(?<! )$'"),
    ({"id": ""}, "Invalid input for field/attribute id. Value: . '' should be non-empty"),
    ({"rxtx_factor": 0}, "Invalid input for field/attribute rxtx_factor. Value: 0. 0 is less "
                         "than or equal to the minimum of 0"),
    ({"os-flavor-access:is_public": None}, "Invalid input for field/attribute "
                                           "os-flavor-access:is_public. Value: None. None is "
                                           "not of type 'boolean', 'string'"),
    ({"bogus": 1}, "Additional properties are not allowed ('bogus' was unexpected)"),
    ({"description": "d"}, "Additional properties are not allowed ('description' was "
                           "unexpected)"),  # description only from 2.55
])
def test_create_refuses_what_nova_refuses(nova_admin, flavors, tag, fields, text):
    resp = create(nova_admin, flavors, **{"name": tag, "ram": 64, "vcpus": 1, "disk": 0,
                                          **fields})
    assert resp.status_code == 400
    assert message(resp).endswith(text)
    listed = nova_admin.nova("GET", "/flavors/detail?is_public=none").json()["flavors"]
    assert tag not in [f["name"] for f in listed] and flavors == []


def test_missing_fields_and_bodies(nova_admin, nova_demo, flavors):
    resp = nova_admin.nova("POST", "/flavors", {"flavor": {"ram": 0, "vcpus": 1, "disk": 0}})
    assert message(resp).endswith("0 is less than the minimum of 1")  # deeper error first
    resp = nova_admin.nova("POST", "/flavors", {"flavor": {"name": "x", "vcpus": 1, "disk": 0}})
    assert message(resp) == ("Invalid input for field/attribute flavor. Value: {'name': 'x', "
                             "'vcpus': 1, 'disk': 0}. 'ram' is a required property")
    assert message(nova_admin.nova("POST", "/flavors", {"flavour": {}})) == \
        "'flavor' is a required property"
    assert message(nova_admin.nova("POST", "/flavors")) == "None is not of type 'object'"
    # the schema is checked before the policy: a member's bad body is a 400, a good one 403
    assert nova_demo.nova("POST", "/flavors", {"flavor": {"name": ""}}).status_code == 400
    member = nova_demo.nova("POST", "/flavors", {"flavor": {
        "name": "m", "ram": 1, "vcpus": 1, "disk": 0}})
    assert member.status_code == 403 and message(member) == (
        "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.")


def test_duplicates_are_409_whatever_the_case(nova_admin, flavors, tag):
    create(nova_admin, flavors, name=f"{tag}-a", ram=64, vcpus=1, disk=0, id=f"{tag}-a")
    same_name = create(nova_admin, flavors, name=f"{tag}-A".upper(), ram=64, vcpus=1, disk=0)
    assert same_name.status_code == 409 and same_name.json() == {"conflictingRequest": {
        "code": 409, "message": f"Flavor with name {tag.upper()}-A already exists."}}
    same_id = create(nova_admin, flavors, name=f"{tag}-b", ram=64, vcpus=1, disk=0,
                     id=f"{tag}-A")
    assert same_id.status_code == 409
    assert message(same_id) == f"Flavor with ID {tag}-A already exists."
    both = create(nova_admin, flavors, name=f"{tag}-a", ram=64, vcpus=1, disk=0, id=f"{tag}-a")
    assert message(both) == f"Flavor with ID {tag}-a already exists."  # the id is met first
    assert nova_admin.nova("GET", f"/flavors/{tag.upper()}-A").json()["flavor"]["id"] == \
        f"{tag}-a"
    assert flavors == [f"{tag}-a"]


def test_description_from_2_55(nova_admin, nova_demo, flavors, tag):
    made = create(nova_admin, flavors, mv="2.55", name=tag, ram=64, vcpus=1, disk=0, id=tag,
                  description="hello")
    assert made.json()["flavor"]["description"] == "hello"
    assert "description" not in nova_admin.nova("GET", f"/flavors/{tag}", mv="2.54").json()[
        "flavor"]
    bad = create(nova_admin, flavors, mv="2.55", name=f"{tag}-x", ram=64, vcpus=1, disk=0,
                 description="two\nlines")
    assert bad.status_code == 400 and message(bad).startswith(
        "Invalid input for field/attribute description. Value: two\nlines. "
        "'two\\nlines' does not match '^[\\\\ -\\\\~")
    put = nova_admin.nova("PUT", f"/flavors/{tag}", {"flavor": {"description": "new"}},
                          mv="2.55")
    assert put.status_code == 200 and put.json()["flavor"]["description"] == "new"
    assert nova_admin.nova("PUT", f"/flavors/{tag}", {"flavor": {"description": "x"}},
                           mv="2.54").json() == {"itemNotFound": {
        "code": 404, "message": "The resource could not be found."}}
    assert message(nova_admin.nova("PUT", f"/flavors/{tag}", {"flavor": {"name": "x"}},
                                   mv="2.55")) == (
        "Invalid input for field/attribute flavor. Value: {'name': 'x'}. 'description' is a "
        "required property")
    assert nova_demo.nova("PUT", f"/flavors/{tag}", {"flavor": {"description": "m"}},
                          mv="2.55").status_code == 403


def test_delete(nova_admin, nova_demo, flavors, tag):
    create(nova_admin, flavors, name=tag, ram=64, vcpus=1, disk=0, id=tag)
    assert message(nova_demo.nova("DELETE", f"/flavors/{tag}")) == (
        "Policy doesn't allow os_compute_api:os-flavor-manage:delete to be performed.")
    assert nova_admin.nova("DELETE", f"/flavors/{tag}").status_code == 202
    again = nova_admin.nova("DELETE", f"/flavors/{tag}")
    assert again.status_code == 404 and message(again) == f"Flavor {tag} could not be found."


def test_private_flavor_is_seen_by_the_projects_given_it(nova_admin, nova_demo, flavors, tag):
    create(nova_admin, flavors, name=tag, ram=64, vcpus=1, disk=0, id=tag,
           **{"os-flavor-access:is_public": "false"})
    demo_id = nova_demo.project_id()

    def ids(client, query=""):
        return [f["id"] for f in client.nova("GET", f"/flavors/detail{query}").json()["flavors"]]
    assert tag not in ids(nova_demo) and tag not in ids(nova_admin)  # admin's default: public
    assert tag in ids(nova_admin, "?is_public=None") and ids(nova_admin, "?is_public=no") == [tag]
    assert message(nova_admin.nova("GET", "/flavors/detail?is_public=all")) == \
        "Invalid is_public filter [all]"
    assert nova_demo.nova("GET", f"/flavors/{tag}").status_code == 404
    boot = nova_demo.nova("POST", "/servers", {"server": {
        "name": tag, "flavorRef": tag, "imageRef": nova_demo.cirros(), "networks": "none"}})
    assert boot.status_code == 400 and message(boot) == f"Flavor {tag} could not be found."

    action = f"/flavors/{tag}/action"
    added = nova_admin.nova("POST", action, {"addTenantAccess": {"tenant": demo_id}})
    assert added.status_code == 200
    assert added.json() == {"flavor_access": [{"flavor_id": tag, "tenant_id": demo_id}]}
    assert nova_admin.nova("GET", f"/flavors/{tag}/os-flavor-access").json() == added.json()
    assert tag in ids(nova_demo) and nova_demo.nova("GET", f"/flavors/{tag}").status_code == 200
    assert tag in ids(nova_demo, "?is_public=false")  # a member's is_public is ignored

    again = nova_admin.nova("POST", action, {"addTenantAccess": {"tenant": demo_id}})
    assert again.status_code == 409 and message(again).startswith("Flavor access already "
                                                                  "exists for flavor ")
    assert message(again).endswith(f" and project {demo_id} combination.")
    unknown = nova_admin.nova("POST", action, {"addTenantAccess": {"tenant": "nosuchproject"}})
    assert unknown.status_code == 400
    assert message(unknown) == "Project ID nosuchproject is not a valid project."
    removed = nova_admin.nova("POST", action, {"removeTenantAccess": {"tenant": demo_id}})
    assert removed.json() == {"flavor_access": []}
    gone = nova_admin.nova("POST", action, {"removeTenantAccess": {"tenant": demo_id}})
    assert gone.status_code == 404 and message(gone).startswith("Flavor access not found for ")
    assert tag not in ids(nova_demo)


def test_access_refusals(nova_admin, nova_demo, flavors, tag):
    create(nova_admin, flavors, name=tag, ram=64, vcpus=1, disk=0, id=tag)
    assert nova_admin.nova("GET", f"/flavors/{tag}/os-flavor-access").json() == {
        "itemNotFound": {"code": 404, "message": "Access list not available for public "
                                                 "flavors."}}
    assert message(nova_demo.nova("GET", f"/flavors/{tag}/os-flavor-access")) == (
        "Policy doesn't allow os_compute_api:os-flavor-access to be performed.")
    demo_id = nova_demo.project_id()
    assert message(nova_demo.nova("POST", f"/flavors/{tag}/action", {
        "addTenantAccess": {"tenant": demo_id}})) == (
        "Policy doesn't allow os_compute_api:os-flavor-access:add_tenant_access to be "
        "performed.")
    for body, text in [
        ({"bogus": {}}, "There is no such action: bogus"),
        ({}, "Malformed request body"),
        ({"addTenantAccess": {}}, "Invalid input for field/attribute addTenantAccess. "
                                  "Value: {}. 'tenant' is a required property"),
        ({"addTenantAccess": {"tenant": ""}}, "Invalid input for field/attribute tenant. "
                                              "Value: . '' should be non-empty"),
    ]:
        resp = nova_admin.nova("POST", f"/flavors/{tag}/action", body)
        assert (resp.status_code, message(resp)) == (400, text)
    missing = nova_admin.nova("POST", f"/flavors/{tag}-no/action", {
        "addTenantAccess": {"tenant": demo_id}})
    assert missing.status_code == 404 and message(missing) == f"Flavor {tag}-no could not be found."


def test_list_paging_and_filters(nova_admin, flavors):
    first = nova_admin.nova("GET", "/flavors/detail?limit=1").json()
    assert [f["id"] for f in first["flavors"]] == ["1"]
    assert first["flavors_links"][0]["href"].endswith("/v2.1/flavors/detail?limit=1&marker=1")
    assert message(nova_admin.nova("GET", "/flavors/detail?marker=nope")) == \
        "marker [nope] not found"
    assert message(nova_admin.nova("GET", "/flavors/detail?minRam=x")) == \
        "Invalid minRam filter [x]"
    assert message(nova_admin.nova("GET", "/flavors/detail?limit=-1")) == (
        "Invalid input for query parameters limit. Value: -1. '-1' does not match "
        "'^[0-9]*$'")
    assert message(nova_admin.nova("GET", "/flavors/detail?sort_dir=up")) == (
        "Invalid input for query parameters sort_dir. Value: up. 'up' is not one of "
        "['asc', 'desc']")
    by_ram = nova_admin.nova("GET", "/flavors/detail?sort_key=memory_mb&sort_dir=desc")
    rams = [f["ram"] for f in by_ram.json()["flavors"]]
    assert rams == sorted(rams, reverse=True)
