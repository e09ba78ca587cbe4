"""`make demo`: run the blitz's tensor and autograd parts on ember.

Run: python examples/demo.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import blitz_1_tensors  # noqa: E402
import blitz_2_autograd  # noqa: E402

if __name__ == "__main__":
    print("== Blitz part 1: tensors and the NumPy bridge ==")
    blitz_1_tensors.main()
    print("\n== Blitz part 2: autograd ==")
    blitz_2_autograd.main()
