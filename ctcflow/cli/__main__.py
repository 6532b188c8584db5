"""`python -m ctcflow.cli` is `ctc`."""

import sys

from ctcflow.cli.main import main

sys.exit(main())
