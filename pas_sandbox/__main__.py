"""``python -m pas_sandbox`` — see ``pas_sandbox.cli``."""

import sys

from pas_sandbox.cli import main

sys.exit(main())
