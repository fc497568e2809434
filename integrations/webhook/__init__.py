"""The JSON webhook adapter: each submission POSTed, signed, to the back office's address."""
