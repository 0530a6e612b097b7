from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shegong.accounts"

    def ready(self):
        from shegong.core import actors

        from .actor import Actor, SystemActor
        from .models import User

        def actor_of_user(user_id: int):
            return Actor.for_user(User.objects.filter(pk=user_id, is_active=True).first())

        def scope_of_user(user_id: int):
            return actor_of_user(user_id).scope

        actors.provide(system=SystemActor, scope_of_user=scope_of_user, actor_of_user=actor_of_user)
