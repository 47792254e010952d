"""The deployment files, checked as far as a machine without a container engine allows (no image is built here)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_names_only_real_settings() -> None:
    names = {m.group(1) for m in re.finditer(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)}
    assert names >= {"TELEGRAM_BOT_TOKEN", "ADMIN_CHAT_IDS", "DATABASE_URL", "TIMEZONE"}
    assert names <= {field.upper() for field in Settings.model_fields}


def test_dockerfile_runs_as_a_non_root_user_and_checks_the_health_endpoint() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK") for line in lines) and "/healthz" in "\n".join(lines)
    for line in lines:
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            assert all((ROOT / s).exists() for s in sources), line


def test_compose_runs_the_bot_against_postgres_once_it_is_healthy() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy" and "healthcheck" in db
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert Settings(database_url=bot["environment"]["DATABASE_URL"]).database_url  # a URL the settings accept
    assert any(volume.endswith(":/pack:ro") for volume in bot["volumes"]) and bot["environment"]["PROMPTS_DIR"] == "/pack"


def test_systemd_unit_restarts_on_failure_and_reads_an_environment_file() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(ROOT / "deploy" / "headshot-bot.service")
    service = unit["Service"]
    assert service["Restart"] == "on-failure" and service["User"] != "root"
    assert service["ExecStart"].endswith("headshot-bot run") and service["EnvironmentFile"].endswith(".env")
