"""Write a clouds.yaml with one cloud per demo account, as `kolla-ansible post-deploy` does."""

from pathlib import Path

import yaml

from .identity.accounts import DEMO_ACCOUNTS


def render(auth_url: str) -> str:
    clouds = {}
    for user, password, project, _role in DEMO_ACCOUNTS:
        clouds[f"devcloud-{user}"] = {
            "auth": {"auth_url": auth_url, "username": user, "password": password,
                     "project_name": project, "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "region_name": "RegionOne",
            "interface": "public",
            "identity_api_version": 3,
        }
    return "# Written by devcloud: one cloud per demo account.\n" + yaml.safe_dump(
        {"clouds": clouds}, sort_keys=False)


def write(path: Path, auth_url: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(auth_url))
