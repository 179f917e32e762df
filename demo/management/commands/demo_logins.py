from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, demo_logins


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
        self.stdout.write(
            "Staff also need a code from their authenticator app: for the demo accounts, "
            "`.venv/bin/python manage.py demo_code EMAIL` prints it.\n"
            "Families and professionals can choose 'Send me a sign-in code' instead of a password; "
            "the code is printed in this terminal (email goes to the console locally)."
        )
