"""``make vendor``: Pyodide, micropip and PyScript into build/vendor/ (stamped; no CDN).

The work is done by the plugin's vendoring (``testing/pytest_kuzzle_browser/vendor.py``),
which other projects use for their cache folder.  usage: python tools/vendor.py [--force]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from project_config import load_config

from pytest_kuzzle_browser.vendor import main

if __name__ == "__main__":
    main(Path(load_config().VENDOR_DIR))
