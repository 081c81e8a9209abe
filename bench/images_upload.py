"""Image upload through the portal against a direct `openstack image create --file` of the
same file, in the same run, and the web process's memory while the portal streams it.

    .venv/bin/python bench/images_upload.py [--cloud devcloud|realcloud] [--size-mib 2048]

A sparse file of --size-mib (zeros, raw) is made in a temporary directory, uploaded
through the portal's two requests (form check, then the streamed PUT) as a browser sends
it (with its Content-Length), then with the CLI; both images are deleted, and so is the
file. The web process's RSS (/proc/<pid>/status VmRSS) is sampled every 50 ms from
before the upload to its end. The CLI's figure includes its start-up (about 2-3 s on
this machine: `openstack image list --limit 1` is timed too, so it can be taken off).

devcloud (default): started here, its own state directory. realcloud: the control plane
of ../shared/realcloud (REALCLOUD_DIR), as the demo user; its Glance stores the bytes
under /opt/os/state.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import openstack
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.vmsbench import _wait_http  # noqa: E402
from devcloud import testing  # noqa: E402
from portal import serve  # noqa: E402

CHUNK = 1 << 20
MIB = 1024 * 1024
OPENSTACK = str(Path(sys.executable).with_name("openstack"))


class FileBody:
    """The file as requests sends a browser-like body: Content-Length from len(), 1 MiB
    chunks (requests' own file reading sends 16 KiB pieces)."""

    def __init__(self, path: Path):
        self.path = path
        self.size = path.stat().st_size

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        with open(self.path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk


class RssSampler(threading.Thread):
    def __init__(self, pid: int, period: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.period = pid, period
        self.samples: list[int] = []
        self.stopping = threading.Event()

    @staticmethod
    def rss_kib(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def run(self):
        while not self.stopping.is_set():
            self.samples.append(self.rss_kib(self.pid))
            time.sleep(self.period)

    def stop(self) -> int:
        self.stopping.set()
        self.join()
        return max(self.samples)


@contextmanager
def the_cloud(kind: str, tmp: Path):
    """{"auth_url", "clouds_yaml", "service_cloud", "user_cloud", "user", "password",
    "project"} for devcloud (started here) or the real cloud."""
    if kind == "devcloud":
        with testing.running(tmp / "devcloud") as dc:
            yield {"auth_url": dc.auth_url, "clouds_yaml": dc.clouds_yaml,
                   "service_cloud": "devcloud-portal", "user_cloud": "devcloud-demo",
                   "user": "demo", "password": "demo"}
        return
    from tests import realcloud

    yield {"auth_url": realcloud.KEYSTONE,
           "clouds_yaml": realcloud.clouds_yaml(realcloud.REALCLOUD_DIR),
           "service_cloud": "os-admin", "user_cloud": "os-demo", "user": "demo",
           "password": "demo"}


@contextmanager
def portal(cloud: dict, tmp: Path):
    env = dict(os.environ, PORTAL_TESTING="1", DEBUG="0", SECRET_KEY="bench-" + "k" * 40,
               DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}",
               REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
               KEYSTONE_URL=cloud["auth_url"], OS_CLIENT_CONFIG_FILE=str(cloud["clouds_yaml"]),
               OS_CLOUD=cloud["service_cloud"], ALLOWED_HOSTS="127.0.0.1",
               SESSION_COOKIE_SECURE="0", LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
               PORTAL_CLOUD_TIMEOUT="120")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    port = testing.free_port()
    with open(tmp / "web.log", "ab") as log:
        proc = subprocess.Popen(serve.command(port), cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/login/", proc)
        yield proc, url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def login(url: str, cloud: dict) -> requests.Session:
    s = requests.Session()
    s.get(f"{url}/login/").raise_for_status()
    s.post(f"{url}/login/", data={"csrfmiddlewaretoken": s.cookies["csrftoken"],
                                  "domain": "Default", "username": cloud["user"],
                                  "password": cloud["password"]},
           headers={"Referer": f"{url}/login/"}).raise_for_status()
    return s


def through_portal(url: str, s: requests.Session, web_pid: int, path: Path, name: str):
    s.get(f"{url}/images/").raise_for_status()          # warm: Glance's version document
    body = FileBody(path)
    checked = s.post(f"{url}/images/upload/", data={
        "csrfmiddlewaretoken": s.cookies["csrftoken"], "name": name, "disk_format": "raw",
        "container_format": "bare", "visibility": "private", "min_disk": "0",
        "min_ram": "0", "file_size": str(body.size)},
        headers={"Accept": "application/json", "Referer": f"{url}/images/upload/"})
    checked.raise_for_status()
    before = RssSampler.rss_kib(web_pid)
    sampler = RssSampler(web_pid)
    sampler.start()
    started = time.monotonic()
    resp = s.put(url + checked.json()["upload_url"], data=body, headers={
        "Content-Type": "application/octet-stream", "Accept": "application/json",
        "X-CSRFToken": s.cookies["csrftoken"]}, timeout=3600)
    elapsed = time.monotonic() - started
    peak = sampler.stop()
    if resp.status_code != 200:
        raise RuntimeError(f"portal upload failed: {resp.status_code} {resp.text[:300]}")
    return resp.json()["image_id"], elapsed, before, peak


def cli(cloud: dict, *args: str) -> tuple[float, str]:
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(cloud["clouds_yaml"]))
    started = time.monotonic()
    out = subprocess.run([OPENSTACK, "--os-cloud", cloud["user_cloud"], *args], env=env,
                         check=True, capture_output=True, text=True).stdout
    return time.monotonic() - started, out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cloud", choices=["devcloud", "realcloud"], default="devcloud")
    p.add_argument("--size-mib", type=int, default=2048)
    args = p.parse_args()
    size = args.size_mib * MIB
    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp_name, ExitStack() as es:
        tmp = Path(tmp_name)
        cloud = es.enter_context(the_cloud(args.cloud, tmp))
        conn = openstack.connect(auth_url=cloud["auth_url"], username=cloud["user"],
                                 password=cloud["password"], project_name=cloud["user"],
                                 user_domain_name="Default", project_domain_name="Default")
        proc, url = es.enter_context(portal(cloud, tmp))
        path = tmp / "bench-disk.img"
        with open(path, "wb") as f:
            f.truncate(size)                        # sparse: no disk blocks, all zeros
        stamp = int(time.time())
        made = []
        try:
            image_id, portal_s, before, peak = through_portal(
                url, login(url, cloud), proc.pid, path, f"bench-portal-{stamp}")
            made.append(image_id)
            startup_s, _ = cli(cloud, "image", "list", "--limit", "1")
            direct_s, out = cli(cloud, "image", "create", "--file", str(path),
                                "--disk-format", "raw", "--container-format", "bare",
                                "--private", "-f", "value", "-c", "id",
                                f"bench-direct-{stamp}")
            made.append(out.strip())
            for i in made:
                image = conn.image.get_image(i)
                assert (image.status, image.size) == ("active", size), (i, image.status)
        finally:
            for i in made:
                conn.image.delete_image(i, ignore_missing=True)
        mb = size / 1e6
        print(f"{args.cloud}: {args.size_mib} MiB sparse raw file, one upload each")
        print(f"  through the portal     {portal_s:7.1f} s  {mb / portal_s:7.1f} MB/s")
        print(f"  openstack image create {direct_s:7.1f} s  {mb / direct_s:7.1f} MB/s "
              f"(CLI start-up {startup_s:.1f} s; without it "
              f"{mb / max(direct_s - startup_s, 0.001):.1f} MB/s)")
        print(f"  web process RSS: {before / 1024:.1f} MiB before, peak {peak / 1024:.1f} MiB "
              f"during the upload (+{(peak - before) / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
