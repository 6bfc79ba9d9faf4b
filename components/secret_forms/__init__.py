"""The platform forms of SecretBundle, one module per platform (see platform_modules)."""
