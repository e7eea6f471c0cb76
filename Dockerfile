# hackperf web, worker and beat image (docker-compose.yml runs all three from it).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Static files are compiled and committed under static/; collect them with hashed names for
# whitenoise. A throwaway key: collectstatic reads settings but signs nothing.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 hackperf && mkdir -p /app/var/imports && chown -R hackperf /app/var
USER hackperf

EXPOSE 8000
# One worker per CPU, or WEB_CONCURRENCY: hackperf/gunicorn_conf.py says why.
CMD ["gunicorn", "hackperf.wsgi", "--config", "python:hackperf.gunicorn_conf"]
