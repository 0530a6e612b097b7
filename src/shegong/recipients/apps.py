from django.apps import AppConfig


class RecipientsConfig(AppConfig):
    name = "shegong.recipients"
