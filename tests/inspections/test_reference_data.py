"""load_reference_data: the real bodies from the project's CSV files, loaded idempotently."""

import shutil
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import ActionLog
from inspections.choices import OrganisationKind
from inspections.models import Inspectorate, Organisation, Programme
from recommendations.management.commands.load_reference_data import DATA_DIR, PROGRAMMES, THEMES
from recommendations.models import Theme


def load(**options):
    out = StringIO()
    call_command("load_reference_data", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def loaded(db):
    return load()


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the real files that a test may spoil."""
    for name in ("inspectorates.csv", "organisations.csv", "predecessors.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def line_of(path, slug):
    """The line number of ``slug``'s row, counting the header as line 1."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{slug},"):
            return number
    raise AssertionError(f"{slug} not in {path}")


def replace_in_row(path, slug, old, new):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = line_of(path, slug)
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")
    return number


def test_first_run_reports_what_it_created(loaded):
    assert "Inspectorates: 6 created, 0 updated" in loaded
    assert "Organisations: 138 created, 0 updated" in loaded
    assert "Predecessor organisations: 3 created, 0 updated" in loaded
    assert f"Programmes: {len(PROGRAMMES)} created, 0 updated" in loaded
    assert f"Themes: {len(THEMES)} created, 0 updated" in loaded


def test_current_bodies_counted_by_kind(loaded):
    current = Organisation.objects.current()
    assert current.police_forces().count() == 44  # 43 territorial + British Transport Police
    assert current.local_policing_bodies().count() == 44  # one per force, BTP's authority too
    assert current.filter(kind=OrganisationKind.FIRE_AND_RESCUE_SERVICE).count() == 44
    assert current.filter(kind=OrganisationKind.NATIONAL_BODY).count() == 6
    assert Inspectorate.objects.count() == 6


def test_every_current_force_has_its_local_policing_body(loaded):
    forces = Organisation.objects.current().police_forces().select_related("local_policing_body")
    bodies = {force.slug: force.local_policing_body for force in forces}
    assert None not in bodies.values()
    assert {b.kind for b in bodies.values()} == {OrganisationKind.LOCAL_POLICING_BODY}
    assert bodies["british-transport-police"].slug == "british-transport-police-authority"
    assert bodies["metropolitan-police-service"].slug == "mayors-office-for-policing-and-crime"


def test_welsh_forces_have_their_welsh_names(loaded):
    welsh = dict(
        Organisation.objects.police_forces().filter(country="Wales").values_list("slug", "name_cy")
    )
    assert welsh == {
        "dyfed-powys-police": "Heddlu Dyfed-Powys",
        "gwent-police": "Heddlu Gwent",
        "north-wales-police": "Heddlu Gogledd Cymru",
        "south-wales-police": "Heddlu De Cymru",
    }


def test_national_bodies_have_no_country_or_region(loaded):
    national = Organisation.objects.filter(kind=OrganisationKind.NATIONAL_BODY)
    assert set(national.values_list("country", "region")) == {("", "")}


def test_programmes_and_themes_are_loaded(loaded):
    assert set(Programme.objects.values_list("slug", flat=True)) == {p[0] for p in PROGRAMMES}
    assert Programme.objects.get(slug="police-custody").kind == "police_custody"
    assert {"custody", "use-of-force", "vetting", "fire-protection"} <= set(
        Theme.objects.values_list("slug", flat=True)
    )


def test_second_run_changes_nothing(loaded):
    logged = ActionLog.objects.count()

    output = load()

    lines = output.strip().splitlines()
    assert len(lines) == 5
    assert all(line.endswith(": 0 created, 0 updated") for line in lines)
    assert ActionLog.objects.count() == logged


def test_second_run_restores_an_edited_row(loaded):
    Organisation.objects.filter(slug="kent-police").update(name="Kent Constabulary", region="")
    Programme.objects.filter(slug="peel").update(name="PEEL (old)")

    output = load()

    assert "Organisations: 0 created, 1 updated" in output
    assert "Programmes: 0 created, 1 updated" in output
    kent = Organisation.objects.get(slug="kent-police")
    assert (kent.name, kent.region) == ("Kent Police", "South East")
    assert Programme.objects.get(slug="peel").name == "PEEL"


def test_second_run_restores_a_changed_succession(loaded):
    Organisation.objects.filter(slug="hampshire-constabulary").update(ceased_on=date(2020, 1, 1))

    output = load()

    assert "Predecessor organisations: 0 created, 1 updated" in output
    assert Organisation.objects.get(slug="hampshire-constabulary").ceased_on == date(2022, 2, 1)


def test_hampshire_constabulary_was_renamed_in_2022(loaded):
    old = Organisation.objects.get(slug="hampshire-constabulary")
    new = Organisation.objects.get(slug="hampshire-and-isle-of-wight-constabulary")
    assert old.successor == new
    assert old.ceased_on == date(2022, 2, 1)
    assert old.local_policing_body is None
    assert old.kind == OrganisationKind.POLICE_FORCE
    assert old.pk in new.lineage_ids()
    assert old.current_successor() == new
    assert not Organisation.objects.current().filter(pk=old.pk).exists()


def test_two_fire_services_merged_in_2021(loaded):
    merged = Organisation.objects.get(slug="hampshire-and-isle-of-wight-fire-and-rescue-service")
    old = Organisation.objects.filter(successor=merged)
    assert set(old.values_list("slug", flat=True)) == {
        "hampshire-fire-and-rescue-service",
        "isle-of-wight-fire-and-rescue-service",
    }
    assert set(old.values_list("ceased_on", flat=True)) == {date(2021, 4, 1)}
    assert set(old.values_list("pk", flat=True)) <= merged.lineage_ids()


def test_successions_are_logged(loaded):
    logged = ActionLog.objects.filter(action="inspections.organisation.succeeded")
    assert logged.count() == 3
    assert logged.get(object_repr="Hampshire Constabulary").data["to"] == (
        "hampshire-and-isle-of-wight-constabulary"
    )


@pytest.mark.parametrize(
    ("file", "slug", "old", "new", "message"),
    [
        ("organisations.csv", "kent-police", "police_force", "constabulary", "unknown kind"),
        ("organisations.csv", "kent-police", "South East", "Kent", "unknown region"),
        ("organisations.csv", "gwent-police", "Wales,Wales", "Cymru,Wales", "unknown country"),
        (
            "organisations.csv",
            "kent-police",
            "kent-police-and-crime-commissioner",
            "kent-pcc",
            "unknown local policing body “kent-pcc”",
        ),
        (
            "organisations.csv",
            "essex-police",
            "essex-police-fire-and-crime-commissioner",
            "essex-county-fire-and-rescue-service",
            "unknown local policing body",
        ),
        ("organisations.csv", "home-office", "Home Office", "", "the name is empty"),
        (
            "predecessors.csv",
            "hampshire-constabulary",
            "hampshire-and-isle-of-wight-constabulary",
            "hampshire-police",
            "unknown successor",
        ),
        ("predecessors.csv", "hampshire-constabulary", "2022-02-01", "1 Feb 2022", "not a date"),
        ("inspectorates.csv", "ofsted", "ofsted,", "Ofsted!,", "not a valid slug"),
    ],
)
def test_bad_row_names_file_and_line_and_loads_nothing(data_dir, db, file, slug, old, new, message):
    line = replace_in_row(data_dir / file, slug, old, new)

    with pytest.raises(CommandError) as raised:
        load(data_dir=data_dir)

    assert f"{file}, line {line}: " in str(raised.value)
    assert message in str(raised.value)
    assert Organisation.objects.count() == 0
    assert Inspectorate.objects.count() == 0
    assert Programme.objects.count() == 0


def test_duplicate_slug_names_both_lines(data_dir, db):
    path = data_dir / "organisations.csv"
    first = line_of(path, "kent-police")
    with path.open("a", encoding="utf-8") as f:
        f.write("kent-police,Kent Police again,,police_force,England,South East,\n")
    last = len(path.read_text(encoding="utf-8").splitlines())

    with pytest.raises(CommandError, match=f"line {last}: the slug “kent-police” was already "
                       f"used on line {first}"):  # fmt: skip
        load(data_dir=data_dir)


def test_wrong_columns_are_refused(data_dir, db):
    path = data_dir / "inspectorates.csv"
    path.write_text("slug,title\nhmicfrs,HMICFRS\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"inspectorates\.csv, line 1: expected the columns"):
        load(data_dir=data_dir)


def test_row_with_a_missing_value_is_refused(data_dir, db):
    path = data_dir / "inspectorates.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("new-inspectorate,New inspectorate\n")
    last = len(path.read_text(encoding="utf-8").splitlines())

    with pytest.raises(CommandError, match=f"inspectorates.csv, line {last}: expected 4 values"):
        load(data_dir=data_dir)


def test_missing_file_is_an_error(data_dir, db):
    (data_dir / "predecessors.csv").unlink()

    with pytest.raises(CommandError, match=r"predecessors\.csv"):
        load(data_dir=data_dir)
    assert Organisation.objects.count() == 0


def test_failure_leaves_earlier_data_untouched(loaded, data_dir):
    replace_in_row(data_dir / "organisations.csv", "kent-police", "Kent Police", "Kent Force")
    replace_in_row(data_dir / "organisations.csv", "surrey-police", "South East", "Surrey")

    with pytest.raises(CommandError):
        load(data_dir=data_dir)

    assert Organisation.objects.get(slug="kent-police").name == "Kent Police"
