"""The network, router and security group detail pages' panels as the poller pushes them
(networks/_network_panels.html, _router_panels.html, _sg_panels.html; each page includes
its panels from the same partial), shaped by the selectors' own functions
(network_shown, router_shown, security_group_shown) from the poller's batched calls, so
a pushed panel is what reloading the page would show.

    which pages   a network whose revision changed, or one of whose subnets or ports was
                  made, changed or deleted (a port made on a network does not bump the
                  network); a router or group whose revision changed (an interface added
                  or removed, a gateway set, a rule added or removed bump it); a router
                  of a project one of whose subnets changed (its add-interface form
                  offers the project's free subnets, and names the attached ones)
    where         the owning project's open pages only, as the list rows; one variant
                  per audience (the Edit, Delete, Remove actions and the add-interface
                  form are a member's); a page not showing that object drops them
    deleted       nothing is pushed: the page stays as it was until it is left
"""

from django.template.loader import render_to_string

from portal.access import AUDIENCES

from .forms import InterfaceForm

TEMPLATES = {"networks": "networks/_network_panels.html",
             "routers": "networks/_router_panels.html",
             "security_groups": "networks/_sg_panels.html"}


def _parents(kind: str, ids: set, now: dict, before: dict, column: int) -> set:
    """The value of `column` (the snapshot's: 1 project, 2 network) of changed ids (as
    they are now) and of gone ones (as they were)."""
    return ({now[kind][i][column] for i in ids if i in now[kind]}
            | {before[kind][i][column] for i in ids if i not in now[kind]})


def touched(diffs: dict, now: dict, before: dict) -> dict[str, set]:
    """{kind: ids} of the detail pages this tick's changes show differently (see above)."""
    def moved(kind):
        return diffs[kind][0] | diffs[kind][1]

    networks = set(diffs["networks"][0])
    networks |= _parents("subnets", moved("subnets"), now, before, 2)
    networks |= _parents("ports", moved("ports"), now, before, 2)
    projects = _parents("subnets", moved("subnets"), now, before, 1)
    routers = set(diffs["routers"][0])
    routers |= {i for i, seen in now["routers"].items() if seen[1] in projects}
    return {"networks": networks & set(now["networks"]), "routers": routers,
            "security_groups": set(diffs["security_groups"][0])}


def render(kind: str, shown: dict) -> dict:
    """{audience: the object's panels, out of band}, from its selector's shaped dict."""
    context = {**shown, "oob": True}
    if kind == "routers":  # the add-interface form, as RouterDetail makes it
        context["form"] = InterfaceForm(subnets=shown["free_subnets"])
    return {audience: render_to_string(TEMPLATES[kind], {**context, "perms_": perms})
            for audience, perms in AUDIENCES.items()}
