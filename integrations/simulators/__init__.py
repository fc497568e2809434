"""Simulators of the back-office protocols the portal speaks: real servers on loopback, with fault
modes, for tests and for `make run`. Production code never imports this package.
"""
