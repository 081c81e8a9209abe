"""Keystone tokens: issue, validate, revoke, and the password/token authentication that
precedes them. A rescoped token keeps its original's expiry and audit chain."""

import secrets
from datetime import UTC, datetime, timedelta

from ..context import Context
from ..errors import CloudError

UNAUTHORIZED = "The request you have made requires authentication."


def now() -> datetime:
    return datetime.now(UTC)


def isotime(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class Tokens:
    """Mixed into the Identity service object (with Accounts, for users and roles)."""

    store = None
    token_ttl = 3600

    # --- tokens -------------------------------------------------------------
    def issue(self, user: dict, project: dict | None, methods: list[str],
              audit_chain: list[str] | None = None, expires_at: str | None = None) -> str:
        token_id = "gAAAAAB" + secrets.token_urlsafe(132)
        issued = now()
        record = {
            "user_id": user["id"], "project_id": project["id"] if project else None,
            "methods": methods, "issued_at": isotime(issued),
            "expires_at": expires_at or isotime(issued + timedelta(seconds=self.token_ttl)),
            # A rescoped token's second audit id is its chain's root (the token the chain
            # started from), however many rescopes deep, as Keystone's audit_chain_id is.
            "audit_ids": [secrets.token_urlsafe(16)[:22]] + (audit_chain or [])[-1:],
        }
        self.prune_tokens()
        self.store["tokens"][token_id] = record
        self.store.touch()
        return token_id

    def prune_tokens(self) -> None:
        stamp = isotime(now())
        tokens = self.store["tokens"]
        for tid in [t for t, r in tokens.items() if r["expires_at"] <= stamp]:
            del tokens[tid]

    def record(self, token: str) -> dict | None:
        rec = self.store["tokens"].get(token)
        if rec is None or rec["expires_at"] <= isotime(now()):
            return None
        user = self.store["users"].get(rec["user_id"])
        if user is None or not user["enabled"]:
            return None
        return rec

    def validate(self, token: str) -> Context | None:
        rec = self.record(token)
        if rec is None:
            return None
        user = self.store["users"][rec["user_id"]]
        project = self.store["projects"].get(rec["project_id"]) if rec["project_id"] else None
        roles = self.effective_roles(user["id"], project["id"]) if project else []
        if project is not None and not roles:
            return None  # role removed since the token was issued: Keystone revokes it
        return Context(token=token, user_id=user["id"], user_name=user["name"],
                       domain_id=user["domain_id"], project_id=project and project["id"],
                       project_name=project and project["name"], roles=roles)

    def revoke(self, token: str) -> bool:
        """Revoke `token` and, as Keystone's revocation by audit id does, every token
        rescoped from it (their audit chain names it); its siblings and its parent live on."""
        rec = self.store["tokens"].pop(token, None)
        if rec is not None:
            audit_id = rec["audit_ids"][0]
            tokens = self.store["tokens"]
            for tid in [t for t, r in tokens.items() if audit_id in r["audit_ids"]]:
                del tokens[tid]
        self.store.touch()
        return rec is not None

    def token_body(self, token: str, with_catalog: bool = True) -> dict:
        rec = self.store["tokens"][token]
        user = self.store["users"][rec["user_id"]]
        domain = self.store["domains"][user["domain_id"]]
        body = {
            "methods": rec["methods"],
            "user": {"domain": {"id": domain["id"], "name": domain["name"]},
                     "id": user["id"], "name": user["name"], "password_expires_at": None},
            "audit_ids": rec["audit_ids"],
            "expires_at": rec["expires_at"],
            "issued_at": rec["issued_at"],
        }
        if rec["project_id"]:
            project = self.store["projects"][rec["project_id"]]
            pdomain = self.store["domains"][project["domain_id"]]
            body["project"] = {"domain": {"id": pdomain["id"], "name": pdomain["name"]},
                               "id": project["id"], "name": project["name"]}
            body["is_domain"] = False
            body["roles"] = [{"id": self.role_by_name(n)["id"], "name": n}
                             for n in self.effective_roles(user["id"], project["id"])]
            if with_catalog:
                body["catalog"] = self.catalog(project["id"])
        return {"token": body}

    # --- authentication -----------------------------------------------------
    def authenticate(self, auth: dict) -> tuple[dict, list[str], list[str], str | None]:
        """Return (user, methods, audit chain, expires_at) or raise 401."""
        identity = auth.get("identity") or {}
        methods = identity.get("methods") or []
        if "password" in methods:
            pw_user = (identity.get("password") or {}).get("user") or {}
            user = self._find_password_user(pw_user)
            if user is None or pw_user.get("password") != user["password"]:
                raise CloudError(401, UNAUTHORIZED)
            return user, ["password"], [], None
        if "token" in methods:
            old = (identity.get("token") or {}).get("id", "")
            rec = self.record(old)
            if rec is None:
                raise CloudError(404, f"Could not find token: {old}")
            # A rescoped token keeps the original's expiry and audit chain, as Keystone does.
            return (self.store["users"][rec["user_id"]], ["token"],
                    rec["audit_ids"], rec["expires_at"])
        raise CloudError(400, "Expecting to find identity in auth - the server could not "
                              "comply with the request since it is either malformed or "
                              "otherwise incorrect. The client is assumed to be in error.")

    def _find_password_user(self, pw_user: dict) -> dict | None:
        users = self.store["users"].values()
        if "id" in pw_user:
            return next((u for u in users if u["id"] == pw_user["id"] and u["enabled"]), None)
        domain = self.domain(pw_user.get("domain") or {})
        if domain is None:
            return None  # Keystone answers an unknown domain with a plain 401
        return next((u for u in users if u["name"] == pw_user.get("name")
                     and u["domain_id"] == domain["id"] and u["enabled"]), None)

    def resolve_scope(self, user: dict, scope) -> dict | None:
        if not scope:
            return None
        if scope == "unscoped":
            return None
        want = scope.get("project")
        if not want:
            raise CloudError(400, "Scoping to a domain or system is not supported by devcloud.")
        if "id" in want:
            project = self.store["projects"].get(want["id"])
        else:
            domain = self.domain(want.get("domain") or {})
            project = domain and self.project_by_name(want.get("name"), domain["id"])
        if project is None:
            raise CloudError(401, UNAUTHORIZED)
        if not self.effective_roles(user["id"], project["id"]):
            raise CloudError(401, UNAUTHORIZED)
        return project
