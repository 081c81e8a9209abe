"""Who is calling: the caller's token resolved into user, project and roles."""

from dataclasses import dataclass, field


@dataclass
class Context:
    token: str
    user_id: str
    user_name: str
    domain_id: str
    project_id: str | None = None
    project_name: str | None = None
    roles: list[str] = field(default_factory=list)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def can_write(self) -> bool:
        """member (or admin) may change things; reader only looks."""
        return self.is_admin or "member" in self.roles

    @property
    def scoped(self) -> bool:
        return self.project_id is not None
