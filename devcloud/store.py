"""The cloud's state: plain dicts per collection, saved as JSON in the state dir.

Everything lives in memory (fast lists at 10,000 servers); a background task writes a
snapshot shortly after a change and at shutdown, so state survives a restart.
"""

import asyncio
import json
import os
import tempfile
from pathlib import Path

COLLECTIONS = (
    "domains", "projects", "users", "roles", "assignments", "tokens",
    "flavors", "images", "keypairs", "servers", "quotas",
    "networks", "subnets", "ports", "routers", "floatingips",
    "security_groups", "security_group_rules",
)


class Store:
    def __init__(self, state_dir: Path | None):
        self.state_dir = Path(state_dir) if state_dir else None
        self.data: dict[str, dict] = {name: {} for name in COLLECTIONS}
        self.meta: dict = {}
        self._dirty_flag = False

    # --- collections -------------------------------------------------------
    def __getitem__(self, name: str) -> dict:
        return self.data.setdefault(name, {})

    def touch(self) -> None:
        """Mark state changed; the saver writes it out soon."""
        self._dirty_flag = True

    # --- persistence -------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self.state_dir / "state.json" if self.state_dir else None

    def load(self) -> bool:
        if not self.path or not self.path.exists():
            return False
        with open(self.path) as f:
            saved = json.load(f)
        self.data.update(saved.get("data", {}))
        self.meta = saved.get("meta", {})
        return True

    def save(self) -> None:
        if not self.path:
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_dir, prefix=".state-")
        with os.fdopen(fd, "w") as f:
            json.dump({"data": self.data, "meta": self.meta}, f)
        os.replace(tmp, self.path)
        self._dirty_flag = False

    async def saver(self, interval: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval)
            if self._dirty_flag:
                self.save()
