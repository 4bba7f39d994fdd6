"""Where runs come from: the approved-runs file now; harness session readers plug in beside it."""
