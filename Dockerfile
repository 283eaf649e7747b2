# One image for web, worker and beat (docker-compose.yml chooses the command). Nothing
# secret is built in: .dockerignore keeps var/ (the generated key) and .env out.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    GUNICORN_BIND=0.0.0.0:8000 \
    LOG_FORMAT=json
WORKDIR /app
COPY . .
# The key is a placeholder that exists only for collectstatic (production settings refuse
# to load without one); the static files are built into the image, whitenoise serves them.
RUN pip install --no-cache-dir -c constraints.txt . \
    && DJANGO_SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput \
        --verbosity 0
USER nobody
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py"]
