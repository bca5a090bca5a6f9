"""Every scenario of features/ becomes a test."""

from pytest_bdd import scenarios

scenarios(".")
