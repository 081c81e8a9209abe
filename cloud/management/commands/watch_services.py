"""One look at the cloud's services, as the slow tick's Celery task takes it: what changed
goes to the admins' open pages. For operators (and tests) who want one now."""

from django.core.management.base import BaseCommand

from cloud import watch


class Command(BaseCommand):
    help = "Look at the cloud's services once and tell the admins' open pages what changed."

    def handle(self, *args, **options):
        result = watch.look()
        self.stdout.write(f"{result['services']} services, {result['down']} down, "
                          f"{result['changed']} changed")
