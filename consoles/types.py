"""The console types a page can offer, and those it only explains."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsoleType:
    key: str          # Nova's remote-consoles "type"
    protocol: str     # Nova's remote-consoles "protocol"
    label: str


SUPPORTED = {
    "novnc": ConsoleType("novnc", "vnc", "noVNC"),
    "spice-html5": ConsoleType("spice-html5", "spice", "SPICE"),
}
DEFAULT = "novnc"

# Shown as unavailable, with the reason, never requested from Nova.
UNAVAILABLE = {
    "xvpvnc": ("XVP VNC", "Removed from Nova: the XVP VNC proxy and its Java client served "
                          "only the XenAPI driver, and both are gone."),
    "rdp-html5": ("RDP", "Nova offers RDP consoles only with the Hyper-V driver, which it no "
                         "longer ships; this cloud cannot provide one."),
}
