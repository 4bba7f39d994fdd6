"""Putting the tool where it runs: the ``.agent/tools/`` bundle, each harness's entry point, capture hooks.

``bundle`` says what an install copies and where it comes from; ``targets`` is
every harness as data; ``configs`` the edits to the user's own files, each with
its inverse; ``ledger`` what an install did; ``installer`` plans, applies and
undoes it.
"""
