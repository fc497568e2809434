"""Back-office systems fetching residents' files by signed link (see views.py)."""
