"""Restaurant mode: a party at a sitting or start time, seated on tables the venue picks."""
