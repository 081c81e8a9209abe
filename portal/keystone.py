"""Keystone login with keystoneauth1: authenticate, list projects, scope, rescope, revoke.

What the portal keeps in the server-side session (never in a cookie):
the unscoped token (for rescoping without the password), the project-scoped token and
its body (roles and catalog, so every page reuses it with no Keystone call).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

log = logging.getLogger(__name__)


class LoginError(Exception):
    """A login problem the person can act on; the message is shown on the form, the kind
    says what went wrong (the login throttle counts the guesses, whatever the wording)."""

    CREDENTIALS = "credentials"      # wrong user name or password
    DOMAIN = "domain"                # no such domain
    NO_PROJECT = "no-project"        # right password, nothing to show
    EXPIRED = "expired"              # the unscoped token no longer works
    UNREACHABLE = "unreachable"      # Keystone does not answer
    REFUSED = "refused"              # Keystone answered with another error

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind

    @property
    def is_guess(self) -> bool:
        """A wrong name, password or domain: what a guesser gets, counted by the throttle."""
        return self.kind in (self.CREDENTIALS, self.DOMAIN)


@dataclass
class Scoped:
    token: str
    body: dict  # Keystone's token body: {"token": {...}} with roles and catalog
    expires_at: datetime

    @property
    def project(self) -> dict:
        return self.body["token"]["project"]

    @property
    def roles(self) -> list[str]:
        return [r["name"] for r in self.body["token"].get("roles", [])]

    @property
    def user(self) -> dict:
        return self.body["token"]["user"]


def _session(auth=None) -> ks_session.Session:
    from .cloud import new_session

    return new_session(auth)


def _unreachable(exc: Exception) -> LoginError:
    log.warning("Keystone at %s unreachable: %s", settings.KEYSTONE_URL, type(exc).__name__)
    return LoginError("The cloud's identity service (Keystone) is not answering. "
                      "Try again in a minute; if it persists, tell your cloud operator.",
                      LoginError.UNREACHABLE)


def authenticate(domain: str, username: str, password: str) -> tuple[str, str, list[dict]]:
    """Password → (unscoped token, user id, the user's enabled projects).
    Raises LoginError."""
    auth = v3.Password(auth_url=settings.KEYSTONE_URL, username=username, password=password,
                       user_domain_name=domain, unscoped=True)
    sess = _session(auth)
    try:
        access = auth.get_access(sess)
        resp = sess.get(f"{settings.KEYSTONE_URL}/auth/projects",
                        headers={"X-Auth-Token": access.auth_token}, authenticated=False)
    except ks_exc.Unauthorized as exc:
        if not domain_exists(domain):
            raise LoginError(f"There is no domain called “{domain}”.",
                             LoginError.DOMAIN) from exc
        raise LoginError("Wrong user name or password.", LoginError.CREDENTIALS) from exc
    except (ks_exc.ConnectFailure, ks_exc.ConnectTimeout, ks_exc.DiscoveryFailure,
            ks_exc.RequestTimeout) as exc:
        raise _unreachable(exc) from exc
    except ks_exc.HttpError as exc:
        log.warning("Keystone refused login: %s %s", exc.http_status, exc.message)
        raise LoginError("The identity service refused the login "
                         f"({exc.http_status}). Try again later.",
                         LoginError.REFUSED) from exc
    projects = [p for p in resp.json().get("projects", []) if p.get("enabled", True)]
    projects.sort(key=lambda p: p["name"].lower())
    if not projects:
        revoke(access.auth_token)
        raise LoginError(f"The user “{username}” has no role in any project, so there is "
                         "nothing to show. Ask your cloud operator to add you to a project.",
                         LoginError.NO_PROJECT)
    return access.auth_token, access.user_id, projects


def domain_exists(domain: str) -> bool:
    """Keystone answers a wrong domain and a wrong password alike (401); the service
    account can tell them apart. Without one, assume the domain exists."""
    from .cloud import service_connection

    try:
        return service_connection().identity.find_domain(domain, ignore_missing=True) is not None
    except Exception:  # noqa: BLE001 - no service account: fall back to the generic message
        log.info("could not look up domain with the service account", exc_info=True)
        return True


def scope(unscoped_token: str, project_id: str) -> Scoped:
    """Rescope the unscoped token to a project (no password needed)."""
    auth = v3.Token(auth_url=settings.KEYSTONE_URL, token=unscoped_token,
                    project_id=project_id)
    try:
        access = auth.get_access(_session(auth))
    except (ks_exc.Unauthorized, ks_exc.NotFound) as exc:
        raise LoginError("Your session has expired. Please log in again.",
                         LoginError.EXPIRED) from exc
    except (ks_exc.ConnectFailure, ks_exc.ConnectTimeout, ks_exc.DiscoveryFailure,
            ks_exc.RequestTimeout) as exc:
        raise _unreachable(exc) from exc
    return Scoped(token=access.auth_token, body=access._data, expires_at=access.expires)


def revoke(token: str) -> None:
    """Revoke a token in Keystone (logout). Best effort: an expired token is fine."""
    try:
        _session().delete(f"{settings.KEYSTONE_URL}/auth/tokens",
                          headers={"X-Auth-Token": token, "X-Subject-Token": token},
                          raise_exc=False)
    except ks_exc.ClientException:
        log.info("token revoke failed (Keystone unreachable)")
