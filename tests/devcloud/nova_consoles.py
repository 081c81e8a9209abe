"""Nova console URLs in devcloud tests: asking for one, and what noVNC makes of it."""

from urllib.parse import parse_qs, unquote, urlparse

# --- Nova console URLs --------------------------------------------------------------

def remote_console(client, server_id, protocol="vnc", type_="novnc", mv="2.6"):
    return client.nova("POST", f"/servers/{server_id}/remote-consoles",
                       {"remote_console": {"protocol": protocol, "type": type_}}, mv=mv)


def token_of(url: str) -> str:
    inner = unquote(parse_qs(urlparse(url).query)["path"][0])    # "?token=..."
    return parse_qs(inner[1:])["token"][0]


def ws_url_of(url: str) -> str:
    """What noVNC's vnc_auto.html connects to for Nova's URL: ws://host:port/?token=..."""
    parts = urlparse(url)
    return f"ws://{parts.netloc}/{unquote(parse_qs(parts.query)['path'][0])}"
