"""`make demo`: migrate, then run devcloud, web, worker and beat (and an embedded Redis
when REDIS_URL is unset) under honcho, and print the URL and the demo logins.
Servers are tiny real guests when qemu is there (see demo_guests.py: VNC and SPICE
consoles), else plain devcloud servers. Ctrl-C stops everything it started."""

import os
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


def main() -> None:
    os.chdir(ROOT)  # the guest image and var/ are the checkout's
    choice = demo_guests.choose(os.environ)
    env = demo_env(choice.guests)
    (ROOT / "var").mkdir(exist_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    processes = processes_for(env)
    print(banner(env, choice.message), flush=True)
    os.execvpe("honcho", ["honcho", "start", *processes], env)


if __name__ == "__main__":
    main()
