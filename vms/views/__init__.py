"""Thin views: a selector for what the page shows, a form for what was typed, a service
for what changes, all for `self.actor` (request.actor). Forms, buttons and deletes are
portal.generic's views; a CloudRefused goes on the form or, for buttons, into a message."""

from .actions import ServerAction, ServerBulk, ServerLock, ServerRescue
from .keypairs import KeypairDelete, Keypairs
from .launch import Launch
from .servers import ConsoleLog, DeletedServer, ServerDelete, ServerDetail, ServerList

__all__ = ["ConsoleLog", "DeletedServer", "KeypairDelete", "Keypairs", "Launch", "ServerAction",
           "ServerBulk", "ServerDelete", "ServerDetail", "ServerList", "ServerLock",
           "ServerRescue"]
