from shegong.accounts.actor import Actor
from shegong.demands import catalogue, services
from shegong.people.models import SocialWorker
from tests.factories import TOWN_A, VILLAGE_A1, make_user


def actor(*roles, region_code=TOWN_A, **kwargs):
    user = make_user(*roles, region_code=region_code, **kwargs)
    return Actor.for_user(user)


def item(code="elderly.meals", region_code=VILLAGE_A1):
    return next(i for i in catalogue.items_for(region_code) if i.code == code)


def public_request(
    description="家里老人行动不便，想申请助餐送餐", region=VILLAGE_A1, address="10.0.0.1", **extra
):
    data = {
        "description": description,
        "region": region,
        "requester_name": "王阿姨",
        "requester_phone": "13800138000",
        "consent_contact": True,
        **extra,
    }
    return services.request_submit_public(data=data, address=address)


def worker_for(user, region):
    return SocialWorker.objects.create(name="张社工", region=region, user=user)
