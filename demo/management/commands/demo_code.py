from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEMO_DOMAIN, demo_secret
from participants.mfa import current_code


class Command(BaseCommand):
    help = "Print the current authenticator code of a synthetic demo staff account."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        # Only the synthetic demo accounts have a derivable secret; real ones never do.
        if not email.endswith(f"@{DEMO_DOMAIN}"):
            raise CommandError(f"Only demo accounts (@{DEMO_DOMAIN}) have a code this command can print.")
        self.stdout.write(current_code(demo_secret(email)))
