"""Placeholder: the network service is built in its own step."""

from aiohttp import web

from .app import Cloud


def setup(app: web.Application, cloud: Cloud) -> None:
    pass
