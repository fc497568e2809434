"""Cells that a spreadsheet opens as text, never as a formula (CSV injection).

Back-office staff open the CSV files adapters write (the e-mail adapter's answers.csv, the SFTP
batch file) in Excel or LibreOffice, which run a cell that starts with a formula character:
`=HYPERLINK("http://evil.example", "Click")` or `@SUM(...)` typed by a resident would become a
live link or a calculation on a council computer. OWASP's advice is followed: a cell starting
with =, +, -, @, a tab or a carriage return is prefixed with a single quote, which spreadsheets
show as text and hide. (Quotes and separators inside a cell are the csv module's job.)
"""

from __future__ import annotations

# https://owasp.org/www-community/attacks/CSV_Injection; a line feed as well, which some
# spreadsheets skip like the carriage return before reading a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(text: str) -> str:
    """The text of one CSV cell, neutralised so that a spreadsheet shows it rather than runs it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
