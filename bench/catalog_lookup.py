"""What asking "does the catalog have Cinder?" costs a page, with and without Cinder.

    .venv/bin/python bench/catalog_lookup.py [--calls 2000]

On its own devcloud (then one started with --no-volume): a member's openstacksdk
connection, `conn.has_service("block-storage")` as the pages asked it before (no HTTP
call: the catalog is in the token, but openstacksdk walks its config and keystoneauth's
catalog each time, and logs a warning when the service is missing) against
portal.catalog.has_block_storage (the answer kept per token). A page asks it once for the
menu, and once more for each volume part (the usage fragment, the server detail's slot
and Volumes row). Measured (two runs, 2,000 lookups each): with Cinder 5.6-5.9 ms →
0.17-0.18 ms a lookup, without 3.1-4.6 ms → 0.10-0.13 ms; no HTTP call either way.
"""

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openstack  # noqa: E402

from devcloud import testing  # noqa: E402
from portal import catalog  # noqa: E402


def _per_call_us(fn, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls * 1e6


def measure(extra: list[str], calls: int) -> None:
    with testing.running(Path(tempfile.mkdtemp()) / "state", *extra) as dc:
        conn = openstack.connect(auth_url=dc.auth_url, username="alice", password="alice",
                                 project_name="alpha", user_domain_name="Default",
                                 project_domain_name="Default", region_name="RegionOne")
        conn.has_service("block-storage")          # the token, once
        before = len(dc.admin_api("GET", "stats")["calls"])
        sdk = _per_call_us(lambda: conn.has_service("block-storage"), calls)
        kept = _per_call_us(lambda: catalog.has_block_storage(conn), calls)
        # admin_api's own token is the one call it makes
        http = len(dc.admin_api("GET", "stats")["calls"]) - before - 1
        print(f"{'without' if extra else 'with'} Cinder (has={catalog.has_block_storage(conn)})"
              f": openstacksdk has_service {sdk / 1000:.2f} ms a lookup, portal.catalog "
              f"{kept / 1000:.2f} ms; HTTP calls during {2 * calls} lookups: {http}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)   # the SDK's warning per missing lookup
    for extra in ([], ["--no-volume"]):
        measure(extra, args.calls)


if __name__ == "__main__":
    main()
