"""Entry point for `python -m kpi_core`."""

from kpi_core.cli import main

raise SystemExit(main())
