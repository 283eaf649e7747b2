"""Settings for `make demo`: the local settings as a visitor would meet the site.

DEBUG is off, so a missing page is the project's own 404 (templates/404.html), an error
its own 500 (templates/500.html), never Django's technical pages that list every URL
pattern. With DEBUG off runserver no longer serves static files: whitenoise does, reading
them where the finders find them (static/ and the apps' folders), so the demo needs no
collectstatic step and picks up an edited stylesheet on reload.
"""

from .local import *  # noqa: F403
from .local import STATIC_ROOT, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Plain storage: the compressed one is for collected files, which the demo does not have.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# whitenoise warns at start-up when STATIC_ROOT is missing, though it serves from finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
