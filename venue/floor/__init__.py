"""Tables and what they cost: availability, the floor map, the floor plan, closures,
quoting and the pricing rules, and ``claim``, the one way to occupy a table."""
