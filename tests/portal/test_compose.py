"""docker-compose.yml, the Dockerfile and .dockerignore as an operator reads them (the
layout itself runs as host processes in test_compose_layout.py)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PORTAL = ("migrate", "web", "worker", "beat")


def test_compose_names_every_service():
    assert {"migrate", "web", "proxy", "worker", "beat", "redis", "postgres",
            "devcloud"} <= set(SERVICES)
    assert SERVICES["devcloud"].get("profiles") == ["demo"]
    for name in ("web", "worker", "beat", "redis", "postgres", "devcloud", "proxy"):
        assert "healthcheck" in SERVICES[name], f"{name} has no healthcheck"
    for name in PORTAL:
        assert SERVICES[name]["build"]["dockerfile"] == "Dockerfile"
        assert ".env" in SERVICES[name]["env_file"][0]["path"]


def test_migrate_runs_once_and_the_rest_wait_for_it():
    assert "manage.py migrate" in SERVICES["migrate"]["command"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in str(SERVICES[name]["command"]), f"{name} migrates"
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}
    # Scalable: no fixed host port on web (the proxy publishes 8000).
    assert "ports" not in SERVICES["web"]
    assert SERVICES["proxy"]["ports"] == ["8000:8000"]


def test_healthchecks_prove_something():
    web = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "/readyz" in web
    beat = SERVICES["beat"]["healthcheck"]["test"]
    assert beat[1:4] == ["python", "-m", "portal.healthcheck"] and "--max-age" in beat
    assert "inspect ping" in SERVICES["worker"]["healthcheck"]["test"][1]


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "var", ".git", "node_modules", "staticfiles"} <= ignored


def test_dockerfile_is_multi_stage_non_root_without_node_at_run_time():
    text = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    assert len(stages) == 2
    build, runtime = stages
    assert "npm ci" in build and "collectstatic" in build
    assert "npm" not in runtime and "nodejs" not in runtime and "node_modules" not in runtime
    assert re.search(r"^USER stackport$", runtime, re.M)
    assert "PORTAL_STATIC_COLLECTED=1" in runtime
    # devcloud's state volume is the unprivileged user's (a new named volume takes it).
    assert "chown stackport /shared" in runtime
    assert "COPY . ." in build and "COPY . ." not in runtime
