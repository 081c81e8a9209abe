"""A gzip'd cpio archive in the "newc" format, the one the Linux kernel unpacks as initramfs.

Written here rather than by the `cpio` tool because that tool is not installed everywhere,
and because device nodes (/dev/console) can be put into the archive without being root.
"""

import gzip
import stat
from pathlib import Path

_MAGIC = b"070701"


class Archive:
    def __init__(self) -> None:
        self._entries: list[bytes] = []
        self._ino = 1
        self._names: set[str] = set()

    def _add(self, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0),
             nlink: int = 1) -> None:
        name = name.strip("/")
        if name in self._names:
            raise ValueError(f"{name} is already in the archive")
        self._names.add(name)
        encoded = name.encode() + b"\0"
        fields = [self._ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(encoded), 0]
        self._ino += 1
        header = _MAGIC + b"".join(b"%08x" % f for f in fields)
        self._entries.append(_pad(header + encoded) + _pad(data))

    def dir(self, name: str, mode: int = 0o755) -> None:
        self._add(name, stat.S_IFDIR | mode, nlink=2)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._add(name, stat.S_IFREG | mode, data)

    def symlink(self, name: str, target: str) -> None:
        self._add(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name: str, major: int, minor: int, mode: int = 0o600) -> None:
        self._add(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def dirs(self, path: str) -> None:
        """Every missing parent directory of `path` (which is itself a directory)."""
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            name = "/".join(parts[:i])
            if name not in self._names:
                self.dir(name)

    def write(self, path: Path) -> None:
        trailer = Archive()
        trailer._ino = 0
        trailer._add("TRAILER!!!", 0, nlink=1)
        raw = b"".join(self._entries) + trailer._entries[0]
        # mtime=0: the same inputs give the same bytes, so a rebuild is recognisable.
        path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))


def _pad(chunk: bytes) -> bytes:
    return chunk + b"\0" * (-len(chunk) % 4)
