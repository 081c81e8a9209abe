"""Start a devcloud in a subprocess on free loopback ports, for tests and benchmarks."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningDevcloud:
    host: str
    port: int
    console_port: int
    state_dir: Path
    clouds_yaml: Path
    process: subprocess.Popen
    spice_port: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}/v3"

    def token(self, user: str = "admin", password: str | None = None,
              project: str | None = None) -> str:
        """A project-scoped token for a demo account (default project when none given)."""
        auth = {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password or user, "domain": {"name": "Default"}}}}}
        if project:
            auth["scope"] = {"project": {"name": project, "domain": {"name": "Default"}}}
        req = urllib.request.Request(f"{self.auth_url}/auth/tokens?nocatalog",
                                     data=json.dumps({"auth": auth}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as resp:
            return resp.headers["X-Subject-Token"]

    def admin_api(self, method: str, path: str, body: dict | None = None):
        """Call devcloud's own admin API (/devcloud/...) with an admin token."""
        req = urllib.request.Request(
            f"{self.base_url}/devcloud/{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", "X-Auth-Token": self.token("admin")})
        with urllib.request.urlopen(req) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(state_dir: Path, *extra: str, port: int | None = None,
          console_port: int | None = None, spice_port: int | None = None, reset: bool = True,
          timeout: float = 30) -> RunningDevcloud:
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    console_port = console_port or free_port()
    spice_port = spice_port or free_port()
    clouds_yaml = state_dir / "clouds.yaml"
    args = [sys.executable, "-m", "devcloud", "--host", "127.0.0.1", "--port", str(port),
            "--console-port", str(console_port), "--spice-port", str(spice_port),
            "--state-dir", str(state_dir),
            "--clouds-yaml", str(clouds_yaml), *extra]
    if reset:
        args.append("--reset")
    log = open(state_dir.parent / f"devcloud-{port}.log", "ab")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                            cwd=Path(__file__).resolve().parent.parent)
    running = RunningDevcloud("127.0.0.1", port, console_port, state_dir, clouds_yaml, proc,
                              spice_port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"devcloud exited with {proc.returncode}; see {log.name}")
        try:
            urllib.request.urlopen(f"{running.auth_url}", timeout=1).read()
            # Services start after the API answers; the console proxy is the last to listen.
            socket.create_connection(("127.0.0.1", console_port), timeout=1).close()
            return running
        except OSError:
            time.sleep(0.1)
    running.stop()
    raise RuntimeError("devcloud did not answer in time")


@contextmanager
def running(state_dir: Path, *extra: str, **kwargs):
    cloud = start(state_dir, *extra, **kwargs)
    try:
        yield cloud
    finally:
        cloud.stop()
