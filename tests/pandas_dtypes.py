"""The pandas dtype a reader gets for a declared column, on the installed pandas.

pandas 3 reads text columns as its ``str`` dtype; pandas 2 (the series lifelines still
requires) reads them as ``object``. The Arrow types in the files are the same on both and
are checked exactly; only the name pandas gives text differs.
"""

from __future__ import annotations

import pandas as pd

TEXT = "str" if int(pd.__version__.split(".")[0]) >= 3 else "object"


def read_dtype(declared: str) -> str:
    """The dtype name ``pd.read_parquet`` gives a column declared as ``declared``."""
    return TEXT if declared == "str" else declared
