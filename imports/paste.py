"""Reading findings pasted from a report's text: pure, with no database.

Inspectors have the report as text. ``parse_findings`` turns a pasted block into findings,
each with its kind, reference, text, the cause of concern it answers and the addressees the
wording names, and marks every doubt on the finding it concerns. It never guesses silently:
a block whose kind it cannot tell, a reference given twice (in any case), a finding whose
wording names no addressee, each carries a doubt the preview shows before anything is saved.

The layouts it reads, alone or mixed in one paste:

- a label and a number, then the text, on one line or the next ones:
  "Area for improvement 1: The force should …", "Recommendation 1 - The force and MOPAC
  should …" (a hyphen or a dash), "Cause of concern 1", "AFI 3 The force should …",
  "R2. The force should …";
- a heading ("Areas for improvement", "Recommendations", "Cause of concern") followed by a
  plain numbered list ("1. …", "2) …", "(3) …");
- a plain numbered list with no heading: the kind is then a doubt, to be chosen.

A recommendation that comes after a cause of concern (before any area for improvement)
answers it: the report sets them out that way.
"""

import re
from dataclasses import dataclass, field

RECOMMENDATION = "recommendation"
AREA_FOR_IMPROVEMENT = "area_for_improvement"
CAUSE_OF_CONCERN = "cause_of_concern"

PREFIXES = {RECOMMENDATION: "R", AREA_FOR_IMPROVEMENT: "AFI", CAUSE_OF_CONCERN: "CoC"}

# The labels a report uses for each kind, longest first so that "areas for improvement" wins
# over "area". Matched case-insensitively at the start of a line.
_LABELS = (
    (r"areas?\s+for\s+improvement", AREA_FOR_IMPROVEMENT),
    (r"causes?\s+(?:of|for)\s+concern", CAUSE_OF_CONCERN),
    (r"recommendations?", RECOMMENDATION),
    (r"afis?", AREA_FOR_IMPROVEMENT),
    (r"co?c", CAUSE_OF_CONCERN),
    (r"rec", RECOMMENDATION),
    (r"r", RECOMMENDATION),
)
_LABEL = "|".join(f"(?P<k{i}>{pattern})" for i, (pattern, _) in enumerate(_LABELS))
_NUMBER = r"(?P<number>\d{1,3}[a-z]?)"
_SEPARATOR = r"\s*(?:[:.)\u2013\u2014-]\s*|\s+|$)"
# "Area for improvement 1: …", "AFI3 …", "R 2 - …", "Recommendation 1" alone on its line.
_LABELLED = re.compile(rf"^\s*(?:{_LABEL})\s*{_NUMBER}{_SEPARATOR}(?P<rest>.*)$", re.IGNORECASE)
# "1. …", "2) …", "(3) …", "4 - …": a plain numbered item.
_NUMBERED = re.compile(
    r"^\s*\(?(?P<number>\d{1,3}[a-z]?)(?:[.)]|\s*[\u2013\u2014-])\s+(?P<rest>\S.*)$"
)
# A heading: a label alone on its line, perhaps plural, perhaps with a colon.
_HEADING = re.compile(rf"^\s*(?:{_LABEL})\s*:?\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[\u2022\u25cf\u25aa\u2013*-]\s+")

# The subject of "<subject> should …": the addressees are named there.
_SUBJECT = re.compile(r"^(?P<subject>.*?)\b(?:should|must|needs? to|is to|are to)\b", re.I | re.S)
# Words that mean the inspected force itself, or its chief officer.
_FORCE_WORDS = re.compile(
    r"\b(?:the\s+force|forces|the\s+chief\s+constables?|chief\s+constables|chief\s+officers?"
    r"|the\s+constabulary|the\s+police\s+service)\b",
    re.I,
)
# Words that mean the force's local policing body.
_POLICING_BODY_WORDS = re.compile(
    r"\b(?:police(?:,)?\s+(?:fire\s+)?and\s+crime\s+commissioners?|pf?ccs?|mayors?|mopac"
    r"|local\s+policing\s+bod(?:y|ies)|police\s+and\s+crime\s+panels?)\b",
    re.I,
)
# A deadline in the finding's own words: "within six months", "by 31 March 2026".
_DEADLINE = re.compile(
    r"\b(?:within\s+(?:\d+|[a-z]+)\s+(?:days?|weeks?|months?|years?)"
    r"|by\s+(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\s+\d{4})\b",
    re.I,
)
_SERVICE_WORDS = re.compile(r"\b(?:the\s+(?:fire\s+and\s+rescue\s+)?service|services)\b", re.I)


@dataclass(frozen=True)
class Body:
    """An organisation the parser may name: ``kind`` as ``OrganisationKind`` values,
    ``policing_body`` the slug of a force's local policing body, ``inspected`` whether the
    report inspected it. ``names`` are the ways a report writes it (its name, Welsh name,
    abbreviation)."""

    slug: str
    names: tuple[str, ...]
    kind: str
    inspected: bool = False
    policing_body: str = ""


@dataclass
class ParsedFinding:
    kind: str | None  # None when the parser cannot tell: a doubt.
    reference: str
    text: str
    line: int  # Where the finding starts in the paste, counting from 1.
    cause_reference: str = ""  # For a recommendation: the cause of concern it answers.
    deadline_wording: str = ""  # The deadline as the text words it, if it does.
    addressees: list[str] = field(default_factory=list)  # Slugs, in the order named.
    doubts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # What the parser decided, to be checked.

    @property
    def is_cause(self) -> bool:
        return self.kind == CAUSE_OF_CONCERN


@dataclass
class _Block:
    kind: str | None
    number: str
    line: int
    lines: list[str]
    labelled: bool


def _kind_of(match) -> str:
    for i, (_, kind) in enumerate(_LABELS):
        if match.group(f"k{i}"):
            return kind
    raise AssertionError("a label matched without a group")


def _is_bare_letter_label(match, line: str) -> bool:
    """ "R 2 …" is a recommendation, but "A 1960s building…" is not a label: a one- or
    two-letter label counts only when the number follows it directly or after a space and a
    separator, and the line is not plain prose starting with that letter as a word."""
    label = next(match.group(f"k{i}") for i in range(len(_LABELS)) if match.group(f"k{i}"))
    return len(label) <= 3 and not re.match(rf"^\s*{re.escape(label)}\s?\d", line, re.I)


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    heading: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        heading_match = _HEADING.match(line)
        labelled = _LABELLED.match(line)
        if labelled and not _is_bare_letter_label(labelled, line):
            kind = _kind_of(labelled)
            rest = labelled.group("rest").strip()
            blocks.append(_Block(kind, labelled.group("number"), number, [rest], True))
            continue
        if heading_match and len(line) < 40:
            heading = _kind_of(heading_match)
            # A lone "Cause of concern" or "Recommendation" heading opens an unnumbered block.
            plural = re.match(r"^\s*(?:causes|recommendations|areas|afis)\b", line, re.I)
            if heading in (CAUSE_OF_CONCERN, RECOMMENDATION) and not plural:
                blocks.append(_Block(heading, "", number, [], True))
            continue
        numbered = _NUMBERED.match(line)
        if numbered:
            if blocks and blocks[-1].labelled and not blocks[-1].number and not blocks[-1].lines:
                # "Cause of concern" over a numbered list was a heading after all.
                blocks.pop()
            blocks.append(
                _Block(heading, numbered.group("number"), number, [numbered.group("rest")], False)
            )
            continue
        if blocks:
            blocks[-1].lines.append(_BULLET.sub("• ", line))
        else:
            # Text before the first finding (a page heading, a sentence of introduction) is
            # left out, and said so: nothing typed is lost without a word.
            blocks.append(_Block(None, "", number, [line], False))
    return blocks


def _joined(lines: list[str]) -> str:
    """The block's lines as one text: wrapped lines joined with a space, bullets kept apart."""
    text = ""
    for line in lines:
        if not line:
            continue
        if line.startswith("• "):
            text += ("\n" if text else "") + line
        elif text.endswith(("-",)) and not text.endswith(" -"):
            text = text[:-1] + line  # a word broken across lines by a PDF's hyphenation
        else:
            text += (" " if text else "") + line
    return text.strip()


def _names_in(subject: str, bodies: list[Body]) -> tuple[list[str], str]:
    """The slugs of the bodies written by name in ``subject``, longest name first (so "Kent
    Police and Crime Commissioner" is not also "Kent Police"), and the subject without them."""
    found, spans = [], []
    for body in sorted(bodies, key=lambda b: -max(len(n) for n in b.names)):
        for name in body.names:
            for hit in re.finditer(rf"\b{re.escape(name)}\b", subject, re.I):
                if any(start <= hit.start() < end for start, end in spans):
                    continue
                spans.append(hit.span())
                if body.slug not in found:
                    found.append(body.slug)
    rest = subject
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return found, rest


def guess_addressees(text: str, bodies: list[Body]) -> list[str]:
    """The slugs of the bodies the finding's subject names ("The force and MOPAC should …"):
    an inspected force for "the force" or "the chief constable", its local policing body for
    "the police and crime commissioner", "the mayor" or "MOPAC", any body written by its
    name. Empty when the subject names none: the caller marks that as a doubt."""
    match = _SUBJECT.match(text)
    subject = match.group("subject") if match else ""
    if not subject.strip():
        return []
    found, rest = _names_in(subject, bodies)
    # Generic words count outside the names already matched.
    known = {body.slug for body in bodies}
    inspected = [body for body in bodies if body.inspected]
    forces = [b for b in inspected if b.kind == "police_force"]
    generic = []
    if _FORCE_WORDS.search(rest):
        generic += [b.slug for b in forces]
    if _POLICING_BODY_WORDS.search(rest):
        generic += [b.policing_body for b in forces if b.policing_body in known]
    if _SERVICE_WORDS.search(rest):
        generic += [b.slug for b in inspected if b.kind == "fire_and_rescue_service"]
    return found + [slug for slug in dict.fromkeys(generic) if slug not in found]


def parse_findings(text: str, bodies: list[Body]) -> list[ParsedFinding]:
    """The findings of a pasted block, in the order pasted, each with its doubts."""
    findings: list[ParsedFinding] = []
    counters = dict.fromkeys(PREFIXES, 0)
    current_cause = ""
    for block in _blocks(text):
        body_text = _joined(block.lines)
        if block.kind is None and not block.number:
            findings.append(
                ParsedFinding(
                    kind=None,
                    reference="",
                    text=body_text,
                    line=block.line,
                    doubts=[
                        "This text comes before the first numbered finding and is not a "
                        "finding: delete it, or number it (e.g. “Area for improvement 1: …”)."
                    ],
                )
            )
            continue
        finding = ParsedFinding(kind=block.kind, reference="", text=body_text, line=block.line)
        if block.kind is None:
            finding.reference = block.number
            finding.doubts.append(
                "Unknown kind: write “Recommendation”, “Area for improvement” or “Cause of "
                f"concern” before the number, or a heading above the list (line {block.line})."
            )
        else:
            counters[block.kind] += 1
            number = block.number or str(counters[block.kind])
            finding.reference = f"{PREFIXES[block.kind]}{number.upper()}"
            if not block.number:
                finding.notes.append(f"Numbered {finding.reference} in the order pasted.")
        if not finding.text:
            finding.doubts.append("The text is empty: paste the finding's words after its label.")
        if block.kind == CAUSE_OF_CONCERN:
            current_cause = finding.reference
        elif block.kind == AREA_FOR_IMPROVEMENT:
            current_cause = ""
        elif block.kind == RECOMMENDATION and current_cause:
            finding.cause_reference = current_cause
            finding.notes.append(f"Answers the cause of concern {current_cause}.")
        if block.kind != CAUSE_OF_CONCERN:
            deadline = _DEADLINE.search(finding.text)
            finding.deadline_wording = deadline.group(0) if deadline else ""
            finding.addressees = guess_addressees(finding.text, bodies)
            if not finding.addressees:
                finding.doubts.append(
                    "No addressee found in the wording: choose the organisations it is "
                    "addressed to."
                )
        findings.append(finding)
    _mark_duplicates(findings)
    _check_causes_answered(findings)
    return findings


def _mark_duplicates(findings: list[ParsedFinding]) -> None:
    """References are unique in a report whatever their case: "r2" beside "R2" is a doubt."""
    seen: dict[str, ParsedFinding] = {}
    for finding in findings:
        if not finding.reference or (finding.kind is None and not finding.text):
            continue
        key = finding.reference.casefold()
        first = seen.get(key)
        if first is not None:
            finding.doubts.append(
                f"Duplicate reference: {finding.reference} is already used on line {first.line}."
            )
        else:
            seen[key] = finding


def _check_causes_answered(findings: list[ParsedFinding]) -> None:
    answered = {f.cause_reference for f in findings if f.cause_reference}
    for finding in findings:
        if finding.is_cause and finding.reference not in answered:
            finding.doubts.append(
                f"{finding.reference} has no recommendation beneath it: a cause of concern "
                "always comes with at least one (paste it after the cause)."
            )
