from django.apps import AppConfig


class ConsolesConfig(AppConfig):
    name = "consoles"

    def ready(self):
        from . import redact

        redact.install()
