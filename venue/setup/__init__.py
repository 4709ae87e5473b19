"""A venue's calendar and rules: venues and their nights and sittings, the rules managers
edit as data, and the demo venue."""
