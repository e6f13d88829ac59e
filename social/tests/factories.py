"""Builders for the social tests."""

from social.friends import follow


def make_friends(one, other):
    follow(one, other)
    follow(other, one)
