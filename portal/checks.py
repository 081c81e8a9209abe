"""The settings checked when a portal process starts (web, worker, beat) and by
`manage.py check --deploy`: the clouds.yaml is there and readable, the cloud it is told to
use is in it, KEYSTONE_URL names that cloud's Keystone, the console mode is one there is.
A wrong one stops the process with what to change, not the first page with a 500.

Registered as deployment checks, so building the image (collectstatic, with no clouds.yaml
yet) and the demo's migrate (before devcloud wrote its clouds.yaml) are not held up by
them; `at_start()` runs them in the processes that need them.
"""

import os
import sys
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.core import checks

CONSOLE_MODES = ("proxy", "direct")
TAG = "stackport"


def _keystone(url: str) -> tuple[str, str, str]:
    """scheme, host:port and path without the version: http://h:5000/v3/ ≡ http://h:5000."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if path.rsplit("/", 1)[-1] in ("v3", "v3.0"):
        path = path.rsplit("/", 1)[0]
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, f"{(parts.hostname or '').lower()}:{port}", path


@checks.register(TAG, deploy=True)
def cloud_settings(app_configs=None, **kwargs) -> list:
    errors = []
    mode = settings.PORTAL_CONSOLE_MODE
    if mode not in CONSOLE_MODES:
        errors.append(checks.Error(
            f"PORTAL_CONSOLE_MODE is {mode!r}.", id="stackport.E004",
            hint="proxy (relay to the cloud's console proxy) or direct (raw TCP to the "
                 "compute host's VNC/SPICE port)."))
    path = settings.OS_CLIENT_CONFIG_FILE
    try:
        with open(path, encoding="utf-8") as f:
            config = yaml.safe_load(f) or {}
    except OSError as exc:
        return errors + [checks.Error(
            f"The clouds.yaml at {path} cannot be read: {exc.strerror}.", id="stackport.E001",
            hint="Set OS_CLIENT_CONFIG_FILE to the clouds.yaml kolla-ansible post-deploy "
                 "wrote (readable by the portal's user).")]
    except yaml.YAMLError as exc:
        return errors + [checks.Error(f"The clouds.yaml at {path} is not YAML: {exc}",
                                      id="stackport.E001")]
    clouds = (config.get("clouds") or {}) if isinstance(config, dict) else {}
    cloud = clouds.get(settings.OS_CLOUD)
    if not isinstance(cloud, dict):
        return errors + [checks.Error(
            f"The clouds.yaml at {path} has no cloud {settings.OS_CLOUD!r}"
            f" (it has: {', '.join(sorted(clouds)) or 'none'}).", id="stackport.E002",
            hint="Set OS_CLOUD to the service account's cloud in it.")]
    auth_url = (cloud.get("auth") or {}).get("auth_url", "")
    if not auth_url:
        errors.append(checks.Error(f"Cloud {settings.OS_CLOUD!r} in {path} has no auth_url.",
                                   id="stackport.E003"))
    elif _keystone(auth_url) != _keystone(settings.KEYSTONE_URL) and \
            not os.environ.get("PORTAL_KEYSTONE_URL_DIFFERS"):
        errors.append(checks.Error(
            f"KEYSTONE_URL is {settings.KEYSTONE_URL}, but cloud {settings.OS_CLOUD!r} in "
            f"{path} authenticates at {auth_url}.", id="stackport.E003",
            hint="People log in at KEYSTONE_URL and the service account at the auth_url: "
                 "both must be the same Keystone. Set KEYSTONE_URL to it, or "
                 "PORTAL_KEYSTONE_URL_DIFFERS=1 when the portal reaches that Keystone by "
                 "another address."))
    return errors


def at_start(process: str) -> None:
    """Run the checks in a starting process; print what is wrong and exit 1 when anything
    is. The demo skips them: its devcloud writes the clouds.yaml while the web starts."""
    if settings.DEMO:
        return
    found = [m for m in checks.run_checks(include_deployment_checks=True, tags=[TAG])
             if m.is_serious()]
    if not found:
        return
    lines = [f"Stackport {process} cannot start: the settings are wrong."]
    for message in found:
        lines.append(f"  {message.id}: {message.msg}")
        if message.hint:
            lines.append(f"      {message.hint}")
    print("\n".join(lines), file=sys.stderr, flush=True)
    raise SystemExit(1)
