"""Signed callbacks from back-office systems carrying status updates (see views.py)."""
