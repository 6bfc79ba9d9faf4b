"""The platform forms of SecretBundle, one module per platform, named in secret_bundle.FORMS."""
