"""WordPressStack on Kubernetes (recipe 8): the builder in builder.py, its options in options.py
(which import no builder), and one file per kind of object it declares."""
