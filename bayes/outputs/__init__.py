"""What readers see: charts, wording, the brief and its deck, the notebook explorer."""
