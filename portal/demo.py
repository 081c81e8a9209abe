"""`make demo`: migrate, then run devcloud, web, worker and beat (and an embedded Redis
when REDIS_URL is unset) under honcho, and print the URL and the demo logins.
Servers are tiny real guests when qemu is there (see demo_guests.py: VNC and SPICE
consoles), else plain devcloud servers. Ctrl-C stops everything it started, and the
demo (and `make demo` around it) then exits 0: an asked-for stop is not an error."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from portal import demo_guests

ROOT = Path(__file__).resolve().parent.parent
LOGINS = [("admin", "admin", "admin, cloud administrator"),
          ("demo", "demo", "member of project demo"),
          ("alice", "alice", "member of project alpha"),
          ("bob", "bob", "member of project beta"),
          ("reader", "reader", "reader of project demo"),
          ("helpdesk", "helpdesk", "helpdesk: any server's console")]


def demo_env(guests: str = "none") -> dict:
    """The demo's environment; guests is devcloud's --guests ("tiny" or "none")."""
    env = dict(os.environ)
    env.setdefault("PORTAL_DEMO", "1")
    env.setdefault("DEBUG", "1")
    # Not PORT: honcho gives each process its own PORT (base + 100 per process).
    env.setdefault("WEB_PORT", "8000")
    env.setdefault("DEVCLOUD_PORT", "5000")
    env.setdefault("DEVCLOUD_CONSOLE_PORT", "6080")
    env.setdefault("DEVCLOUD_SPICE_PORT", "6082")
    env.setdefault("KEYSTONE_URL", f"http://127.0.0.1:{env['DEVCLOUD_PORT']}/v3")
    env.setdefault("OS_CLIENT_CONFIG_FILE", str(ROOT / "var" / "clouds.yaml"))
    env.setdefault("OS_CLOUD", "devcloud-portal")
    args = env.get("DEVCLOUD_ARGS", "")
    if guests != "none":
        args = f"--guests {guests} {args}"  # before DEVCLOUD_ARGS: later flags win
    env["DEVCLOUD_ARGS"] = args.strip()
    if not env.get("REDIS_URL"):
        env["EMBEDDED_REDIS_PORT"] = env.get("EMBEDDED_REDIS_PORT", "6389")
        env["REDIS_URL"] = f"redis://127.0.0.1:{env['EMBEDDED_REDIS_PORT']}/0"
        env["_EMBEDDED_REDIS"] = "1"
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env


def processes_for(env: dict) -> list[str]:
    """The Procfile entries the demo runs (Redis only when it is the embedded one)."""
    return (["redis"] if env.get("_EMBEDDED_REDIS") else []) + [
        "devcloud", "web", "worker", "beat"]


def banner(env: dict, servers: str = "") -> str:
    lines = ["", "=" * 64, f"  Stackport is starting: http://127.0.0.1:{env['WEB_PORT']}/",
             *([f"  Servers: {servers}"] if servers else []),
             "  Demo logins (domain Default):"]
    lines += [f"    {u:<9} password {p:<9} {what}" for u, p, what in LOGINS]
    lines += [f"  devcloud Keystone: {env['KEYSTONE_URL']}", "  Ctrl-C stops everything.",
              "=" * 64, ""]
    return "\n".join(lines)


@contextlib.contextmanager
def own_terminal():
    """Ctrl-C for the demo's processes only. The terminal sends SIGINT to its whole
    foreground process group, `make` included, and make killed by SIGINT exits 130
    whatever its recipe does (or prints "Error 130"). So the demo takes a process group
    of its own and makes it the terminal's foreground group while it runs, and gives
    the terminal back to make's group before it exits. Without a terminal (tests,
    CI), nothing to do."""
    try:
        fd = sys.stdin.fileno()
        ours = os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp()
    except (OSError, ValueError):
        ours = False
    if not ours:
        yield
        return
    before = os.getpgrp()
    # A background group calling tcsetpgrp gets SIGTTOU (which would stop it): ignored.
    ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.setpgid(0, 0)
        os.tcsetpgrp(fd, os.getpgrp())
    except OSError:
        signal.signal(signal.SIGTTOU, ttou)
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(fd, before)
        signal.signal(signal.SIGTTOU, ttou)


def run(argv: list[str], env: dict) -> int:
    """Run honcho until it ends; Ctrl-C (SIGINT) or SIGTERM stops it, and every process
    it started, and then counts as a clean stop (0)."""
    stopping = []
    proc = subprocess.Popen(argv, env=env)

    def stop(signum, frame):
        stopping.append(signum)
        if signum != signal.SIGINT:  # Ctrl-C reached honcho too (same process group)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    rc = proc.wait()
    # honcho answers a stop with 130 (SIGINT) or 143 (SIGTERM): what was asked for.
    return 0 if stopping and rc in (0, 130, 143, -signal.SIGINT, -signal.SIGTERM) else rc


def main() -> None:
    os.chdir(ROOT)  # the guest image and var/ are the checkout's
    with own_terminal():
        try:
            rc = start()
        except KeyboardInterrupt:  # Ctrl-C before the processes started
            rc = 0
    if rc == 0:
        print("Stackport demo stopped.", flush=True)
    sys.exit(rc)


def start() -> int:
    choice = demo_guests.choose(os.environ)
    env = demo_env(choice.guests)
    (ROOT / "var").mkdir(exist_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    processes = processes_for(env)
    print(banner(env, choice.message), flush=True)
    return run(["honcho", "start", *processes], env)


if __name__ == "__main__":
    main()
