"""What the demo city holds for this app; checked by tests/core/test_demo.py, which loads the city once."""

from shegong.evaluation.models import Assessment, Bulletin, Framework, Subsidy, SurveyResponse


def check_evaluation():
    assert set(Framework.objects.values_list("code", flat=True)) == {"SPPE", "STATION1000"}
    bulletins = list(Bulletin.objects.filter(region_code__startswith="500103", status="published"))
    assert len(bulletins) == 4
    for bulletin in bulletins:
        ranked = [r for r in bulletin.rows if r["rank"]]
        assert len(bulletin.rows) == 11 and len(ranked) == 11
        assert [r["rank"] for r in ranked if r["red_flag"]] == [1, 2, 3]
        totals = [float(r["total"]) for r in ranked]
        assert totals == sorted(totals, reverse=True)
    projects = Assessment.objects.filter(subject="project")
    assert projects.filter(stage="mid").exists() and projects.filter(stage="final").exists()
    assert SurveyResponse.objects.filter(assessment__in=projects).exists()
    assert Subsidy.objects.exists()
    for subsidy in Subsidy.objects.all():
        assert subsidy.amount == min(subsidy.investment * subsidy.percent / 100, subsidy.cap).quantize(
            subsidy.amount
        )
