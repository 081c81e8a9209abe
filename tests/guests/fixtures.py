"""Fixtures for devcloud's tiny guests, importable by other test packages (the browser
tests): the image, built when missing, and a skip with the reason where it cannot be."""

import pytest

from devcloud import qemu
from devcloud.guests import image


@pytest.fixture(scope="session")
def guest_image():
    if qemu.binary() is None:
        pytest.skip("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)")
    try:
        return image.ensure()
    except image.BuildError as err:
        pytest.skip(f"the tiny guest image could not be built: {err}")
