"""Fixtures for devcloud's tiny guests: the image (built when missing) and qemu."""

import pytest

from devcloud import qemu
from devcloud.guests import image


@pytest.fixture(scope="session")
def guest_image():
    """The cached kernel + initramfs; skipped (with the reason) where it cannot exist."""
    if qemu.binary() is None:
        pytest.skip("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)")
    try:
        return image.ensure()
    except image.BuildError as err:
        pytest.skip(f"the tiny guest image could not be built: {err}")
