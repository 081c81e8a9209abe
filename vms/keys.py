"""A new SSH key pair made in the portal (Nova stopped generating them at 2.92): the public
half goes to Nova, the private half is shown to the person once and never stored."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519


def generate() -> tuple[str, str]:
    """(public OpenSSH line, private key in OpenSSH PEM)."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return public, private
