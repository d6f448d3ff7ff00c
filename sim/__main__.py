"""``python -m sim`` is the ``ceasefire`` command."""

from .cli import main

raise SystemExit(main())
