"""Batch file drop: CSV or JSON lines batches over SFTP, files first and the manifest last."""
