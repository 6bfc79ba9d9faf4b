"""One WordPressStack builder per platform (see platform_modules)."""
