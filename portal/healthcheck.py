"""The container healthchecks, as commands (no curl in the image, no Django to import):

    python -m portal.healthcheck web [URL]          /readyz answers 200 (default
                                                    http://127.0.0.1:$WEB_PORT/readyz)
    python -m portal.healthcheck beat [--max-age S] beat's heartbeat file is fresher than
                                                    S seconds (default 30)

Beat writes its heartbeat after every scheduler tick that went through (portal/beat.py):
a beat that hangs, or cannot reach the broker, stops writing, and the file goes stale.
"""

import argparse
import os
import sys
import time
import urllib.error
import urllib.request

DEFAULT_HEARTBEAT = "var/beat-heartbeat"


def heartbeat_path() -> str:
    return os.environ.get("PORTAL_BEAT_HEARTBEAT", DEFAULT_HEARTBEAT)


def web(url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=4) as resp:
            return resp.status == 200, f"{resp.status} {resp.read(500).decode(errors='replace')}"
    except urllib.error.HTTPError as exc:
        return False, f"{exc.code} {exc.read(500).decode(errors='replace')}"
    except OSError as exc:
        return False, str(exc)


def beat(max_age: float) -> tuple[bool, str]:
    try:
        age = time.time() - os.stat(heartbeat_path()).st_mtime
    except FileNotFoundError:
        return False, f"no heartbeat at {heartbeat_path()}"
    return age <= max_age, f"last heartbeat {age:.1f} s ago (at most {max_age:.0f} s)"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m portal.healthcheck")
    sub = ap.add_subparsers(dest="what", required=True)
    w = sub.add_parser("web")
    w.add_argument("url", nargs="?", default=(
        f"http://127.0.0.1:{os.environ.get('WEB_PORT', '8000')}/readyz"))
    b = sub.add_parser("beat")
    b.add_argument("--max-age", type=float, default=30.0)
    args = ap.parse_args(argv)
    healthy, said = web(args.url) if args.what == "web" else beat(args.max_age)
    print(said)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
