"""Telegram consultation and lead-intake bot for a professional headshot photographer."""

__version__ = "0.1.0"
