"""Record kinds, their JSON Schemas, and the small checker that enforces them."""
