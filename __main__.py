"""Moorings: read the stack's settings, declare the composition for its platform."""

from stacks.compose import compose
from stacks.settings import load_settings

compose(load_settings())
