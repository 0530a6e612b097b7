"""Numbers typed by hand: parsed so that what the database cannot hold never reaches it."""

import pytest
from django import forms

from shegong.core.params import ID_MAX, as_int, int_param
from shegong.people.models import SocialWorker


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        ("9" * 40, None),
        ("²", None),
        ("１２", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
        (12, 12),
    ],
)
def test_as_int_takes_ascii_digits_the_database_can_hold(raw, expected):
    assert as_int(raw) == expected


def test_int_param_keeps_the_text_or_nothing_and_small_limits_hold():
    assert int_param("42") == "42" and int_param("²") == "" and int_param("9" * 40) == ""
    assert as_int("101", max_value=100) is None and as_int("100", max_value=100) == 100


class _Enrol(forms.Form):
    workers = forms.ModelMultipleChoiceField(queryset=SocialWorker.objects.none())
    lead = forms.ModelChoiceField(queryset=SocialWorker.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = self.fields["lead"].queryset = SocialWorker.objects.all()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["²", "9" * 40, "x"])
def test_a_model_choice_of_a_number_no_database_holds_is_an_invalid_choice_not_a_crash(bad):
    form = _Enrol({"workers": [bad], "lead": bad})
    assert not form.is_valid()
    assert set(form.errors) == {"workers", "lead"}


@pytest.mark.django_db
def test_a_record_passed_in_by_code_is_still_a_valid_choice(world):
    from tests.people.helpers import make_worker

    worker = make_worker(world.regions["town_a"], name="王小社")
    from shegong.core.scoping import unscoped

    with unscoped():
        form = _Enrol({"workers": [worker.pk], "lead": worker})
        assert form.is_valid(), form.errors
        assert list(form.cleaned_data["workers"]) == [worker] and form.cleaned_data["lead"] == worker
