"""Fixtures for devcloud's tiny guests: see fixtures.py."""

from tests.guests.fixtures import guest_image  # noqa: F401
