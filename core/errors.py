"""The errors every app shares: a request the rules refuse, and a form that may not be sent.

Services raise ``DomainError`` (or a subclass: ``TransitionError``, ``StaleEditError``...) with a
message in plain English; views, forms, the admin and the API turn it into a form error, a
message or a 400. It lives in core so that every app may catch it without importing a domain app.
"""


class DomainError(Exception):
    """A request the rules refuse. Views and the admin turn it into a message."""


class SubmissionRefused(Exception):
    """A form that may not be sent (again): used, expired, or unknown to this person
    (``core.services``). ``reason`` is one of USED, EXPIRED, UNKNOWN.

    Not a ``DomainError``, on purpose: it refuses the sending of a form, not what the form asks,
    and the doors answer it differently (409 with what already happened, against a 400 or a
    form error for a rule). Every view catches it before ``DomainError``; as a subclass, a
    handler of ``DomainError`` alone would silently answer a replay as a broken rule.
    """

    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    def __init__(self, message, *, reason, submission=None):
        super().__init__(message)
        self.reason = reason
        self.submission = submission
