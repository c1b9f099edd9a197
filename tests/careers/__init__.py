"""Tests of the public careers site."""
