"""Makes a benchmark's bot subprocess stop by itself if the driver dies or the run overstays."""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time

GRACE_SECONDS = 10.0


def start_watchdog(max_seconds: float) -> None:
    """SIGTERM this process when its parent goes away or after `max_seconds`; hard exit if that is ignored."""
    parent = os.getppid()
    deadline = time.monotonic() + max_seconds

    def watch() -> None:
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(GRACE_SECONDS)
        os._exit(3)  # the graceful stop did not finish in time

    threading.Thread(target=watch, name="benchmark-watchdog", daemon=True).start()


def runner_arguments(description: str | None, argv: list[str] | None) -> argparse.Namespace:
    """The options every bot runner takes (`--base-url`, `--max-seconds`), with the watchdog started."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base-url", required=True, help="the fake Bot API server's base URL")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="stop by itself after this long")
    args = parser.parse_args(argv)
    start_watchdog(args.max_seconds)
    return args
