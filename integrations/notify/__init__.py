"""GOV.UK Notify: e-mail, text messages and letters through the official client (see client.py)."""
