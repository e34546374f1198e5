from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.signals import bulk_written

# The apps whose data the public pages show: a save or delete in any of them, or a bulk write
# logged in the audit trail (core.signals.bulk_written), makes a new version of the cached pages
# (public/page_cache.py).
PUBLIC_DATA_APPS = {"inspections", "recommendations", "audit"}


def _data_changed(sender, **kwargs):
    from public.counts_cache import bump_generation

    if sender._meta.app_label in PUBLIC_DATA_APPS:
        bump_generation()


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Public site"

    def ready(self):
        for name, signal in (
            ("save", post_save),
            ("delete", post_delete),
            ("m2m", m2m_changed),
            ("bulk", bulk_written),
        ):
            signal.connect(_data_changed, dispatch_uid=f"public-pages-{name}")
