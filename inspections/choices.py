from django.db import models


class OrganisationKind(models.TextChoices):
    POLICE_FORCE = "police_force", "Police force"
    FIRE_AND_RESCUE_SERVICE = "fire_and_rescue_service", "Fire and rescue service"
    LOCAL_POLICING_BODY = "local_policing_body", "Local policing body"
    NATIONAL_BODY = "national_body", "National body"


class Country(models.TextChoices):
    ENGLAND = "England", "England"
    WALES = "Wales", "Wales"
    SCOTLAND = "Scotland", "Scotland"
    NORTHERN_IRELAND = "Northern Ireland", "Northern Ireland"


class Region(models.TextChoices):
    NORTH_EAST = "North East", "North East"
    NORTH_WEST = "North West", "North West"
    YORKSHIRE_AND_THE_HUMBER = "Yorkshire and The Humber", "Yorkshire and The Humber"
    EAST_MIDLANDS = "East Midlands", "East Midlands"
    WEST_MIDLANDS = "West Midlands", "West Midlands"
    EAST_OF_ENGLAND = "East of England", "East of England"
    LONDON = "London", "London"
    SOUTH_EAST = "South East", "South East"
    SOUTH_WEST = "South West", "South West"
    WALES = "Wales", "Wales"
    ENGLAND = "England", "England (national)"
    GREAT_BRITAIN = "Great Britain", "Great Britain"


class ProgrammeKind(models.TextChoices):
    PEEL = "peel", "PEEL"
    POLICE_CUSTODY = "police_custody", "Police custody"
    CHILD_PROTECTION = "child_protection", "National child protection"
    JOINT_TARGETED_AREA = "joint_targeted_area", "Joint targeted area inspection"
    THEMATIC = "thematic", "Thematic"
    FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue service"
    CRIME_DATA_INTEGRITY = "crime_data_integrity", "Crime data integrity"
    OTHER = "other", "Other"


class GradingScale(models.TextChoices):
    """A scale is a family of grades; grades from different scales are never compared."""

    PEEL_FIVE_POINT = "peel_5", "PEEL five-point (2021/22 onwards)"
    PEEL_FOUR_POINT = "peel_4", "PEEL four-point (before 2021/22)"
    FIRE_FOUR_POINT = "fire_4", "Fire and rescue four-point"


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


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
