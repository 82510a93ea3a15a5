import sys
from pathlib import Path

# The helper modules unit and integration tests share (tests/support/: helpers, scripted_http) import as plain modules.
sys.path.insert(0, str(Path(__file__).parent / "support"))
