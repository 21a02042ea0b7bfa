"""Let the synth tests import their helpers (synth_rules, synth_metrics) under any import mode."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
