#!/usr/bin/env python3
"""The data flywheel command line (drop-in for agentic-stack's exporter).

Run ``python3 .agent/tools/data_flywheel_export.py --help``. This file only finds
the package beside it and calls ``main()``; everything else lives in
``data_flywheel/``.
"""
import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from data_flywheel import main

    sys.exit(main())
