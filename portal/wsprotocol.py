"""The web process's WebSocket protocol: uvicorn's websockets-sansio one, plus an answer to
a handshake it cannot parse.

uvicorn hands the upgrade request to websockets' sans-I/O ServerProtocol and writes what
that protocol wants to send only after it produced an event (the Request). A request it
refuses while parsing (a request line over 8 KB: 414; a header line over 8 KB or too many
headers: 431; anything unparsable: just EOF) yields no event: the refusal sat in the
protocol's outgoing buffer, never written, and the connection stayed open until the client
gave up, minutes later. Here that buffer is written and the connection closed.
"""

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class PortalWebSocketProtocol(WebSocketsSansIOProtocol):
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self.handshake_initiated and self.conn.handshake_exc is not None:
            self.refuse_unparsed_handshake()

    def refuse_unparsed_handshake(self) -> None:
        self.logger.info("WebSocket handshake refused: %s", self.conn.handshake_exc)
        output = b"".join(self.conn.data_to_send())      # the 414/431, or nothing
        if output and not self.transport.is_closing():
            self.transport.write(output)
        self.handshake_initiated = self.handshake_complete = self.close_sent = True
        self.transport.close()
