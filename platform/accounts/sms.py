"""SMS sending through a provider interface. Real providers (Aliyun, Tencent Cloud) plug in as
another backend class named by settings.SMS_BACKEND; the dev backend logs the message and keeps it
in ``outbox`` so a developer (and the tests) can read the code."""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("accounts.sms")


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    template: str
    params: dict[str, str]
    sent_at: datetime = field(default_factory=timezone.now)


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


outbox: list[SmsMessage] = []


class LoggingSmsBackend:
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)
        logger.warning("SMS to %s [%s] %s", message.mobile, message.template, message.params)


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
