"""The resident's journey through a form: question pages, check answers, send, confirmation."""
