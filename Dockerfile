# The bot in webhook mode (or polling: override the command with `headshot-bot run`).
# Build: docker build -t headshot-bot .   Run: see compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY db ./db
COPY migrations ./migrations
COPY prompts ./prompts
RUN pip install ".[charts]" && useradd --create-home --uid 10001 headshot && mkdir /data /pack && chown headshot /data /pack

# Never root: the bot needs nothing but its data directory and its content pack (mounted read-only at /pack).
USER headshot
WORKDIR /data
ENV DATABASE_URL=sqlite+aiosqlite:////data/headshot_bot.db WEBHOOK_LISTEN=0.0.0.0 WEBHOOK_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
CMD ["headshot-bot", "run", "--webhook"]
