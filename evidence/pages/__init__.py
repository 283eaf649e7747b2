"""The evidence app's server-rendered pages: views, URLs (mounted at the site root by
config/urls.py). Templates are in templates/evidence/, template tags in
evidence/templatetags/ (Django finds them only in an installed app's own package)."""
