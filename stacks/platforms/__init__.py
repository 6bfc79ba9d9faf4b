"""One composition per platform."""
