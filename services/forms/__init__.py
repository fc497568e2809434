"""The form engine: schema parsing and validation, question types, branching, uploads, references.

Everything here is pure Python apart from `uploads.store_upload` (Django storage); the journey views
are built on these functions and never re-implement validation.
"""
