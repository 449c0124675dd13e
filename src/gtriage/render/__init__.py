"""Renderers: each turns a Report into one output format. Dump text passes through safe.py."""
