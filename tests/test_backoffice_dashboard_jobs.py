"""The dashboard's companies, vacancies and job proposals (#16) on the rows of
tests/test_job_figures.py: the page shows each figure of the semester, a year before, the change
and all time, the companies by source and the reasons of "No, grazie" (chart and table), in
Italian words; the semester report (CSV) carries the same lines."""
from __future__ import annotations

from tests.office_support import client, fast_hashes, logged_in, office, office_accounts  # noqa: F401
from tests.test_backoffice_dashboard import cell, read_csv
from tests.test_job_figures import rows  # noqa: F401  (fixture)


def test_the_page_shows_the_figures_of_the_rows(client, rows):  # noqa: F811
    logged_in(client, "vera")
    page = client.get("/office/dashboard").text
    expected = {  # field: (semester, a year before, change, all time)
        "companies_involved": ("3", "1", "+2", "3"), "companies_new": ("2", "1", "+1", "4"),
        "vacancies_opened": ("2", "1", "+1", "4"), "vacancies_covered": ("1", "1", "0", "2"),
        "proposed": ("12", "4", "+8", "17"), "interested": ("8", "2", "+6", "10"),
        "declined": ("3", "2", "+1", "5"), "put_forward": ("6", "2", "+4", "8"), "hired": ("3", "1", "+2", "4"),
        "contract_refused": ("1", "1", "0", "2"), "path_contract_refused": ("1", "1", "0", "2"),
        "days_to_hire": ("30", "30", "0", "30"), "hired_permanent": ("2", "1", "+1", "3"),
        "hired_permanent_share": ("66,7%", "100,0%", "-33,3", "75,0%"),
    }
    for figure, values in expected.items():
        found = tuple(cell(page, figure, period) for period in ("semester", "year-before", "change", "all-time"))
        assert found == values, figure
    assert "Aziende, offerte e proposte di lavoro: 2° semestre 2026" in page
    assert "Persone presentate all&#39;azienda (inserimenti mediati)" in page
    sources = page.split('id="sources-table"')[1].split("</table>")[0]
    assert sources.index("campagna CNA") < sources.index("Confcommercio") < sources.index("Non indicata")
    reasons = page.split('id="reasons-table"')[1].split("</table>")[0]
    assert 'data-reason="too_far" data-period="semester">1<' in reasons and "Troppo lontano" in reasons
    assert 'data-reason="pay" data-period="year-before">1<' in reasons
    chart = page.split('id="chart-reasons"')[1].split("</svg>")[0]
    assert "Perché «No, grazie»" in chart and "<script" not in chart
    assert not any(f">{code}<" in page for code in ("too_far", "kind_of_work", "found_work", "other"))


def test_the_semester_report_carries_the_new_lines(client, rows):  # noqa: F811
    logged_in(client, "vera")
    table = {row[0]: row[1:] for row in read_csv(client.get("/office/dashboard/report.csv?semester=2026-H2"))[1:]}
    assert table["Aziende coinvolte (un'offerta aperta o proposta)"] == ["3", "1", "2", "3"]
    assert table["Offerte aperte e coperte"] == ["1", "1", "0", "2"]
    assert table["Proposte di lavoro inviate"] == ["12", "4", "8", "17"]
    assert table["Persone presentate all'azienda (inserimenti mediati)"] == ["6", "2", "4", "8"]
    assert table["Persone assunte tramite una proposta"] == ["3", "1", "2", "4"]
    assert table["Giorni dalla proposta all'assunzione (mediana)"] == ["30", "30", "0", "30"]
    assert table["Quota di assunzioni a tempo indeterminato (%)"] == ["66,7", "100,0", "-33,3", "75,0"]
    assert table["Contratti rifiutati (esito registrato)"] == ["1", "1", "0", "2"]
    assert table["Aziende nuove: campagna CNA"] == ["1", "1", "0", "2"]
    assert table["Aziende coinvolte: Confcommercio"] == ["1", "0", "1", "1"]
    assert table["Aziende nuove: Non indicata"] == ["1", "0", "1", "1"]
    assert table["«No, grazie»: troppo lontano"] == ["1", "1", "0", "2"]
    assert table["«No, grazie»: la paga"] == ["0", "1", "-1", "1"]
    assert table["Nuove iscrizioni"] == ["1", "0", "1", "1"]  # the path's lines are still there, first


def test_the_report_in_english(client, rows):  # noqa: F811
    logged_in(client, "otto")
    client.cookies.set("office_language", "en", path="/office")
    table = {row[0]: row[1:] for row in read_csv(client.get("/office/dashboard/report.csv?semester=2026-H2"))[1:]}
    assert table["Share of hirings on a permanent contract (%)"] == ["66.7", "100.0", "-33.3", "75.0"]
    assert table['"No, thanks": too far'] == ["1", "1", "0", "2"]
