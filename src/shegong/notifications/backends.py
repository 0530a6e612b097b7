"""Where a message goes when it leaves the app: e-mail through Django's ``send_mail`` (the SMTP settings come from
the environment, see settings.py), SMS through the class ``settings.SHEGONG_SMS_BACKEND`` names.

A deployment points ``SHEGONG_SMS_BACKEND`` at its gateway's class: a subclass of ``OutgoingBackend`` whose
``send`` raises on failure (the delivery record keeps the error). The console backend, used in the demo and tests,
only writes the text to the log.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """The backend could not send; the message says why (no address, the gateway refused …)."""


class OutgoingBackend:
    channel = ""

    def send(self, *, address: str, subject: str, text: str) -> None:
        raise NotImplementedError


class EmailBackend(OutgoingBackend):
    channel = "email"

    def send(self, *, address: str, subject: str, text: str) -> None:
        sent = send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
        if sent != 1:
            raise DeliveryError(f"send_mail sent {sent} messages")


class SmsBackend(OutgoingBackend):
    """The interface of an SMS gateway: ``send`` gets the mobile number and the short text."""

    channel = "sms"


class ConsoleSmsBackend(SmsBackend):
    """Logs the SMS instead of sending it: the demo's and the tests' gateway."""

    def send(self, *, address: str, subject: str, text: str) -> None:
        logger.info("SMS to %s: %s %s", address[:3] + "****" + address[-4:], subject, text)


def email_backend() -> OutgoingBackend:
    return import_string(settings.SHEGONG_EMAIL_BACKEND)()


def sms_backend() -> OutgoingBackend:
    return import_string(settings.SHEGONG_SMS_BACKEND)()


def backend_for(channel: str) -> OutgoingBackend:
    return email_backend() if channel == "email" else sms_backend()
