"""The shipped catalogs against the code (issue 20): the messages are extracted fresh, as `make
translations` would (babel.cfg's map, the Makefile's keywords), and every candidate-facing one
must be in each catalog (de, fr, es, nl, ar), translated and not fuzzy; every translation keeps
its msgid's placeholders; a plural has every form of its language; the compiled .mo is not older
than its .po (`make catalogs`). Staff-only messages left untranslated are counted, not failed.

These wait for the translators: until the catalogs are filled they fail, naming what is missing.
test_catalog_checks_can_fail_and_pass shows, on temporary catalogs, that each check fails on
what it must catch and passes a complete catalog."""

from __future__ import annotations

import os
import time

import pytest
from babel.messages import Catalog

from tests.support import i18n


@pytest.fixture(scope="module")
def fresh() -> Catalog:
    return i18n.extract()


def _report(lang: str, failures: dict[str, list[str]], limit: int = 40) -> str:
    lines = [f"the {lang} catalog:"]
    for kind, items in failures.items():
        lines.append(f"  {kind} ({len(items)}):")
        lines += [f"    {item}" for item in items[:limit]]
        if len(items) > limit:
            lines.append(f"    … and {len(items) - limit} more")
    return "\n".join(lines)


def test_the_extraction_finds_the_product_s_messages(fresh):
    """The fresh extraction is the real one (not an empty list that every catalog passes)."""
    ids = {m.id for m in fresh if m.id}
    assert "Language" in ids and "Skip to content" in ids  # base.html, the switcher
    assert any(isinstance(i, str) and "%(amount)s" in i for i in ids)  # portal/i18n.py
    facing = [m for m in fresh if m.id and i18n.candidate_facing(m.locations)]
    assert facing, "no candidate-facing message found"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_each_catalog_translates_every_candidate_facing_message(fresh, lang):
    problems = i18n.check(fresh, i18n.read_catalog(lang))
    print(f"\n{lang}: {problems.staff_untranslated} staff-only messages untranslated")
    failures = problems.failures()
    assert not failures, _report(lang, failures)


def test_the_compiled_catalogs_are_not_older_than_their_sources():
    stale = i18n.stale_compiled()
    assert not stale, f"compiled catalogs missing or older than their .po: {stale} (run `make catalogs`)"


# ---------------------------------------------------------------- the checks themselves


def _fresh_sample() -> Catalog:
    c = Catalog(project="Portal")
    c.add("Your searches", None, [("portal/templates/candidate/home.html", 3)])
    c.add("Hello %(name)s", None, [("portal/templates/email/checkin.txt", 1)])
    c.add(("%(num)d day", "%(num)d days"), None, [("portal/candidate/views.py", 9)])
    c.add("Sign out", None, [("portal/templates/base.html", 30)])
    c.add("Pipeline", None, [("portal/templates/recruiter/board.html", 2)])  # staff only
    c.add("Audit log", None, [("portal/admin/views.py", 5), ("portal/templates/admin/audit.html", 1)])
    return c


def _complete(lang: str = "de") -> Catalog:
    c = Catalog(locale=lang, project="Portal")
    c.add("Your searches", "Ihre Suchen", [("portal/templates/candidate/home.html", 3)])
    c.add("Hello %(name)s", "Hallo %(name)s", [("portal/templates/email/checkin.txt", 1)])
    c.add(("%(num)d day", "%(num)d days"), ("%(num)d Tag", "%(num)d Tage"), [("portal/candidate/views.py", 9)])
    c.add("Sign out", "Abmelden", [("portal/templates/base.html", 30)])
    c.add("Pipeline", "", [("portal/templates/recruiter/board.html", 2)])
    return c


def test_catalog_checks_can_fail_and_pass(tmp_path):
    fresh = _fresh_sample()
    # A complete catalog passes; the two staff-only messages it lacks are only counted.
    ok = i18n.check(fresh, _complete())
    assert ok.failures() == {} and ok.staff_untranslated == 2

    broken = _complete()
    del broken["Sign out"]  # missing
    broken["Your searches"].string = ""  # untranslated
    broken["Hello %(name)s"].flags.add("fuzzy")  # fuzzy
    broken.add("Staff %(who)s", "Personal %(wer)s", [("portal/templates/recruiter/x.html", 1)])  # misspelt
    broken.add("%(count)s left", "übrig", [("portal/templates/recruiter/y.html", 1)])  # dropped
    broken.add("Done at 100%%", "Fertig zu 100 %", [("portal/templates/recruiter/z.html", 1)])  # a lone %
    problems = i18n.check(fresh, broken)
    assert [m.split(" (")[0] for m in problems.missing] == ["'Sign out'"]
    assert [m.split(" (")[0] for m in problems.untranslated] == ["'Your searches'"]
    assert [m.split(" (")[0] for m in problems.fuzzy] == ["'Hello %(name)s'"]
    assert len(problems.placeholders) == 3, problems.placeholders
    assert "Staff %(who)s" in problems.placeholders[0]

    # Plurals: Arabic has six forms; two are not enough, and an empty form is untranslated.
    ar = Catalog(locale="ar", project="Portal")
    ar.add(("%(num)d day", "%(num)d days"), ("يوم", "%(num)d أيام"), [("portal/candidate/views.py", 9)])
    problems = i18n.check(fresh, ar)
    assert len(problems.plurals) == 1 and "6" in problems.plurals[0]
    assert any("%(num)d day" in m for m in problems.untranslated)
    ar["%(num)d day"].string = ("صفر", "يوم", "يومان", "%(num)d أيام", "%(num)d يومًا", "%(num)d يوم")
    assert not i18n.check(fresh, ar).plurals, "Arabic's one-day form may leave the number out"
    ar["%(num)d day"].string = ("صفر", "يوم", "يومان", "%(num)d أيام", "%(count)d يومًا", "%(num)d يوم")
    assert i18n.check(fresh, ar).placeholders

    # The compiled catalog: missing, older than its .po, then compiled again.
    po = i18n.write_catalog(str(tmp_path), "de", _complete(), compile=False)
    assert i18n.stale_compiled(str(tmp_path), ["de"]) == ["de"]
    i18n.write_catalog(str(tmp_path), "de", _complete())
    assert i18n.stale_compiled(str(tmp_path), ["de"]) == []
    later = time.time() + 5
    os.utime(po, (later, later))
    assert i18n.stale_compiled(str(tmp_path), ["de"]) == ["de"]

    # The reader of shipped catalogs reads what was written.
    back = i18n.read_catalog("de", str(tmp_path))
    assert i18n.check(fresh, back).failures() == {}
