"""Answers from a model: planning, the batched exact engine, parameter draws, claims checked."""
