"""Self-contained Plotly dashboards built from mentorsim results folders.

The simulation core never imports this package (or Plotly); the dashboards read only the
files described in ``docs/outputs.md``. Entry point: :func:`dashboards.report.write_dashboard`.
"""
