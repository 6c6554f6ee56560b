# The panel's image: one image for the web, worker and beat services (see docker-compose.yml).
FROM python:3.11-slim

# The panel runs from its source in /app (PYTHONPATH), next to templates/ and static/; only
# its pinned dependencies are pip-installed.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PANEL_DATA_DIR=/data

# A fixed, unprivileged user: the panel never needs root at run time. It gets a home of
# its own because gunicorn keeps its control socket there.
RUN groupadd --system --gid 10001 panel \
    && useradd --system --uid 10001 --gid panel --create-home --home-dir /home/panel \
        --shell /usr/sbin/nologin panel \
    && mkdir -p /app /data \
    && chown panel:panel /data

WORKDIR /app

# The pinned dependencies first, in their own layer: code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN chmod 0755 scripts/docker-entrypoint.sh

# Static files are baked into the image (served by WhiteNoise). Settings refuse to load
# without a secret key, an encryption key and the API tokens' pepper, so this step gets
# throwaway ones that exist only for this command and are not kept in the image.
RUN PANEL_SECRET_KEY=collectstatic-only-not-a-secret \
    PANEL_ENCRYPTION_KEYS="$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
    PANEL_API_PEPPER="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    python manage.py collectstatic --noinput

USER panel
VOLUME ["/data"]
EXPOSE 8000

# GET /healthz: 503 when the database is down; any answer below 500 counts (a redirect to
# HTTPS still proves a live server). Worker and beat override or disable it in compose.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/scripts/healthcheck.py"]

# gunicorn takes its number of worker processes from WEB_CONCURRENCY (docker-compose.yml
# passes it explicitly, default 3).
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "panel.wsgi:application", "-b", "0.0.0.0:8000", "--timeout", "60", "--access-logfile", "-"]
