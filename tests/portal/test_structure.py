"""The portal apps' shape: no import cycles within or between the apps (devcloud has its
own check), and no module much over 400 lines."""

from pathlib import Path

import pytest

from tests.devcloud.test_structure import cycles, imports_of

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "vms", "networks", "consoles", "images", "volumes", "cloud")
MAX_LINES = 420  # "about 400": a module past this wants splitting by what it holds


def app_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = [app, *path.relative_to(ROOT / app).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def test_portal_apps_have_no_import_cycles():
    found = app_modules()
    graph = {name: imports_of(name, path, set(found)) for name, path in found.items()}
    assert "vms.servers" in graph["vms.selectors"]  # the walk sees the apps' imports
    loops = cycles(graph)
    assert not loops, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in loops)


@pytest.mark.parametrize("app", APPS)
def test_no_module_is_too_long(app):
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / app).rglob("*.py")
            if "migrations" not in p.parts
            and (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long
