# One image for web, worker and beat (docker-compose.yml overrides only the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PORTAL_VAR_DIR=/srv/portal/var PORTAL_MEDIA_ROOT=/srv/portal/media
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Translations and static files are built into the image; collectstatic needs a key only
# to import the settings.
RUN pybabel compile -d locale -D django \
 && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --system --home /srv/portal portal \
 && mkdir -p /srv/portal/var /srv/portal/media && chown -R portal /srv/portal
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
