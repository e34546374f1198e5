from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Open data API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The schema extension for the token authentication registers itself on import.
        from api import authentication  # noqa: F401
