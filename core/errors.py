"""The error every app shares: a request the rules refuse.

Services raise ``DomainError`` (or a subclass: ``TransitionError``, ``StaleEditError``...) with a
message in plain English; views, forms, the admin and the API turn it into a form error, a
message or a 400. It lives in core so that every app may catch it without importing a domain app.
"""


class DomainError(Exception):
    """A request the rules refuse. Views and the admin turn it into a message."""
