from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender, using, verbosity=1, **kwargs):
    """The shared cache's table (config/settings.py: CACHES), made wherever `migrate` runs, so
    that no deployment can miss it. Does nothing when it exists or the cache is Redis."""
    call_command("createcachetable", database=using, verbosity=verbosity)


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Open data API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The schema extension for the token authentication registers itself on import.
        from api import authentication  # noqa: F401

        # The API's rate limits count in the shared cache.
        post_migrate.connect(create_cache_table, sender=self)
