"""Who may write through the API: the organisation portal's rules (portal/views.py).

An organisation user may add progress updates to the published items of their organisations
(and of the bodies those succeeded) while they are not closed; a lead may also submit them for
closure. Nothing else is writable. Items not theirs are 404 (the view looks them up only among
their own), what they may see but not do is 403, no token is 401.
"""

from rest_framework.permissions import BasePermission

from recommendations import policy


class IsOrganisationUser(BasePermission):
    message = (
        "Only people of an organisation can write through the API; an inspector's token reads."
    )

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False  # DRF answers 401: the request has no (valid) token
        return user.is_organisation_user


def writable_items(user, *, lead=False):
    """The items the person may write to: the portal's ``our_items`` (or ``our_items_led``)."""
    return policy.items_submittable_by(user) if lead else policy.items_updatable_by(user)
