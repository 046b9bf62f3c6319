"""Records of the meetings app (filled in by later issues)."""
