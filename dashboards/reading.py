"""How to read the comparison page, and a glossary in plain words.

A board member reads the page (or its printout) without the model's vocabulary: the page
says "runs", "the middle run", "95% interval" and "on the same random numbers", and what
the technical words that remain (mentor-years, agency-weeks, the survival curve, ...)
mean is said once, here, in a glossary at the end of the page. "How to read this" comes
straight after the key findings.
"""

from __future__ import annotations

import html

# (term, meaning), in the order a reader meets them.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Run (replication)",
     "One simulation of an option from start to finish. Chance events (who is referred, "
     "who drops out, whether a grant is renewed) differ from run to run, so each option is "
     "run many times and the figures are averages over the runs."),
    ("Same random numbers",
     "Run k of every option meets the same chance events, so a difference between two "
     "options comes from what the options change, not from luck. Differences are taken run "
     "by run (paired)."),
    ("95% interval (95% CI)",
     "The range an average (or a difference) would fall in 95 times out of 100 if the whole "
     "comparison were repeated. A difference is better or worse only when its whole interval "
     "lies on one side of zero; otherwise there is no clear difference."),
    ("Middle run (median) and the band of the middle 80%",
     "On the charts over time: half the runs were above the line and half below; the "
     "shaded band covers the middle 80 of every 100 runs. It shows how much a programme's "
     "path varies, not how sure the average is."),
    ("Percentage point",
     "The difference between two percentages: from 30% to 27% is 3 percentage points "
     "(and 10% fewer)."),
    ("Ending early",
     "A relationship that ended before its planned length (its commitment point), for any "
     "reason."),
    ("Mentor-year",
     "One mentor on the books for a year. 100 mentor-years could be 20 mentors over five "
     "years, so \u201cper 100 mentor-years\u201d is \u201cper 100 mentors a year\u201d."),
    ("Relationship-year",
     "One mentoring relationship running for a year; rates per 100 relationship-years are "
     "per 100 relationships a year."),
    ("Agency-week",
     "One agency for one week; with one agency it is simply a week."),
    ("Money paid, spent and left unspent",
     "Paid is what the commissioner paid the programme; spent is what it spent on staff, "
     "mentors and activities; the difference is left unspent in its reserves. Money left "
     "unspent is not a saving: the commissioner paid it."),
    ("The programme's effect on reoffending",
     "How many of every 100 people referred reoffended within a year, compared with the "
     "same people without mentoring. Written as \u201cpoints lower\u201d: 1.7 points "
     "lower means about 2 fewer people of every 100 referred reoffended."),
    ("Survival curve (Kaplan\u2013Meier)",
     "The share of relationships still going after a given number of weeks, counting "
     "relationships still running when a run ended for as long as they were seen."),
    ("Ways of ending (cumulative incidence, Aalen\u2013Johansen)",
     "Of every 100 relationships started, how many had ended in each way by a given week; "
     "with the share still going they add up to 100."),
    ("Interval at each week (pointwise)",
     "The shaded band around a survival curve is the 95% interval of the share at each "
     "week, taken on its own."),
)


def how_to_read_html(replications: int, weeks: int, reference: str) -> str:
    """A short "how to read this" section, for the top of the page after the findings."""
    years = weeks / 52
    span = f"{years:.0f} years" if abs(years - round(years)) < 0.05 else f"{weeks} weeks"
    items = [
        f"Each option was simulated {replications} times over {span}; every figure is the "
        "average of those runs, and the options ran on the same random numbers as "
        f"{html.escape(reference)}, the reference they are compared with.",
        "Better, worse or no clear difference: the 95% interval of the difference lies "
        "wholly on the better side of zero, wholly on the worse side, or includes zero. A "
        "verdict is always written in words as well as coloured.",
        "Money: \u201cpaid\u201d is what the commissioner paid, \u201cspent\u201d what the "
        "programme spent, and money paid but not spent is left unspent in reserves. When an "
        "option's funding changes but its spending does not follow, the findings say the "
        "money did not bind.",
        "On the charts each option keeps one colour, line pattern, marker and hatching, so "
        "they can be told apart in black and white. Words such as mentor-years are "
        "explained in the glossary at the end.",
    ]
    return ('<section class="how-to-read"><h2>How to read this</h2><ul>'
            + "".join(f"<li>{item}</li>" for item in items) + "</ul></section>")


def glossary_html() -> str:
    """The glossary, as a definition list."""
    items = "".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>"
                    for term, meaning in GLOSSARY)
    return ('<section class="glossary"><h2>Glossary</h2><p class="caption">The words the '
            f"page uses, in plain words.</p><dl>{items}</dl></section>")
