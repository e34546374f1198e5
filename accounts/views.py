from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class AccountView(LoginRequiredMixin, TemplateView):
    """Who you are signed in as, what you may do here, and where to do it."""

    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        memberships = user.memberships.select_related("organisation").order_by("organisation__name")
        return super().get_context_data(
            **kwargs,
            roles=account_roles(user, memberships),
            memberships=memberships,
        )


def account_roles(user, memberships) -> list[str]:
    """A person's roles in plain English, e.g. "Lead at Kent Police"."""
    roles = []
    if user.is_superuser:
        roles.append("Administrator")
    if user.inspectorate_id is not None:
        roles.append(f"Inspector at {user.inspectorate.name}")
    roles.extend(
        f"{'Lead' if membership.is_lead else 'User'} at {membership.organisation.name}"
        for membership in memberships
    )
    return roles
