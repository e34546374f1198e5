"""Signals of the project's own.

``bulk_written``: rows were written in bulk (``bulk_create``, ``update()``), which Django's
``post_save`` does not announce; ``sender`` is the model. Whatever is kept from the data (the
public pages' cache: public/apps.py) listens to it as it listens to ``post_save``.
"""

from django.dispatch import Signal

bulk_written = Signal()
