"""docker-compose.yml parses and defines every service the deployment needs."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_names_every_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "redis", "postgres", "devcloud"} <= set(services)
    assert services["devcloud"].get("profiles") == ["demo"]
    for name in ("web", "worker", "beat", "redis", "postgres", "devcloud"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    for name in ("web", "worker", "beat"):
        assert services[name]["build"]["dockerfile"] == "Dockerfile"
        assert ".env" in services[name]["env_file"][0]["path"]
