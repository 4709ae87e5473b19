"""A venue's calendar and rules: venues and their nights and sittings, and the rules
managers edit as data."""
