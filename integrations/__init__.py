"""Back-office adapters, their registry and base contract, and simulators of each protocol.

Adapters never import models: they turn a payload into a back-office record and a status callback
or feed into plain update records, and `services` applies what they return.
"""
