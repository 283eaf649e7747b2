from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Site search over conditions, therapies, studies and references.

    The app has no models of its own; its migration adds the PostgreSQL indexes
    (full-text and trigram) that the search queries use.
    """

    name = "search"
    verbose_name = "Search"
