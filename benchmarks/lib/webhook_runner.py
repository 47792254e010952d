"""Our bot as `headshot-bot run --webhook` runs it (uvicorn, WEBHOOK_WORKERS processes), for the load benchmark.

Usage: `python -m benchmarks.lib.webhook_runner --base-url URL`. Every setting but the Bot API base URL comes from
the environment, read by `bot.settings.Settings` in each worker as in production; nothing secret is printed.
"""

from __future__ import annotations

import os

from benchmarks.lib.watchdog import runner_arguments


def main(argv: list[str] | None = None) -> int:
    """Migrate, register the webhook with the fake server and serve it until SIGTERM."""
    args = runner_arguments(__doc__, argv)
    os.environ["TELEGRAM_API_BASE_URL"] = args.base_url  # the workers read their settings from the environment

    from bot.commands import run
    from bot.logs import configure_logging
    from bot.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, (settings.require_token(),))
    return run(settings, webhook=True)


if __name__ == "__main__":
    raise SystemExit(main())
