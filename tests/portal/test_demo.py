"""`make demo`'s process runner: the web process listens where the banner says; which
servers it runs (tiny guests with SPICE when qemu can be had, else plain, saying why)."""

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openstack
import pytest

from devcloud import testing
from devcloud.testing import free_port
from portal import demo_guests
from portal.demo import banner, demo_env, processes_for
from tests.guests.fixtures import guest_image  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def test_web_answers_on_the_url_the_banner_prints(tmp_path, monkeypatch):
    for name in ("WEB_PORT", "DEVCLOUD_PORT", "DEVCLOUD_CONSOLE_PORT", "DEVCLOUD_SPICE_PORT"):
        monkeypatch.setenv(name, str(free_port()))
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    # The later flags win: keep this devcloud's state out of the demo's var/.
    monkeypatch.setenv("DEVCLOUD_ARGS", f"--state-dir {tmp_path / 'dc'} "
                                        f"--clouds-yaml {tmp_path / 'clouds.yaml'} --reset")
    env = demo_env()
    url = banner(env).split("Stackport is starting: ")[1].split()[0]
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    # In Procfile order, as the demo starts them, but without the Celery processes. honcho
    # gives every process a PORT of its own: the web process must not listen on that.
    wanted = [p for p in processes_for(env) if p in ("redis", "devcloud", "web")]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "honcho"), "start", *wanted],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert urllib.request.urlopen(f"{url}login/", timeout=1).status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, f"nothing answers on {url}"
                time.sleep(0.3)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=15)


# --- which servers the demo runs ----------------------------------------------------------

class Fakes:
    """which/install/build stand-ins that record what choose() asked for."""

    def __init__(self, have=("qemu-system-x86_64", "apt-get"), installs=True, builds=True):
        self.have, self.installs, self.builds = set(have), installs, builds
        self.calls, self.said = [], []

    def which(self, name):
        return f"/usr/bin/{name}" if name in self.have else None

    def install(self, package):
        self.calls.append(("install", package))
        if self.installs:
            self.have.add("qemu-system-x86_64")
        return self.installs

    def build(self):
        self.calls.append(("build",))
        return None if self.builds else "apt-get download failed"

    def choose(self, env):
        return demo_guests.choose(env, which=self.which, install=self.install,
                                  build=self.build, say=lambda *a, **k: self.said.append(a))


def test_by_default_the_demo_runs_tiny_guests_with_both_consoles_when_qemu_is_there():
    fakes = Fakes()
    choice = fakes.choose({})
    assert choice.guests == "tiny" and "SPICE" in choice.message
    assert fakes.calls == [("build",)]
    assert "--guests tiny" in demo_env(choice.guests)["DEVCLOUD_ARGS"]


def test_qemu_is_installed_with_apt_get_when_it_can_be(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    fakes = Fakes(have={"apt-get"})
    assert fakes.choose({}).guests == "tiny"
    assert fakes.calls == [("install", "qemu-system-x86"), ("build",)]
    assert "installing qemu-system-x86" in fakes.said[0][0]


@pytest.mark.parametrize("fakes,euid,why", [
    (Fakes(have=()), 0, "cannot be installed here"),
    (Fakes(have={"apt-get"}), 1000, "cannot be installed here"),
    (Fakes(have={"apt-get"}, installs=False), 0, "apt-get could not install"),
    (Fakes(builds=False), 0, "image did not build (apt-get download failed)"),
])
def test_without_qemu_or_image_the_demo_falls_back_to_plain_and_says_why(monkeypatch, fakes,
                                                                          euid, why):
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    choice = fakes.choose({})
    assert choice.guests == "none"
    assert why in choice.message and "VNC (noVNC) only, no SPICE" in choice.message
    env = demo_env(choice.guests)
    assert "--guests" not in env["DEVCLOUD_ARGS"]
    assert choice.message in banner(env, choice.message)


def test_guests_plain_forces_plain_servers_and_touches_nothing():
    fakes = Fakes()
    choice = fakes.choose({"GUESTS": "plain"})
    assert choice.guests == "none" and fakes.calls == []
    assert "--guests" not in demo_env(choice.guests)["DEVCLOUD_ARGS"]
    with pytest.raises(SystemExit):
        fakes.choose({"GUESTS": "huge"})


@pytest.mark.qemu
def test_the_default_demo_offers_spice_and_vnc_consoles(guest_image, tmp_path,  # noqa: F811
                                                        monkeypatch):
    """The devcloud the default demo starts (same --guests choice) answers remote-consoles
    for SPICE as a real Nova configured for SPICE does, and still for VNC."""
    monkeypatch.delenv("GUESTS", raising=False)
    choice = demo_guests.choose(os.environ, say=lambda *a, **k: None)
    assert choice.guests == "tiny"
    args = shlex.split(demo_env(choice.guests)["DEVCLOUD_ARGS"])
    with testing.running(tmp_path / "state", *args, "--build-delay", "0.2") as cloud:
        conn = openstack.connect(auth_url=cloud.auth_url, username="demo", password="demo",
                                 project_name="demo", user_domain_name="Default",
                                 project_domain_name="Default", region_name="RegionOne",
                                 identity_api_version="3")
        server = conn.compute.create_server(
            name="demo-consoles", flavor_id="1", image_id=conn.image.find_image("cirros").id,
            networks=[{"uuid": conn.network.find_network("private").id}])
        server = conn.compute.wait_for_server(server, wait=60, interval=0.2)
        for protocol, type_, port in (("spice", "spice-html5", cloud.spice_port),
                                      ("vnc", "novnc", cloud.console_port)):
            console = conn.compute.create_console(server, console_type=type_)
            assert console["type"] == type_ and f":{port}/" in console["url"], protocol
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=30)


def _marked(mark: str) -> list[str]:
    """The processes (pid and command) whose environment carries `mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() in (entry / "environ").read_bytes():
                found.append(f"{entry.name} {(entry / 'cmdline').read_bytes()!r}")
        except OSError:
            continue
    return found


def test_ctrl_c_of_make_demo_stops_everything_and_exits_0(tmp_path):
    """Ctrl-C as a terminal sends it: SIGINT to the terminal's foreground process group
    (make and everything under it). `make demo` ends with status 0, no "Error 130", and
    none of the processes it started is left."""
    import fcntl
    import pty  # noqa: F401  (POSIX only, as the demo)
    import termios
    import threading
    import uuid

    mark = f"STACKPORT_DEMO_TEST={uuid.uuid4().hex}"
    ports = {name: str(free_port()) for name in (
        "WEB_PORT", "DEVCLOUD_PORT", "DEVCLOUD_CONSOLE_PORT", "DEVCLOUD_SPICE_PORT",
        "EMBEDDED_REDIS_PORT")}
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MAKEFLAGS",
                                                            "MFLAGS", "MAKELEVEL")}
    env.update(ports, GUESTS="plain", PORTAL_VAR_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
               DEVCLOUD_ARGS=f"--state-dir {tmp_path / 'dc'} "
                             f"--clouds-yaml {tmp_path / 'clouds.yaml'} --reset",
               OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"),
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    env[mark.split("=")[0]] = mark.split("=")[1]
    master, slave = os.openpty()

    def controlling_terminal():  # after setsid: the pty becomes make's terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(["make", "--no-print-directory", "demo"], cwd=ROOT, env=env,
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            preexec_fn=controlling_terminal)
    os.close(slave)
    output = bytearray()

    def read():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            output.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        url = f"http://127.0.0.1:{ports['WEB_PORT']}/login/"
        deadline = time.monotonic() + 90
        while True:
            try:
                assert urllib.request.urlopen(url, timeout=1).status == 200
                break
            except OSError:
                assert proc.poll() is None, output.decode(errors="replace")[-2000:]
                assert time.monotonic() < deadline, f"nothing answers on {url}"
                time.sleep(0.3)
        assert _marked(mark), "the demo's processes carry the mark"
        os.write(master, b"\x03")  # Ctrl-C
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    time.sleep(0.5)
    left = _marked(mark)
    for line in left:
        os.kill(int(line.split()[0]), signal.SIGKILL)
    reader.join(timeout=5)
    os.close(master)
    text = output.decode(errors="replace")
    assert rc == 0, text[-3000:]
    assert "Error 130" not in text and "Interrupt" not in text, text[-3000:]
    assert "Stackport demo stopped." in text
    assert left == [], left
