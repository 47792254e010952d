"""Run the baseline bot against a Bot API server: `python -m benchmarks.baseline --base-url URL --data-dir DIR`."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from benchmarks.baseline import PICKLE_NAME
from benchmarks.lib.watchdog import start_watchdog


def main(argv: list[str] | None = None) -> int:
    """Poll until SIGTERM (run_polling handles it), then flush the pickle."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="the Bot API server's base URL")
    parser.add_argument("--data-dir", type=Path, default=Path("."), help="where the pickle file goes")
    parser.add_argument("--admin-chat", type=int, action="append", default=[], help="chat that receives lead cards")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="stop by itself after this long")
    args = parser.parse_args(argv)
    start_watchdog(args.max_seconds)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines contain the token

    from telegram import Update

    from benchmarks.baseline.conversation import build

    token = os.environ["TELEGRAM_BOT_TOKEN"]  # like the examples' "TOKEN", but never on the command line
    application = build(token, args.base_url, args.data_dir / PICKLE_NAME, tuple(args.admin_chat))
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
