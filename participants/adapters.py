"""How allauth behaves for Confer."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Nobody signs up: staff accounts are made by administrators, and family members
        and professionals get theirs when they are invited to a meeting."""
        return False
