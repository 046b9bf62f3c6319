# The production image: one image for web, worker and beat (see docker-compose.yml).
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
RUN useradd --create-home --uid 1000 cepa && mkdir -p /app/var /app/staticfiles && chown -R cepa /app/var /app/staticfiles
USER cepa
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input
EXPOSE 8000
# Threaded workers with a statement timeout for requests: see gunicorn.conf.py.
CMD ["gunicorn", "cepa_collab.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
