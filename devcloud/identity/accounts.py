"""Keystone's accounts: domains, projects, users, roles and role assignments in the store.

Roles imply as a default Keystone deployment has them: admin implies member, member
implies reader.
"""

import uuid

DEFAULT_DOMAIN = {"id": "default", "name": "Default", "description": "The default domain",
                  "enabled": True, "tags": [], "options": {}}
IMPLIES = {"admin": ["member"], "member": ["reader"]}
DEMO_ACCOUNTS = [
    # user, password, project, role
    ("admin", "admin", "admin", "admin"),
    ("demo", "demo", "demo", "member"),
    ("alice", "alice", "alpha", "member"),
    ("bob", "bob", "beta", "member"),
    ("reader", "reader", "demo", "reader"),
    ("helpdesk", "helpdesk", "admin", "helpdesk"),
    ("portal", "portal", "service", "admin"),
]
DEMO_PROJECTS = ["admin", "service", "demo", "alpha", "beta"]
ROLES = ["admin", "member", "reader", "service", "helpdesk"]


class Accounts:
    """Mixed into the Identity service object, which provides `store`."""

    store = None

    # --- seed ---------------------------------------------------------------
    def seed(self) -> None:
        s = self.store
        s["domains"]["default"] = dict(DEFAULT_DOMAIN)
        for name in ROLES:
            self.create_role(name)
        for name in DEMO_PROJECTS:
            self.create_project(name, description=f"{name} project")
        for user, password, project, role in DEMO_ACCOUNTS:
            u = self.create_user(user, password, default_project=project)
            self.assign(u["id"], self.project_by_name(project)["id"], role)

    def create_role(self, name: str) -> dict:
        role = {"id": uuid.uuid4().hex, "name": name, "domain_id": None, "description": None,
                "options": {}}
        self.store["roles"][role["id"]] = role
        self.store.touch()
        return role

    def create_project(self, name: str, domain_id: str = "default", description: str = "") -> dict:
        project = {"id": uuid.uuid4().hex, "name": name, "domain_id": domain_id,
                   "description": description, "enabled": True, "parent_id": domain_id,
                   "is_domain": False, "tags": [], "options": {}}
        self.store["projects"][project["id"]] = project
        self.store.touch()
        return project

    def create_user(self, name: str, password: str, domain_id: str = "default",
                    default_project: str | None = None) -> dict:
        user = {"id": uuid.uuid4().hex, "name": name, "domain_id": domain_id, "enabled": True,
                "password_expires_at": None, "options": {}, "password": password}
        if default_project:
            user["default_project_id"] = self.project_by_name(default_project)["id"]
        self.store["users"][user["id"]] = user
        self.store.touch()
        return user

    def remove(self, collection: str, obj_id: str, field: str) -> bool:
        """Delete a project or user with the role assignments naming it; False if unknown."""
        if self.store[collection].pop(obj_id, None) is None:
            return False
        assignments = self.store["assignments"]
        for key in [k for k, a in assignments.items() if a[field] == obj_id]:
            del assignments[key]
        self.store.touch()
        return True

    def assign(self, user_id: str, project_id: str, role_name: str) -> None:
        role = self.role_by_name(role_name)
        key = f"{user_id}:{project_id}:{role['id']}"
        self.store["assignments"][key] = {"user_id": user_id, "project_id": project_id,
                                          "role_id": role["id"]}
        self.store.touch()

    # --- lookups ------------------------------------------------------------
    def project_by_name(self, name: str, domain_id: str = "default") -> dict | None:
        return next((p for p in self.store["projects"].values()
                     if p["name"] == name and p["domain_id"] == domain_id), None)

    def role_by_name(self, name: str) -> dict | None:
        return next((r for r in self.store["roles"].values() if r["name"] == name), None)

    def domain(self, id_or_name: dict) -> dict | None:
        domains = self.store["domains"].values()
        if "id" in id_or_name:
            return next((d for d in domains if d["id"] == id_or_name["id"]), None)
        return next((d for d in domains if d["name"] == id_or_name.get("name")), None)

    def effective_roles(self, user_id: str, project_id: str) -> list[str]:
        roles_by_id = self.store["roles"]
        direct = [roles_by_id[a["role_id"]]["name"] for a in self.store["assignments"].values()
                  if a["user_id"] == user_id and a["project_id"] == project_id
                  and a["role_id"] in roles_by_id]
        seen: list[str] = []
        todo = list(direct)
        while todo:
            name = todo.pop(0)
            if name not in seen:
                seen.append(name)
                todo.extend(IMPLIES.get(name, []))
        return seen

    def user_projects(self, user_id: str) -> list[dict]:
        ids = {a["project_id"] for a in self.store["assignments"].values()
               if a["user_id"] == user_id}
        return [p for pid, p in self.store["projects"].items() if pid in ids and p["enabled"]]
