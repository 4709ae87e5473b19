"""Setting a venue up from answers: a preset per vertical, or a YAML file of answers,
turned into rows (venue, rules, refunds, tables or services and staff, nights)."""
