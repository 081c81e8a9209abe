"""The tiny guest's kernel and initramfs, built from Debian packages and cached.

    python -m devcloud.guests build [--dir DIR] [--force]     (make guest-image)

Parts come from the machine's own apt sources only: `linux-image-cloud-amd64` (resolved to
the versioned package it depends on, since the metapackage holds no kernel) and
`busybox-static`, fetched with `apt-get download` and unpacked with `dpkg -x`: no root, no
installing, nothing from elsewhere. The cache directory holds `vmlinuz`,
`initramfs.cpio.gz` and `manifest.json`; it is rebuilt when any of them is missing.
"""

import hashlib
import json
import lzma
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import initramfs

ROOT = Path(__file__).resolve().parents[2]
KERNEL_META = "linux-image-cloud-amd64"
BUSYBOX = "busybox-static"
FILES = ("vmlinuz", "initramfs.cpio.gz", "manifest.json")
RECIPE = ("image.py", "initramfs.py", "cpio.py")


def recipe() -> str:
    """A hash of the code that builds the image: a changed /init means a rebuild."""
    h = hashlib.sha256()
    for name in RECIPE:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:16]


class BuildError(RuntimeError):
    pass


def default_dir() -> Path:
    """STACKPORT_GUEST_IMAGE, else var/guest-image in the checkout (`make clean` drops it)."""
    env = os.environ.get("STACKPORT_GUEST_IMAGE")
    return Path(env) if env else ROOT / "var" / "guest-image"


@dataclass(frozen=True)
class Image:
    dir: Path
    kernel: Path
    initrd: Path
    manifest: dict

    @classmethod
    def find(cls, directory: Path | None = None) -> "Image | None":
        d = Path(directory or default_dir())
        if not all((d / f).is_file() for f in FILES):
            return None
        try:
            manifest = json.loads((d / "manifest.json").read_text())
        except (OSError, ValueError):
            return None
        return cls(d, d / "vmlinuz", d / "initramfs.cpio.gz", manifest)

    @property
    def current(self) -> bool:
        return self.manifest.get("recipe") == recipe()

    def describe(self) -> str:
        m = self.manifest
        return f"{m.get('kernel_package')} {m.get('kernel_version')} + busybox {m.get('busybox')}"


def ensure(directory: Path | None = None, force: bool = False) -> Image:
    """The cached image, built first when missing, stale or forced."""
    d = Path(directory or default_dir())
    image = None if force else Image.find(d)
    return image if image is not None and image.current else build(d)


def _run(args: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True)
    except FileNotFoundError as err:
        raise BuildError(f"{args[0]} not found: the guest image is built with Debian's "
                         "apt-get and dpkg") from err
    except subprocess.CalledProcessError as err:
        raise BuildError(f"{' '.join(args)} failed: {err.stderr.strip()[-500:]}") from err
    return done.stdout


def kernel_package() -> str:
    """The versioned kernel package the cloud metapackage depends on."""
    out = _run(["apt-cache", "depends", "--important", KERNEL_META])
    found = re.findall(r"Depends:\s*(linux-image-\S+)", out)
    if not found:
        raise BuildError(f"{KERNEL_META} depends on no linux-image package:\n{out}")
    return found[0]


def _version(deb: Path) -> str:
    return _run(["dpkg-deb", "--field", str(deb), "Version"]).strip()


def _module_bytes(tree: Path) -> dict[str, bytes]:
    """name -> uncompressed .ko; Debian 12 ships them plain, later releases as .ko.xz."""
    found: dict[str, bytes] = {}
    for path in tree.rglob("*.ko*"):
        name = path.name.split(".ko")[0]
        if name not in initramfs.MODULES or name in found:
            continue
        if path.name.endswith(".ko"):
            found[name] = path.read_bytes()
        elif path.name.endswith(".ko.xz"):
            found[name] = lzma.decompress(path.read_bytes())
    return found


def build(directory: Path | None = None) -> Image:
    d = Path(directory or default_dir())
    d.parent.mkdir(parents=True, exist_ok=True)
    kernel_pkg = kernel_package()
    with tempfile.TemporaryDirectory(prefix="guest-image-", dir=d.parent) as tmp:
        work = Path(tmp)
        _run(["apt-get", "download", "-q", kernel_pkg, BUSYBOX], cwd=work)
        debs = {p.name.split("_")[0]: p for p in work.glob("*.deb")}
        if set(debs) != {kernel_pkg, BUSYBOX}:
            raise BuildError(f"apt-get download gave {sorted(debs)}")
        tree = work / "tree"
        for deb in debs.values():
            _run(["dpkg-deb", "-x", str(deb), str(tree)])
        kernels = sorted((tree / "boot").glob("vmlinuz-*"))
        busybox = tree / "bin" / "busybox"
        if not kernels or not busybox.exists():
            raise BuildError("the packages hold no boot/vmlinuz-* or bin/busybox")
        out = work / "out"
        out.mkdir()
        shutil.copyfile(kernels[0], out / "vmlinuz")
        initramfs.build(busybox, _module_bytes(tree / "lib" / "modules"),
                        out / "initramfs.cpio.gz")
        manifest = {"kernel_package": kernel_pkg, "kernel_version": _version(debs[kernel_pkg]),
                    "kernel": kernels[0].name, "busybox": _version(debs[BUSYBOX]),
                    "modules": initramfs.MODULES, "login": initramfs.LOGIN, "recipe": recipe(),
                    "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        # Swap the whole directory in at once: a half-built image is never found.
        if d.exists():
            shutil.rmtree(d)
        out.rename(d)
    return Image.find(d)
