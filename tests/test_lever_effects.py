"""Each lever's effect within its source: every effect in the record lies within its cited
range or in its cited direction, or its row says why not (the record being the model's as
it is now, and the ODD showing it, is checked in ``tests/test_doc_claims.py``)."""

from __future__ import annotations

import pytest

from sim import claims
from sim.lever_effects import LEVER_EFFECTS, NAME, verdict

RECORD = claims.read_record(NAME)


def test_the_record_has_every_row_on_enough_replications() -> None:
    assert set(RECORD["rows"]) == {row.key for row in LEVER_EFFECTS}
    assert RECORD["reps"] >= 12, "enough paired replications to place each effect"


@pytest.mark.parametrize("row", LEVER_EFFECTS, ids=lambda row: row.key)
def test_each_effect_lies_within_its_source(row) -> None:
    result = RECORD["rows"][row.key]
    judged = verdict(row, result)
    if judged in ("outside", "against"):
        assert row.note, (f"{row.lever}: {row.metric} {result['relative']:+.0%} is {judged} "
                          "its source; change the mechanism, or say why in the row's note")
