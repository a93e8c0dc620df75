"""`python -m <package>.healthcheck`: exit 0 when /healthz answers 200 (Docker HEALTHCHECK).

The slim image has no curl; the standard library is enough.
"""

import os
import sys
import urllib.request


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
