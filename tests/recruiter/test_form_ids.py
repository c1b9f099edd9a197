"""Each label names its own control: on the candidacy page the feedback box (the candidate
reads it) and the internal-note box used to share id="body", so a screen reader announced
the feedback box as "Internal note" and a private note could be posted to the candidate."""

from portal.models import Stage
from tests.support.markup import parse
from tests.support.recruiter import add, make_search


def _candidacy_page(app, rec):
    cy = add(app, rec.f, make_search(app, rec.f), rec.f.candidate, Stage.CONTACTED)
    resp = rec.client.get(f"/recruiter/candidacies/{cy.id}")
    assert resp.status_code == 200
    return cy, parse(resp.get_data(as_text=True))


def test_candidacy_page_labels_name_their_own_boxes(app, rec):
    cy, page = _candidacy_page(app, rec)
    assert page.duplicate_ids() == []
    assert page.missing_references() == []
    feedback = page.control_for(page.label("Feedback for the candidate"))
    note = page.control_for(page.label("Internal note"))
    assert feedback.tag == note.tag == "textarea"
    assert feedback.form_action.endswith(f"/recruiter/candidacies/{cy.id}/feedback")
    assert note.form_action.endswith(f"/recruiter/candidacies/{cy.id}/notes")
    # The names the server reads stay the same.
    assert feedback.attrs["name"] == note.attrs["name"] == "body"


def test_candidacy_page_in_its_error_state_links_the_summary_to_the_feedback_box(app, rec):
    cy = add(app, rec.f, make_search(app, rec.f), rec.f.candidate, Stage.CONTACTED)
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "", "action": "preview"})
    assert resp.status_code == 400
    page = parse(resp.get_data(as_text=True))
    assert page.duplicate_ids() == []
    assert page.missing_references() == []
    feedback = page.control_for(page.label("Feedback for the candidate"))
    assert feedback.attrs.get("aria-invalid") == "true"
    links = [e.attrs["href"] for e in page.elements if e.tag == "a" and e.attrs.get("href", "").startswith("#")]
    assert f"#{feedback.attrs['id']}" in links


def test_candidate_detail_cv_label_names_the_file_input(app, rec):
    resp = rec.client.get(f"/recruiter/candidates/{rec.f.candidate.id}")
    page = parse(resp.get_data(as_text=True))
    assert page.duplicate_ids() == []
    cv = page.control_for(page.label("CV (PDF"))
    assert cv.tag == "input" and cv.attrs["type"] == "file" and cv.attrs["name"] == "cv"
    note = page.control_for(page.label("Internal note"))
    assert note.tag == "textarea" and note.form_action.endswith("/notes")
