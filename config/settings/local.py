"""Settings for a developer's machine and the zero-setup demo."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")  # noqa: S105
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The synthetic corpus (manage.py generate_corpus) is a development tool, not a product app.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405
