"""Fakes of external services for tests."""

from tests.fakes.telegram_server import Call, FakeTelegram

__all__ = ["Call", "FakeTelegram"]
