from django.db import models


class Language(models.TextChoices):
    """The languages of the site (settings.LANGUAGES), for what a person chose: the language of
    the emails sent to them."""

    ENGLISH = "en-gb", "English"
    WELSH = "cy", "Cymraeg"

    @classmethod
    def current(cls) -> "Language":
        """The language of the page being served: Welsh under /cy/, otherwise English."""
        from django.utils.translation import get_language

        return cls.WELSH if get_language() == cls.WELSH else cls.ENGLISH
