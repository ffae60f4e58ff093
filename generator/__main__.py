"""`python -m generator` is the `postilla` command."""

import sys

from .cli import main

sys.exit(main())
