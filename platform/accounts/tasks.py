from celery import shared_task

from accounts.services import auth_tokens_purge_expired


@shared_task
def auth_tokens_purge_expired_task() -> int:
    return auth_tokens_purge_expired()
