"""Our bot as `headshot-bot run` runs it, in its own process for the load benchmark.

Usage: `python -m benchmarks.lib.ours_runner --base-url URL`. The token, DATABASE_URL and ADMIN_CHAT_IDS come
from the environment, read by `bot.settings.Settings` as in production; nothing secret is printed.
"""

from __future__ import annotations

import asyncio

from benchmarks.lib.watchdog import runner_arguments


def main(argv: list[str] | None = None) -> int:
    """Migrate, build the services and poll the given Bot API server until SIGTERM."""
    args = runner_arguments(__doc__, argv)

    from bot.logs import configure_logging
    from bot.services import build_services, upgrade_database
    from bot.settings import Settings
    from bot.telegram.app import run_bot  # build_application + serve_polling, with SIGINT/SIGTERM handling

    settings = Settings(telegram_api_base_url=args.base_url)
    token = settings.require_token()
    configure_logging(settings.log_level, (token,))
    upgrade_database(settings.database_url)
    asyncio.run(run_bot(build_services(settings)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
