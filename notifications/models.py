"""Records of the notifications app (filled in by later issues)."""
