"""Logging in, as a person sees it: the POST of the login form, the POST plus the landing
page it redirects to, and that plus the landing's usage fragment (the quota bars, which
the page loads once shown), p50/p95 over N logins (each in a fresh browser session,
logged out after, so every token it makes is revoked). The portal's own Server-Timing
of the POST and the landing's cloud calls (X-Cloud-Calls) are printed too. Against a
portal from before the usage fragment, the landing itself holds the usage (its calls
are shown) and no fragment is fetched.

    .venv/bin/python bench/login.py --url http://127.0.0.1:8000 --user demo --password demo
    .venv/bin/python bench/login.py --realcloud [--user demo --password demo] [-n 20]

--realcloud starts a portal of its own (uvicorn, as bench/realcloud_pages.py does) against
the real control plane of ../shared/realcloud; it creates nothing in the cloud. The first
login of an account has no remembered project (the portal's LastProject): it is printed
on its own, and the N measured logins follow it.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.vmsbench import pct, server_timing  # noqa: E402


def one_login(url: str, domain: str, user: str, password: str) -> dict:
    s = requests.Session()
    s.get(f"{url}/login/").raise_for_status()
    data = {"csrfmiddlewaretoken": s.cookies["csrftoken"], "domain": domain,
            "username": user, "password": password}
    headers = {"Referer": f"{url}/login/"}
    t0 = time.perf_counter()
    resp = s.post(f"{url}/login/", data=data, headers=headers, allow_redirects=False)
    t1 = time.perf_counter()
    if resp.status_code != 302:
        raise SystemExit(f"login as {user} failed: {resp.status_code}")
    landing = s.get(requests.compat.urljoin(f"{url}/", resp.headers["Location"]))
    t2 = time.perf_counter()
    landing.raise_for_status()
    calls = int(landing.headers.get("X-Cloud-Calls", "0"))
    if 'hx-get="/overview/usage/"' in landing.text:
        usage = s.get(f"{url}/overview/usage/", headers={"HX-Request": "true"})
        usage.raise_for_status()
        calls += int(usage.headers.get("X-Cloud-Calls", "0"))
    t3 = time.perf_counter()
    out = {"post": (t1 - t0) * 1000, "total": (t2 - t0) * 1000, "usage": (t3 - t0) * 1000,
           "post_app": server_timing(resp.headers)["app"],
           "landing_calls": calls}
    s.post(f"{url}/logout/", data={"csrfmiddlewaretoken": s.cookies["csrftoken"]},
           headers=headers)
    return out


def run(url: str, domain: str, user: str, password: str, n: int) -> None:
    first = one_login(url, domain, user, password)
    print(f"first login (no remembered project): POST {first['post']:.0f} ms, "
          f"POST + landing {first['total']:.0f} ms")
    rows = [one_login(url, domain, user, password) for _ in range(n)]
    for key, label in (("post", "POST"), ("total", "POST + landing"),
                       ("usage", "... + usage shown"), ("post_app", "POST server time")):
        values = [r[key] for r in rows]
        print(f"  {label:17} p50 {pct(values, 50):6.0f} ms  p95 {pct(values, 95):6.0f} ms")
    print(f"  landing's cloud calls (page + fragment) "
          f"{sorted({r['landing_calls'] for r in rows})}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", help="a running portal; without it, --realcloud")
    p.add_argument("--realcloud", action="store_true",
                   help="start a portal against ../shared/realcloud")
    p.add_argument("--domain", default="Default")
    p.add_argument("--user", default="demo")
    p.add_argument("--password", default="demo")
    p.add_argument("-n", "--logins", type=int, default=20)
    args = p.parse_args()
    if args.url:
        print(f"{args.url}, {args.user}, {args.logins} logins")
        run(args.url.rstrip("/"), args.domain, args.user, args.password, args.logins)
        return
    if not args.realcloud:
        p.error("give --url or --realcloud")
    from bench.realcloud_pages import start_portal

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_portal(Path(tmp))
        try:
            print(f"real cloud, portal {url}, {args.user}, {args.logins} logins")
            run(url, args.domain, args.user, args.password, args.logins)
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
