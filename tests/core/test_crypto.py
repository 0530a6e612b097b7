import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from shegong.core import crypto
from shegong.core.fields import blind_index_for
from shegong.core.identity import IdentityError, id_check_digit, parse_id_number, validate_credit_code
from shegong.core.keyrotation import rotate
from shegong.core.masking import mask_id_number, mask_phone
from shegong.people.models import SocialWorker

from ..factories import TOWN_A

ID = "11010519491231002X"


def raw_row(table, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_sm4_round_trip_and_associated_data_binding():
    token = crypto.encrypt("13812345678", "t.phone:1")
    assert token.startswith("sm4gcm:t1:")
    assert crypto.decrypt(token, "t.phone:1") == "13812345678"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, "t.phone:2")
    assert crypto.encrypt("x", "a") != crypto.encrypt("x", "a")  # fresh nonce every time


def test_database_holds_no_plaintext_and_blind_index_finds_the_row(world):
    worker = SocialWorker.objects.create(name="张三", region_id=TOWN_A, id_number=ID, phone="13812345678")
    stored_id = raw_row("people_socialworker", worker.pk, "id_number")
    stored_phone = raw_row("people_socialworker", worker.pk, "phone")
    assert ID not in stored_id and "13812345678" not in stored_phone
    assert stored_id.startswith("sm4gcm:")
    index = blind_index_for(SocialWorker, "id_number_index", ID.lower())
    assert SocialWorker.objects.get(id_number_index=index).pk == worker.pk
    assert SocialWorker.objects.get(pk=worker.pk).id_number == ID


def test_ciphertext_moved_to_another_row_does_not_decrypt(world):
    first = SocialWorker.objects.create(name="甲", region_id=TOWN_A, id_number=ID)
    second = SocialWorker.objects.create(name="乙", region_id=TOWN_A, id_number="")
    token = raw_row("people_socialworker", first.pk, "id_number")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_socialworker SET id_number = %s WHERE id = %s", [token, second.pk])
    with pytest.raises(crypto.DecryptionError):
        _ = SocialWorker.objects.get(pk=second.pk).id_number


def test_encrypted_field_cannot_be_filtered(db):
    with pytest.raises(TypeError):
        list(SocialWorker.objects.filter(id_number=ID))


def test_key_rotation_re_encrypts_under_the_new_key(world, settings):
    worker = SocialWorker.objects.create(name="甲", region_id=TOWN_A, id_number=ID)
    old = settings.DATA_KEYS
    settings.DATA_KEYS = "t2:" + "ZmVkY2JhOTg3NjU0MzIxMA" + "," + old
    crypto.reset_keyring()
    try:
        counts = rotate()
        assert counts["people.SocialWorker"] == 1
        assert raw_row("people_socialworker", worker.pk, "id_number").startswith("sm4gcm:t2:")
        assert SocialWorker.objects.get(pk=worker.pk).id_number == ID
        assert rotate()["people.SocialWorker"] == 0
    finally:
        settings.DATA_KEYS = old
        crypto.reset_keyring()


def test_masking():
    assert mask_id_number("11010119900307123X") == "110101********123X"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("110105491231002", "11010519491231002X"),
        (" １１０１０５１９４９１２３１００２Ｘ ", "11010519491231002X"),
    ],
)
def test_id_numbers_normalise(raw, number):
    assert parse_id_number(raw).number == number


@given(st.text("0123456789", min_size=17, max_size=17))
def test_check_digit_is_iso_7064_mod_11_2(first17):
    # MOD 11-2: the weights are 2^(17-i) mod 11, and the check value makes the weighted sum 1 (mod 11).
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    assert id_check_digit(first17) == ("X" if check == 10 else str(check))


def test_id_number_derives_birth_and_sex():
    parsed = parse_id_number("11010519491231002X")
    assert str(parsed.birth_date) == "1949-12-31" and parsed.sex == "F"


@pytest.mark.parametrize(
    "raw",
    [
        "110105194912310021",  # wrong check digit
        "110105194913310021",  # month 13
        "1101051949123100",  # 16 digits
        1.10105194912310e17,  # Excel kept it as a number and lost digits
        "11010519491231002\u0661",  # a non-ASCII digit
        "1101051949123\u0661002X",
        "11010549123100\u0661",  # 15 digits, one not ASCII
        "110105209912310029",  # born in the future (the check digit is right: the date alone is wrong)
        "110105187912310024",  # born before 1880
    ],
)
def test_bad_id_numbers_are_refused(raw):
    with pytest.raises(IdentityError):
        parse_id_number(raw)


def test_credit_code_check_character():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(IdentityError):
        validate_credit_code("91350100M000100Y44")
    with pytest.raises(IdentityError):
        validate_credit_code("91350100M000100YI3")
