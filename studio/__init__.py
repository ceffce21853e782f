"""mentorsim studio: a local web app for planners, over the same scenarios, runs and results.

``mentorsim studio`` serves it on 127.0.0.1 (see ``docs/studio.md``). The core (``sim``)
never imports this package; it imports ``sim`` and ``dashboards``.

One concept per module:

- :mod:`studio.folder`: the working folder; every path the studio reads or writes is
  checked to lie inside it.
- :mod:`studio.forms`: form fields generated from the parameter declarations, and the
  parsing of what is typed into them (numbers, yes/no and declared choices only).
- :mod:`studio.programme`: the starting programme (a bundled scenario or a file in the
  working folder) and "make it ours".
- :mod:`studio.options`: an option to compare: its lever changes as ``--set`` overrides,
  checked by the same validation as ``mentorsim validate``, with capacity and cost.
- :mod:`studio.scenario_file` (with :mod:`sim.toml_text`): an option written as a
  scenario TOML file.
- :mod:`studio.jobs` and :mod:`studio.worker`: a comparison run in a background process.
- :mod:`studio.downloads`: the files a planner takes away.
- :mod:`studio.layout`, :mod:`studio.page_state`, :mod:`studio.callbacks` and
  :mod:`studio.app`: the Dash page, what it holds, what it does as fields change, and the
  server.
"""
