from tests.portal.conftest import mail_through_celery

__all__ = ["mail_through_celery"]
