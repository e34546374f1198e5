"""Reference data and accounts in the admin: saves and actions, POSTed."""

from datetime import date

from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from api.models import ApiToken, token_hash
from audit.models import ActionLog
from tests.admin.conftest import change_form_data


def test_a_succession_goes_through_the_service_and_its_removal_is_logged(
    client, admin_user, met, kent
):
    client.force_login(admin_user)
    url = reverse("admin:inspections_organisation_change", args=[kent.pk])
    data = change_form_data(client.get(url))
    data.update(successor=met.pk, ceased_on="2025-04-01")
    assert client.post(url, data).status_code == 302
    kent.refresh_from_db()
    assert (kent.successor, kent.ceased_on) == (met, date(2025, 4, 1))
    logged = ActionLog.objects.for_object(kent).get()
    assert logged.action == "inspections.organisation.succeeded"

    data = change_form_data(client.get(url))
    data.update(successor="", ceased_on="")
    assert client.post(url, data).status_code == 302
    kent.refresh_from_db()
    assert kent.successor is None
    assert ActionLog.objects.for_object(kent).filter(
        action="inspections.organisation.succession_removed"
    )


def test_revoking_tokens_in_the_admin_is_logged(client, admin_user, met_user):
    token = ApiToken.objects.create(
        user=met_user, name="Case system", key_hash=token_hash("t"), key_start="irt_t"
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ActionLog.objects.for_object(token).get().action == "api.token.revoked"


def test_staff_with_user_permissions_cannot_give_themselves_another_inspectorate(
    client, cqc_inspector, hmicfrs
):
    cqc_inspector.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts")
    )
    user = User.objects.get(pk=cqc_inspector.pk)
    client.force_login(user)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    assert client.get(url).status_code == 200  # View only.
    response = client.post(
        url, {"username": user.username, "inspectorate": hmicfrs.pk, "is_superuser": "on"}
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.inspectorate.slug == "cqc"
    assert not user.is_superuser


def test_organisation_counts_leave_out_another_inspectorates_embargoed_items(
    client, cqc_inspector, hmicfrs_inspector, embargoed, kent
):
    url = reverse("admin:inspections_organisation_changelist")
    client.force_login(cqc_inspector)
    counts = {o.pk: o._active_findings for o in client.get(url).context["cl"].result_list}
    assert counts[kent.pk] == 0
    client.force_login(hmicfrs_inspector)
    counts = {o.pk: o._active_findings for o in client.get(url).context["cl"].result_list}
    assert counts[kent.pk] == 1


def test_engage_pages_do_not_name_another_inspectorates_embargoed_report(
    client, cqc_inspector, hmicfrs_inspector, embargoed, kent
):
    from inspections.models import EngagePeriod

    period = EngagePeriod.objects.create(
        organisation=kent,
        entered_on=date(2025, 1, 1),
        entry_reasons="Concerns.",
        inspection=embargoed,
    )
    pages = [
        reverse("admin:inspections_engageperiod_changelist"),
        reverse("admin:inspections_engageperiod_change", args=[period.pk]),
        reverse("admin:inspections_organisation_change", args=[kent.pk]),
    ]
    client.force_login(cqc_inspector)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Embargoed Kent and Met report" not in response.content.decode(), url
    client.force_login(hmicfrs_inspector)
    assert "Embargoed Kent and Met report" in client.get(pages[0]).content.decode()
