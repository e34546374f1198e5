# The tracker under gunicorn. Static files are collected at build time and served by WhiteNoise.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input

# Evidence files go to /app/var/media, where docker-compose.yml mounts a named volume: a new
# volume takes the owner of the directory it is mounted on, so the directory is made here for the
# app's user (otherwise it would be root's, and no evidence could be saved).
RUN useradd --system --home /app tracker \
    && mkdir -p /app/var/media \
    && chown tracker /app/var /app/var/media
USER tracker
EXPOSE 8000
# gunicorn.conf.py (read from /app) chooses threaded workers and timeouts for long downloads.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
