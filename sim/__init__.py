"""mentorsim: an agent-based model of criminal-justice mentoring and peer-mentoring programmes."""

__version__ = "0.2.0"  # with CHANGELOG.md and CITATION.cff (a test checks they agree)
