import datetime

from shegong.core.identity import id_check_digit
from shegong.people.models import SocialWorker


def valid_id(birth: str = "19900307", seq: int = 1) -> str:
    first17 = f"500103{birth}{seq:03d}"
    return first17 + id_check_digit(first17)


def make_worker(region, name="王社工", seq=1, **extra) -> SocialWorker:
    return SocialWorker.objects.create(region=region, name=name, id_number=valid_id(seq=seq), **extra)


def days_ago(n: int) -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=n)
