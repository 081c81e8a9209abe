"""Which servers `make demo` runs: devcloud's tiny real guests under qemu when it can, since
only they give a server a SPICE console besides VNC (as a real Nova configured for SPICE
does); otherwise plain devcloud servers (VNC only), saying why and how to get the rest.

    GUESTS unset   tiny guests when qemu-system-x86_64 is there or apt-get (as root) can
                   install it and the guest image builds; else plain, with a message
    GUESTS=tiny    the same, but asked for
    GUESTS=plain   plain servers, nothing installed or built (the old default)
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

QEMU = "qemu-system-x86_64"
PACKAGE = "qemu-system-x86"
BOTH = "consoles: VNC (noVNC) and SPICE (spice-html5)"
VNC_ONLY = "consoles: VNC (noVNC) only, no SPICE"


@dataclass(frozen=True)
class Choice:
    guests: str   # devcloud's --guests: "tiny" or "none"
    message: str  # one line for the banner


def _can_install(which) -> bool:
    return bool(which("apt-get")) and os.geteuid() == 0


def apt_install(package: str) -> bool:
    """apt-get install, in the open (the user sees what is installed and why)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", package]
    return subprocess.run(cmd, env=env).returncode == 0


def build_image() -> str | None:
    """Build (or find cached) the guest image; None when it worked, else why not."""
    proc = subprocess.run([sys.executable, "-m", "devcloud.guests", "build"],
                          capture_output=True, text=True)
    if proc.returncode == 0:
        print(proc.stdout.strip(), flush=True)
        return None
    out = (proc.stderr or proc.stdout).strip()
    return out.splitlines()[-1] if out else f"exit status {proc.returncode}"


def choose(env: dict, *, which=shutil.which, install=apt_install,
           build=build_image, say=print) -> Choice:
    asked = (env.get("GUESTS") or "").strip().lower()
    if asked in ("plain", "none"):
        return Choice("none", f"plain devcloud servers (GUESTS={asked}); {VNC_ONLY}")
    if asked not in ("", "tiny"):
        raise SystemExit(f"GUESTS={asked!r}: use GUESTS=tiny or GUESTS=plain")
    if not which(QEMU):
        if not _can_install(which):
            return Choice("none", f"plain devcloud servers: {QEMU} is not installed and "
                                  f"cannot be installed here (needs apt-get as root); "
                                  f"{VNC_ONLY}. Install {PACKAGE} for tiny guests with SPICE.")
        say(f"make demo: installing {PACKAGE} with apt-get for tiny guests with SPICE "
            f"consoles (GUESTS=plain skips this)", flush=True)
        if not install(PACKAGE) or not which(QEMU):
            return Choice("none", f"plain devcloud servers: apt-get could not install "
                                  f"{PACKAGE}; {VNC_ONLY}")
    failed = build()
    if failed:
        return Choice("none", f"plain devcloud servers: the tiny guest image did not build "
                              f"({failed}); {VNC_ONLY}")
    return Choice("tiny", f"tiny real guests under qemu (GUESTS=plain for plain servers); "
                          f"{BOTH}")
