"""Keystone login with keystoneauth1: authenticate, list projects, scope, rescope, revoke.

    login(domain, user, password, remembered, pick)
        one password authentication scoped straight to the remembered project (the
        project the person last worked in); its projects are listed afterwards, by the
        landing page, with that token and at the same time as the page's own calls
        (list_projects). Without a remembered project, or when Keystone refuses that
        scope (the role or the project is gone): an unscoped token, the projects, `pick`,
        and the token rescoped to the picked project.

A password check costs about 0.35 s on a real cloud (a rescope far less), so the usual
login makes one, and the POST waits for nothing else from Keystone.

What the portal keeps in the server-side session (never in a cookie): the project-scoped
token and its body (roles and catalog, so every page reuses it with no Keystone call),
and the unscoped token when the login made one. Switching projects rescopes whichever
token the session has (Keystone's token method; a scoped token may be rescoped unless
the operator set `[token] allow_rescope_scoped_token = false`, then the person is asked
to log in again); logout revokes every token the session holds.
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


def _session() -> ks_session.Session:
    """The one Keystone session of the process (its keep-alive connection reused by every
    login, rescope and revoke); each call names its own plugin or token."""
    from .cloud import keystone_session

    return keystone_session()


def _unreachable(exc: Exception) -> LoginError:
    log.warning("Keystone at %s unreachable: %s", settings.KEYSTONE_URL, type(exc).__name__)
    return LoginError("The cloud's identity service (Keystone) is not answering. "
                      "Try again in a minute; if it persists, tell your cloud operator.",
                      LoginError.UNREACHABLE)


def _refused(exc: ks_exc.HttpError) -> LoginError:
    log.warning("Keystone refused login: %s %s", exc.http_status, exc.message)
    return LoginError("The identity service refused the login "
                      f"({exc.http_status}). Try again later.", LoginError.REFUSED)


def _wrong_credentials(domain: str, exc: Exception) -> LoginError:
    if not domain_exists(domain):
        return LoginError(f"There is no domain called “{domain}”.", LoginError.DOMAIN)
    return LoginError("Wrong user name or password.", LoginError.CREDENTIALS)


UNREACHABLE = (ks_exc.ConnectFailure, ks_exc.ConnectTimeout, ks_exc.DiscoveryFailure,
               ks_exc.RequestTimeout)


def _projects(sess, token: str) -> list[dict]:
    """The user's enabled projects (any token of theirs, scoped or not), by name."""
    resp = sess.get(f"{settings.KEYSTONE_URL}/auth/projects",
                    headers={"X-Auth-Token": token}, authenticated=False)
    projects = [p for p in resp.json().get("projects", []) if p.get("enabled", True)]
    projects.sort(key=lambda p: p["name"].lower())
    return projects


def authenticate(domain: str, username: str, password: str) -> tuple[str, str, list[dict]]:
    """Password → (unscoped token, user id, the user's enabled projects).
    Raises LoginError."""
    auth = v3.Password(auth_url=settings.KEYSTONE_URL, username=username, password=password,
                       user_domain_name=domain, unscoped=True)
    sess = _session()
    try:
        access = auth.get_access(sess)
        projects = _projects(sess, access.auth_token)
    except ks_exc.Unauthorized as exc:
        raise _wrong_credentials(domain, exc) from exc
    except UNREACHABLE as exc:
        raise _unreachable(exc) from exc
    except ks_exc.HttpError as exc:
        raise _refused(exc) from exc
    if not projects:
        revoke(access.auth_token)
        raise LoginError(f"The user “{username}” has no role in any project, so there is "
                         "nothing to show. Ask your cloud operator to add you to a project.",
                         LoginError.NO_PROJECT)
    return access.auth_token, access.user_id, projects


@dataclass
class Login:
    scoped: Scoped
    projects: list[dict] | None  # None: not listed yet (the landing page lists them)
    unscoped_token: str = ""     # "" when the login went straight to the project


@dataclass(frozen=True)
class Remembered:
    """The project a login name last worked in (portal.models.LastProject)."""

    user_id: str
    project_id: str


def login(domain: str, username: str, password: str, remembered: Remembered | None,
          pick) -> Login:
    """Log in with one Keystone token when the project is remembered, else two (see the
    module's docstring). `pick(user_id, projects)` chooses the project of a login that
    had to list the projects first. Raises LoginError."""
    if remembered is not None:
        got = _login_scoped(domain, username, password, remembered)
        if got is not None:
            return got
    unscoped, user_id, projects = authenticate(domain, username, password)
    try:
        scoped = scope(unscoped, pick(user_id, projects)["id"])
    except BaseException:
        revoke(unscoped)
        raise
    return Login(scoped, projects, unscoped)


def _login_scoped(domain, username, password, remembered: Remembered) -> Login | None:
    """The password scoped to the remembered project (its projects are listed later).
    None when Keystone refuses the scope but the password may be right (the person's
    role or the project is gone): the caller falls back to unscoped."""
    auth = v3.Password(auth_url=settings.KEYSTONE_URL, username=username, password=password,
                       user_domain_name=domain, project_id=remembered.project_id)
    sess = _session()
    try:
        access = auth.get_access(sess)
    except (ks_exc.Unauthorized, ks_exc.NotFound) as exc:
        # Keystone says 401 alike to a wrong password and to a scope the user lost. The
        # service account tells them apart without a second password check (Keystone's
        # own lockout would count that twice); without one, the fallback asks Keystone.
        if still_member(remembered) is True:
            raise _wrong_credentials(domain, exc) from exc
        return None
    except UNREACHABLE as exc:
        raise _unreachable(exc) from exc
    except ks_exc.HttpError as exc:
        raise _refused(exc) from exc
    scoped = Scoped(token=access.auth_token, body=access._data, expires_at=access.expires)
    return Login(scoped, projects=None)   # listed by the landing page, with its own calls


def list_projects(token: str) -> list[dict]:
    """The person's enabled projects, asked with their token (scoped or not): the
    landing page after a login that went straight to the project. Raises keystoneauth's
    exceptions (Unauthorized: the token is no longer valid)."""
    return _projects(_session(), token)


def still_member(remembered: Remembered) -> bool | None:
    """Whether the user still has a role on the (enabled) remembered project, asked with
    the service account; None when it cannot tell."""
    from .cloud import service_connection

    try:
        identity = service_connection().identity
        project = identity.get(f"/projects/{remembered.project_id}", raise_exc=False)
        if project.status_code == 404:
            return False
        project.raise_for_status()
        if not project.json()["project"].get("enabled", True):
            return False
        resp = identity.get("/role_assignments", params={
            "user.id": remembered.user_id, "scope.project.id": remembered.project_id,
            "effective": ""}, raise_exc=False)
        resp.raise_for_status()
        return bool(resp.json().get("role_assignments"))
    except Exception:  # noqa: BLE001 - no service account, or it may not ask
        log.info("could not check the remembered project with the service account",
                 exc_info=True)
        return None


def domain_exists(domain: str) -> bool:
    """Keystone answers a wrong domain and a wrong password alike (401); the service
    account can tell them apart. Without one, assume the domain exists."""
    from .cloud import service_connection

    try:
        return service_connection().identity.find_domain(domain, ignore_missing=True) is not None
    except Exception:  # noqa: BLE001 - no service account: fall back to the generic message
        log.info("could not look up domain with the service account", exc_info=True)
        return True


def scope(token: str, project_id: str) -> Scoped:
    """Rescope a token of the person's (unscoped, or scoped to another project) to a
    project: no password needed."""
    auth = v3.Token(auth_url=settings.KEYSTONE_URL, token=token, project_id=project_id)
    try:
        access = auth.get_access(_session())
    except (ks_exc.Unauthorized, ks_exc.NotFound) as exc:
        raise LoginError("Your session has expired. Please log in again.",
                         LoginError.EXPIRED) from exc
    except ks_exc.Forbidden as exc:  # [token] allow_rescope_scoped_token = false
        raise LoginError("This cloud asks for your password to change projects: log in "
                         "again, then choose the project.", LoginError.EXPIRED) from exc
    except UNREACHABLE as exc:
        raise _unreachable(exc) from exc
    return Scoped(token=access.auth_token, body=access._data, expires_at=access.expires)


def revoke(token: str) -> None:
    """Revoke a token in Keystone (logout). Best effort: an expired token is fine, and
    no token (a login that never made an unscoped one) costs no call."""
    if not token:
        return
    from .cloud import evict

    evict(token)        # the connection kept for it (portal.cloud) goes with it
    try:
        _session().delete(f"{settings.KEYSTONE_URL}/auth/tokens",
                          headers={"X-Auth-Token": token, "X-Subject-Token": token},
                          raise_exc=False)
    except ks_exc.ClientException:
        log.info("token revoke failed (Keystone unreachable)")
