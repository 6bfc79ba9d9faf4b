"""One WordPressStack builder per platform, named in wordpress_stack.BUILDERS, and what they share."""
