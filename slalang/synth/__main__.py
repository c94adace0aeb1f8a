"""``python -m slalang.synth``: the synthetic data command line."""

import sys

from slalang.synth import main

sys.exit(main())
