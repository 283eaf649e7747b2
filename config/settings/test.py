"""Settings for the test suite: DATABASE_URL / REDIS_URL when set, SQLite otherwise."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}  # noqa: F405

# whitenoise looks for STATIC_ROOT at start-up; tests never collect static files into it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Tests run tasks in process unless a test says otherwise (the real-worker tests start
# workers with CELERY_TASK_ALWAYS_EAGER=false and publish to Redis themselves).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
CELERY_TASK_EAGER_PROPAGATES = True

# The synthetic corpus (manage.py generate_corpus) is a development tool, not a product app.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405
