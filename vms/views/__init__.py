"""Thin views: a selector for what the page shows, a form for what was typed, a service
for what changes, all for `self.actor` (request.actor). Forms, buttons and deletes are
portal.generic's views; a CloudRefused goes on the form or, for buttons, into a message."""

from .actions import ServerAction, ServerBulk, ServerLock, ServerRescue
from .console import ConsoleLog, ConsoleLogText
from .daybuttons import DetachInterface, DisassociateFloatingIp, RemoveSecurityGroup
from .dayforms import (
    AddSecurityGroup,
    AssociateFloatingIp,
    AttachInterface,
    Rebuild,
    Rename,
    Resize,
    Snapshot,
)
from .keypairs import KeypairDelete, Keypairs
from .launch import Launch
from .servers import DeletedServer, ServerDelete, ServerDetail, ServerList

__all__ = ["AddSecurityGroup", "AssociateFloatingIp", "AttachInterface", "ConsoleLog",
           "ConsoleLogText", "DeletedServer", "DetachInterface", "DisassociateFloatingIp",
           "KeypairDelete", "Keypairs", "Launch", "Rebuild", "RemoveSecurityGroup", "Rename",
           "Resize", "ServerAction", "ServerBulk", "ServerDelete", "ServerDetail",
           "ServerList", "ServerLock", "ServerRescue", "Snapshot"]
