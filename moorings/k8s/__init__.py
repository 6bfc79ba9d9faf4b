"""Small builders of Kubernetes objects shared by the components that run on Kubernetes."""
