"""The contact-centre workspace's domain reads and rules: who may see which case (scope), the
case search and its index, and a case's timeline. portal/staff presents them."""
