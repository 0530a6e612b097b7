from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shegong.accounts"
