"""`make demo`'s process runner: the web process listens where the banner says."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from devcloud.testing import free_port
from portal.demo import banner, demo_env, processes_for

ROOT = Path(__file__).resolve().parents[2]


def test_web_answers_on_the_url_the_banner_prints(tmp_path, monkeypatch):
    for name in ("WEB_PORT", "DEVCLOUD_PORT", "DEVCLOUD_CONSOLE_PORT"):
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
