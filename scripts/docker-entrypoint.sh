#!/bin/sh
# Entrypoint of the panel image. Runs database migrations before the web server starts,
# then replaces itself with the command (so signals reach gunicorn or celery directly).
#
# PANEL_MIGRATE decides:
#   auto (default)  migrate only when the command is gunicorn (the web service), so
#                   workers and beat never race the web service on the schema
#   1               always migrate first
#   0               never (e.g. extra web replicas while another one migrates)
set -eu

should_migrate() {
    case "${PANEL_MIGRATE:-auto}" in
        1|true|yes) return 0 ;;
        0|false|no) return 1 ;;
    esac
    [ "$(basename "${1:-}")" = "gunicorn" ]
}

if should_migrate "${1:-}"; then
    echo "docker-entrypoint: applying database migrations"
    python manage.py migrate --noinput
fi

exec "$@"
