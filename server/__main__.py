"""``python -m recipe.server …`` is the ``recipe`` command."""

from recipe.server.cli import main

raise SystemExit(main())
