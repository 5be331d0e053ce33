"""What the analyst writes: the model file read and checked, judgements, scales, sources."""
