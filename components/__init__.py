"""Moorings' reusable ComponentResources. They take typed args and never read stack config."""
