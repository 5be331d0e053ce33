"""`python -m bayes.cli ...` runs the `bayes` command (git textconv drivers call it this way)."""

from bayes.cli import main

raise SystemExit(main())
