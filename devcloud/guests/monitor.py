"""qemu's human monitor (HMP) over its unix socket: system_reset, stop, cont, quit.

qemu serves one monitor client at a time and greets each with a banner and a `(qemu) `
prompt; a command's answer ends at the next prompt (`quit` ends with the connection).
"""

import asyncio
from pathlib import Path

PROMPT = b"(qemu) "


class MonitorError(RuntimeError):
    pass


async def command(socket_path: Path, line: str, timeout: float = 5.0) -> str:
    try:
        return await asyncio.wait_for(_command(socket_path, line), timeout)
    except (OSError, asyncio.IncompleteReadError) as err:  # TimeoutError is an OSError
        raise MonitorError(f"qemu monitor {socket_path}: {line!r} failed: {err!r}") from err


async def _command(socket_path: Path, line: str) -> str:
    reader, writer = await asyncio.open_unix_connection(str(socket_path))
    try:
        await reader.readuntil(PROMPT)                  # the banner
        writer.write(line.encode() + b"\n")
        await writer.drain()
        if line.strip() == "quit":
            return (await reader.read()).decode(errors="replace")
        answer = await reader.readuntil(PROMPT)
        # The answer starts with qemu's echo of the command line.
        text = answer[: -len(PROMPT)].decode(errors="replace").replace("\r", "")
        return text.split("\n", 1)[1] if "\n" in text else ""
    finally:
        writer.close()
