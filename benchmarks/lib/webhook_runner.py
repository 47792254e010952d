"""Our bot as `headshot-bot run --webhook` runs it (uvicorn, WEBHOOK_WORKERS processes), for the load benchmark.

Usage: `python -m benchmarks.lib.webhook_runner --base-url URL`. Every setting but the Bot API base URL comes from
the environment, read by `bot.settings.Settings` in each worker as in production; nothing secret is printed.
"""

from __future__ import annotations

import argparse
import os

from benchmarks.lib.watchdog import start_watchdog


def main(argv: list[str] | None = None) -> int:
    """Migrate, register the webhook with the fake server and serve it until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="the fake Bot API server's base URL")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="stop by itself after this long")
    args = parser.parse_args(argv)
    start_watchdog(args.max_seconds)
    os.environ["TELEGRAM_API_BASE_URL"] = args.base_url  # the workers read their settings from the environment

    from bot.commands import run
    from bot.logs import configure_logging
    from bot.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, (settings.require_token(),))
    return run(settings, webhook=True)


if __name__ == "__main__":
    raise SystemExit(main())
