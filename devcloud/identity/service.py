"""The Identity service object: accounts and tokens over the shared store."""

from ..cloud import Cloud
from .accounts import Accounts
from .catalog import catalog
from .tokens import Tokens


class Identity(Accounts, Tokens):
    def __init__(self, cloud: Cloud):
        self.cloud = cloud
        self.store = cloud.store
        self.token_ttl = 3600  # Keystone's default [token] expiration

    def catalog(self, project_id: str = "") -> list[dict]:
        return catalog(self.cloud, project_id)
