"""mentorsim: an agent-based model of criminal-justice mentoring and peer-mentoring programmes."""

__version__ = "0.1.0"
