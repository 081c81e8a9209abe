"""python -m devcloud.guests build [--dir DIR] [--force]: build the tiny guest image."""

import argparse
import sys

from . import image


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m devcloud.guests")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the kernel + initramfs (when missing)")
    b.add_argument("--dir", default=None, help=f"cache directory (default {image.default_dir()})")
    b.add_argument("--force", action="store_true", help="rebuild even when present")
    args = p.parse_args(argv)
    before = image.Image.find(args.dir)
    try:
        built = image.ensure(args.dir, force=args.force)
    except image.BuildError as err:
        print(f"guest image: {err}", file=sys.stderr)
        return 1
    size = built.initrd.stat().st_size
    how = "cached" if before is not None and before.manifest == built.manifest else "built"
    print(f"guest image {how}: {built.dir} ({built.describe()}; initramfs {size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
