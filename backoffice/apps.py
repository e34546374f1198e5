from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The Django admin of the tracker, for inspectors and administrators: every model's admin,
    scoped and audited, changing records only through the domain's services."""

    name = "backoffice"
    verbose_name = "Administration"
