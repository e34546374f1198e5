"""An inspector imports a report's findings in the admin: upload, preview, confirm."""

import pytest
from playwright.sync_api import expect

from recommendations.models import Finding, Theme
from tests.browser.helpers import screenshot

FILE = (
    "\ufeffReference,Kind,Text,Cause of concern,Cause of concern text,Addressees,Due date,"
    "Deadline wording,Themes\r\n"
    "R1,Recommendation,The force and MOPAC should improve the governance of the use of force.,"
    "CoC1,Governance and oversight of the use of force is poor.,"
    "metropolitan-police-service; mayors-office-for-policing-and-crime,2026-03-31,"
    "By 31 March 2026,use-of-force\r\n"
    "AFI1,Area for improvement,Pre-release risk assessments lack detail.,,,"
    "metropolitan-police-service,,,custody\r\n"
)


@pytest.fixture
def themes(db):
    Theme.objects.create(slug="custody", name="Custody")
    Theme.objects.create(slug="use-of-force", name="Use of force")


def test_inspector_imports_a_file_after_its_preview(
    page, live_server, admin_user, inspection, mopac, themes, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin-1")
    page.click("input[type=submit]")
    page.goto(f"/admin/inspections/inspection/{inspection.pk}/change/")
    page.click("text=Import findings")

    page.set_input_files(
        "input[type=file]",
        files=[{"name": "findings.csv", "mimeType": "text/csv", "buffer": FILE.encode()}],
    )
    page.click("input[name=_preview]")
    expect(page.locator("h2", has_text="Preview of findings.csv")).to_be_visible()
    expect(page.locator("#row-2")).to_contain_text("R1")
    expect(page.locator("#row-3")).to_contain_text("AFI1")
    screenshot(page, "admin-import-preview")
    assert not Finding.objects.exists()

    page.click("input[name=_confirm]")
    expect(page.locator(".messagelist")).to_contain_text(
        "Imported findings.csv: 2 new, 0 updated, 0 unchanged."
    )
    assert Finding.objects.filter(inspection=inspection).count() == 2


def test_a_file_with_problems_shows_them_and_offers_no_confirmation(
    page, live_server, admin_user, inspection, mopac, themes, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin-1")
    page.click("input[type=submit]")
    page.goto(f"/admin/inspections/inspection/{inspection.pk}/import-findings/")
    bad = FILE.replace("mayors-office-for-policing-and-crime", "Gotham City Police")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "findings.csv", "mimeType": "text/csv", "buffer": bad.encode()}],
    )
    page.click("input[name=_preview]")
    expect(page.locator("#row-2")).to_contain_text(
        "Row 2: Unknown organisation “Gotham City Police”"
    )
    expect(page.locator("input[name=_confirm]")).to_have_count(0)
    screenshot(page, "admin-import-problems")


def test_a_large_import_is_followed_on_its_status_page_without_javascript(
    js_disabled_page,
    live_server,
    admin_user,
    inspection,
    mopac,
    themes,
    settings,
    tmp_path,
    job_queue,
):
    """Over the threshold the import is queued: the status page says so, offers a Refresh
    link, and reloads itself (a meta refresh, no script) until the worker has applied it."""
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_ROWS = 1
    page = js_disabled_page
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin-1")
    page.click("input[type=submit]")
    page.goto(f"/admin/inspections/inspection/{inspection.pk}/import-findings/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "findings.csv", "mimeType": "text/csv", "buffer": FILE.encode()}],
    )
    page.click("input[name=_preview]")
    page.click("input[name=_confirm]")

    expect(page.locator("#import-status")).to_have_text("Your import of findings.csv is queued")
    expect(page.locator("#import-refresh")).to_be_visible()
    screenshot(page, "admin-import-queued")
    assert not Finding.objects.exists()
    page.click("#import-refresh")
    expect(page.locator("#import-status")).to_contain_text("is queued")

    job_queue.run()

    # No click: the page reloads itself.
    expect(page.locator("#import-status")).to_have_text(
        "Your import of findings.csv has finished", timeout=15_000
    )
    expect(page.locator(".import-summary")).to_contain_text("Findings added: 2")
    expect(page.locator("#import-refresh")).to_have_count(0)
    screenshot(page, "admin-import-finished")
    assert Finding.objects.filter(inspection=inspection).count() == 2
