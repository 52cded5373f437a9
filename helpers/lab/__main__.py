"""``python -m helpers.lab up|status|down``."""

import sys

from .commands import main

sys.exit(main())
