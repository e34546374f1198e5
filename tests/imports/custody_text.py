"""The findings of the 2025 Metropolitan Police custody report as an inspector pastes them from
the published PDF: one cause of concern, its recommendation to the force and MOPAC, and 20 areas
for improvement. The wording follows the report's shape (the first AFI is the report's own
point on pre-release risk assessments); the paste keeps the PDF's wrapped lines."""

CAUSE = (
    "Governance and oversight of the use of force in custody is poor, and oversight is not wide "
    "enough to improve outcomes for detainees who need mental health assessments."
)

AFIS = [
    "The force should make sure that pre-release risk assessments give enough detail on risks "
    "such as self-harm.",
    "The force should make sure that officers who use force in custody always complete a use "
    "of force record.",
    "The force should analyse its data on the use of force in custody to identify trends.",
    "The force should make sure that custody staff receive refresher training in the use of force.",
    "The force should make sure that detainees are told about their rights and entitlements in "
    "a way they understand.",
    "The force should make sure that cell call bells are answered promptly.",
    "The force should make sure that detainees at risk are observed at the level set for them.",
    "The force should make sure that handovers between custody staff include all risks.",
    "The force should make sure that detainees who need an interpreter have one at booking-in.",
    "The force should make sure that health care records are stored securely.",
    "The force should make sure that children in custody are seen by an appropriate adult "
    "promptly.",
    "The force should make sure that detainees with mental health needs are assessed without "
    "delay.",
    "The force should reduce the time detainees under the Mental Health Act wait for a bed.",
    "The force should make sure that detainees' property is recorded accurately.",
    "The force should make sure that detainees are offered showers and exercise.",
    "The force should make sure that the custody estate is clean and free of ligature points.",
    "The force should make sure that strip searches are justified and recorded.",
    "The force should make sure that detainees are released with support for their onward needs.",
    "The force should make sure that its custody data is accurate and complete.",
    "The force should make sure that it learns from adverse incidents in custody.",
]

RECOMMENDATION = (
    "The force and MOPAC should, within six months, put in place governance and oversight of the "
    "use of force in custody, and widen oversight of the outcomes for detainees who need mental "
    "health assessments."
)


def wrapped(text: str, width: int = 70) -> str:
    """The text broken into lines as a PDF copy gives it."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def labelled_paste(afis=None) -> str:
    """ "Cause of concern 1", "Recommendation 1", "Area for improvement 1: …" with wrapped lines."""
    parts = [
        f"Cause of concern 1\n{wrapped(CAUSE)}",
        f"Recommendation 1\n{wrapped(RECOMMENDATION)}",
    ]
    parts.append("Areas for improvement")
    parts += [
        wrapped(f"Area for improvement {n}: {text}") for n, text in enumerate(afis or AFIS, start=1)
    ]
    return "\n\n".join(parts)


def heading_list_paste() -> str:
    """Headings over plain numbered lists, as the report's summary of findings sets them out."""
    lines = [
        "Cause of concern",
        CAUSE,
        "",
        "Recommendation",
        RECOMMENDATION,
        "",
        "Areas for improvement",
    ]
    lines += [f"{n}. {text}" for n, text in enumerate(AFIS, start=1)]
    return "\n".join(lines)
