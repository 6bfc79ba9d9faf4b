"""Per-environment stacks: their config files, the typed settings, the per-platform compositions."""
