"""Records of the workflows app (filled in by later issues)."""
