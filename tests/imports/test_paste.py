"""The paste parser on real report wording, in the layouts inspectors copy from reports."""

import pytest

from imports.paste import (
    AREA_FOR_IMPROVEMENT,
    CAUSE_OF_CONCERN,
    RECOMMENDATION,
    Body,
    guess_addressees,
    parse_findings,
)
from tests.imports.custody_text import AFIS, heading_list_paste, labelled_paste

MET = "metropolitan-police-service"
MOPAC = "mayors-office-for-policing-and-crime"
KENT = "kent-police"
KENT_PCC = "kent-police-and-crime-commissioner"

MET_BODIES = [
    Body(MET, ("Metropolitan Police Service",), "police_force", True, MOPAC),
    Body(MOPAC, ("Mayor's Office for Policing and Crime", "MOPAC"), "local_policing_body"),
]
KENT_BODIES = [
    Body(KENT, ("Kent Police",), "police_force", True, KENT_PCC),
    Body(KENT_PCC, ("Kent Police and Crime Commissioner",), "local_policing_body"),
    Body("college-of-policing", ("College of Policing",), "national_body"),
]


@pytest.mark.parametrize("paste", [labelled_paste, heading_list_paste])
def test_the_custody_report_goes_in_with_one_paste(paste):
    findings = parse_findings(paste(), MET_BODIES)

    assert [f.reference for f in findings] == ["CoC1", "R1", *(f"AFI{n}" for n in range(1, 21))]
    cause, recommendation, *afis = findings
    assert cause.kind == CAUSE_OF_CONCERN
    assert cause.text.startswith("Governance and oversight of the use of force in custody")
    assert recommendation.kind == RECOMMENDATION
    assert recommendation.cause_reference == "CoC1"
    assert set(recommendation.addressees) == {MET, MOPAC}
    assert all(f.kind == AREA_FOR_IMPROVEMENT and f.addressees == [MET] for f in afis)
    assert [f.text for f in afis] == AFIS  # wrapped lines joined back into one text
    assert not any(f.doubts for f in findings)


def test_labels_and_numbers_in_every_spelling():
    text = "\n".join(
        [
            "Area for improvement 1: The force should improve A.",
            "AFI 2 The force should improve B.",
            "AFI3 - The force should improve C.",
            "Recommendation 4. The chief constable should do D.",
            "R5: The police and crime commissioner should do E.",
            "Rec 6 – The force should do F.",
        ]
    )
    findings = parse_findings(text, KENT_BODIES)

    assert [(f.kind, f.reference) for f in findings] == [
        (AREA_FOR_IMPROVEMENT, "AFI1"),
        (AREA_FOR_IMPROVEMENT, "AFI2"),
        (AREA_FOR_IMPROVEMENT, "AFI3"),
        (RECOMMENDATION, "R4"),
        (RECOMMENDATION, "R5"),
        (RECOMMENDATION, "R6"),
    ]
    assert findings[2].text == "The force should improve C."
    assert findings[3].addressees == [KENT]
    assert findings[4].addressees == [KENT_PCC]


def test_label_on_its_own_line_takes_the_following_lines():
    text = "Recommendation 1\nBy 31 March 2026, the force should\nreview its call hand-\nling.\n"
    (finding,) = parse_findings(text, KENT_BODIES)

    assert finding.reference == "R1"
    assert finding.text == "By 31 March 2026, the force should review its call handling."
    assert finding.addressees == [KENT]


def test_a_plain_numbered_list_without_a_heading_has_an_unknown_kind():
    findings = parse_findings("1. The force should do A.\n2. The force should do B.", KENT_BODIES)

    assert [f.kind for f in findings] == [None, None]
    assert all("Unknown kind" in f.doubts[0] for f in findings)


def test_a_heading_gives_a_plain_list_its_kind():
    text = "Areas for improvement:\n1) The force should do A.\n(2) The force should do B."
    findings = parse_findings(text, KENT_BODIES)

    assert [(f.kind, f.reference) for f in findings] == [
        (AREA_FOR_IMPROVEMENT, "AFI1"),
        (AREA_FOR_IMPROVEMENT, "AFI2"),
    ]


def test_references_are_unique_whatever_their_case():
    text = "R2: The force should do A.\nr2: The force should do B."
    first, second = parse_findings(text, KENT_BODIES)

    assert first.doubts == []
    assert second.doubts == ["Duplicate reference: R2 is already used on line 1."]


def test_no_addressee_found_is_a_doubt_not_a_default():
    (finding,) = parse_findings("AFI1: Custody records are not always complete.", KENT_BODIES)

    assert finding.addressees == []
    assert finding.doubts == [
        "No addressee found in the wording: choose the organisations it is addressed to."
    ]


@pytest.mark.parametrize(
    "wording, expected",
    [
        ("The force and MOPAC should act.", {MET, MOPAC}),
        ("The chief constable should act.", {MET}),
        ("The Mayor's Office for Policing and Crime should act.", {MOPAC}),
        ("The mayor should act.", {MOPAC}),
        ("The police and crime commissioner and the force should act.", {MET, MOPAC}),
        ("Custody staff are not trained. The force should act.", {MET}),
        ("Nothing here names anyone.", set()),
    ],
)
def test_addressees_guessed_from_the_subject(wording, expected):
    assert set(guess_addressees(wording, MET_BODIES)) == expected


def test_a_name_that_contains_another_names_only_itself():
    # "Kent Police and Crime Commissioner" is the commissioner, not Kent Police as well.
    assert guess_addressees("The Kent Police and Crime Commissioner should act.", KENT_BODIES) == [
        KENT_PCC
    ]
    assert guess_addressees("Kent Police should act.", KENT_BODIES) == [KENT]
    assert guess_addressees(
        "The College of Policing and chief constables should act.", KENT_BODIES
    ) == ["college-of-policing", KENT]


def test_a_cause_of_concern_with_no_recommendation_is_a_doubt():
    text = "Cause of concern 1: Oversight is poor.\nArea for improvement 1: The force should act."
    cause, afi = parse_findings(text, KENT_BODIES)

    assert "CoC1 has no recommendation beneath it" in cause.doubts[0]
    assert afi.cause_reference == ""


def test_recommendations_after_the_areas_for_improvement_answer_no_cause():
    text = (
        "Cause of concern 1: Oversight is poor.\nRecommendation 1: The force should act.\n"
        "AFI1: The force should act.\nRecommendation 2: The force should also act."
    )
    findings = parse_findings(text, KENT_BODIES)

    assert [f.cause_reference for f in findings] == ["", "CoC1", "", ""]


def test_text_before_the_first_finding_is_shown_not_lost():
    text = "Summary of findings\nWe found the following.\nAFI1: The force should act."
    intro, afi = parse_findings(text, KENT_BODIES)

    assert intro.kind is None and intro.reference == ""
    assert intro.text == "Summary of findings We found the following."
    assert "comes before the first numbered finding" in intro.doubts[0]
    assert afi.reference == "AFI1" and afi.doubts == []


def test_bullets_stay_on_their_own_lines():
    text = "Recommendation 1: The force should:\n• review A;\n• review B."
    (finding,) = parse_findings(text, KENT_BODIES)

    assert finding.text == "The force should:\n• review A;\n• review B."


def test_prose_starting_with_a_letter_label_is_not_a_finding():
    text = "AFI1: The force should act.\nR and D teams are not funded."
    (finding,) = parse_findings(text, KENT_BODIES)

    assert finding.text == "The force should act. R and D teams are not funded."


def test_the_deadline_is_kept_in_the_reports_own_words():
    text = (
        "Recommendation 1: Within six months, the force should act.\n"
        "Recommendation 2: By 31 March 2026, the chief constable should act.\n"
        "AFI1: The force should act."
    )
    assert [f.deadline_wording for f in parse_findings(text, KENT_BODIES)] == [
        "Within six months",
        "By 31 March 2026",
        "",
    ]
