from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    POLICE_FORCE = "police_force", _("Police force")
    FIRE_AND_RESCUE_SERVICE = "fire_and_rescue_service", _("Fire and rescue service")
    LOCAL_POLICING_BODY = "local_policing_body", _("Local policing body")
    NATIONAL_BODY = "national_body", _("National body")


class Country(models.TextChoices):
    ENGLAND = "England", _("England")
    WALES = "Wales", _("Wales")
    SCOTLAND = "Scotland", _("Scotland")
    NORTHERN_IRELAND = "Northern Ireland", _("Northern Ireland")


class Region(models.TextChoices):
    NORTH_EAST = "North East", _("North East")
    NORTH_WEST = "North West", _("North West")
    YORKSHIRE_AND_THE_HUMBER = "Yorkshire and The Humber", _("Yorkshire and The Humber")
    EAST_MIDLANDS = "East Midlands", _("East Midlands")
    WEST_MIDLANDS = "West Midlands", _("West Midlands")
    EAST_OF_ENGLAND = "East of England", _("East of England")
    LONDON = "London", _("London")
    SOUTH_EAST = "South East", _("South East")
    SOUTH_WEST = "South West", _("South West")
    WALES = "Wales", _("Wales")
    ENGLAND = "England", _("England (national)")
    GREAT_BRITAIN = "Great Britain", _("Great Britain")


class ProgrammeKind(models.TextChoices):
    PEEL = "peel", _("PEEL")
    POLICE_CUSTODY = "police_custody", _("Police custody")
    CHILD_PROTECTION = "child_protection", _("National child protection")
    JOINT_TARGETED_AREA = "joint_targeted_area", _("Joint targeted area inspection")
    THEMATIC = "thematic", _("Thematic")
    FIRE_AND_RESCUE = "fire_and_rescue", _("Fire and rescue service")
    CRIME_DATA_INTEGRITY = "crime_data_integrity", _("Crime data integrity")
    OTHER = "other", _("Other")


class GradingScale(models.TextChoices):
    """A scale is a family of grades; grades from different scales are never compared."""

    PEEL_FIVE_POINT = "peel_5", _("PEEL five-point (2021/22 onwards)")
    PEEL_FOUR_POINT = "peel_4", _("PEEL four-point (before 2021/22)")
    FIRE_FOUR_POINT = "fire_4", _("Fire and rescue four-point")


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", _("Outstanding")
    GOOD = "good", _("Good")
    ADEQUATE = "adequate", _("Adequate")
    REQUIRES_IMPROVEMENT = "requires_improvement", _("Requires improvement")
    INADEQUATE = "inadequate", _("Inadequate")


# Which grades each scale allows, best first. The database enforces the same rule.
GRADES_BY_SCALE = {
    GradingScale.PEEL_FIVE_POINT: (
        Grade.OUTSTANDING,
        Grade.GOOD,
        Grade.ADEQUATE,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.INADEQUATE,
    ),
    GradingScale.PEEL_FOUR_POINT: (
        Grade.OUTSTANDING,
        Grade.GOOD,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.INADEQUATE,
    ),
    GradingScale.FIRE_FOUR_POINT: (
        Grade.OUTSTANDING,
        Grade.GOOD,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.INADEQUATE,
    ),
}
