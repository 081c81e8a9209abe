"""What the live-page browser tests share: opening a page and watching it stay live
(no reload, no htmx error for a fragment without its target), and how long a change made
outside the portal took to reach it."""

import time


def watch(page, url: str):
    """Open `url` and note the htmx errors the page logs (a fragment without its target
    used to be one) and that it is never reloaded."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("body[data-live=open]")
    page.evaluate("window.__notReloaded = true")
    return errors


def not_reloaded_and_clean(page, errors) -> None:
    assert page.evaluate("window.__notReloaded") is True
    assert not [e for e in errors if "oobErrorNoTarget" in e], errors


def seconds_until(page, selector: str, timeout_ms: int, **kwargs) -> float:
    """Wait for `selector` (a bounded wait) and say how long it took: a figure to print,
    never to assert on."""
    started = time.monotonic()
    page.wait_for_selector(selector, timeout=timeout_ms, **kwargs)
    return time.monotonic() - started


class Outside:
    """Servers one account makes with openstacksdk (as the `openstack` CLI would), named
    `<prefix>-…`; `clean()` deletes whatever is left and waits until Nova has."""

    def __init__(self, cloud, who: str, prefix: str, networks="none"):
        self.conn, self.prefix, self.networks = cloud.connect(who), prefix, networks
        self.image = cloud.connect("admin").image.find_image("cirros")
        self.made = []

    def __call__(self, server_name: str):
        server = self.conn.compute.create_server(name=server_name, flavor_id="1",
                                                 image_id=self.image.id,
                                                 networks=self.networks)
        self.made.append(server)
        return server

    def clean(self) -> None:
        for s in self.made:
            self.conn.compute.delete_server(s, ignore_missing=True)
        for s in self.made:
            self.conn.compute.wait_for_delete(s, wait=120)
