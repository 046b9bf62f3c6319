"""How people are named to others: one rule for every page, mail, export and message."""

from __future__ import annotations


def display_name(user) -> str:
    """A person as others read them: full name, else the login."""
    return user.get_full_name() or user.get_username()
