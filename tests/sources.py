"""Where the published documents are that the catalogue and the contract cite line by line.

`spec/sources/` holds a verbatim copy of `../shared/contract/` (the reference and NOTES.md), so the
quote tests run on any checkout; `$CONTRACT_DIR` points them at another copy.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "spec" / "sources"
CONTRACT_DIR = Path(os.environ.get("CONTRACT_DIR", BUNDLED))
UPSTREAM = ROOT.parent / "shared" / "contract"  # the documents beside a checkout, where they are kept
