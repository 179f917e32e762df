from django.core.management.base import BaseCommand

from meetings.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Print the synthetic demo logins (only those present in this database)."

    def handle(self, *args, **options):
        logins = demo_logins()
        if not logins:
            self.stdout.write("No demo logins in this database; run `manage.py seed_demo`.")
            return
        self.stdout.write(f"Demo logins (every password is {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.email:<36} {login.role:<14} {login.description}")
