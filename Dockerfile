# syntax=docker/dockerfile:1
# The portal's one image: web (gunicorn, the default command), Celery worker and beat.
# Build: docker build -t my-council-portal .   Run the whole stack: see docker-compose.yml.

# --- Front-end assets: GOV.UK Frontend compiled with the council's settings --------------------
FROM node:22-bookworm-slim AS assets
WORKDIR /src
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json Makefile ./
RUN npm ci --no-audit --no-fund && touch node_modules/.installed
COPY portal/static_src portal/static_src
# The same target a developer runs, so the image and `make run` build assets one way.
RUN make assets

# --- The application ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS app

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH \
    VAR_DIR=/app/var \
    PORT=8000

# uv at the version the Makefile pins; dependencies exactly as locked, without the dev group.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project --python /usr/local/bin/python3.11

COPY . .
COPY --from=assets /src/portal/static/build portal/static/build

# Static files are collected (hashed and compressed for WhiteNoise) into the image, so every
# container of a release serves the same files. The key is a throwaway: nothing is signed here.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret FIELD_ENCRYPTION_KEYS=collectstatic-only \
    python manage.py collectstatic --noinput \
    && rm -rf /app/var/broker /app/var/cache

# Run as an unprivileged user; only var/ (uploads, the beat schedule) is writable.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /app/var/private /app/var/beat \
    && chown -R portal:portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "--config", "portal/gunicorn.conf.py", "portal.wsgi"]
