"""What analysts ask of a model: scenarios, sensitivity, indicators, tracking, scoring, revisions."""
