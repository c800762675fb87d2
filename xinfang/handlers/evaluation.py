"""The evaluation on the tracking page (满意度评价): the form, and its answer.

Whoever holds the 查询码 may evaluate, as on the page's other forms; the
signed link sent by SMS or email names the survey. The answer is recorded by
cases.surveys (the first counts, later ones are comments) and the page comes
back with what the citizen was told.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, get_flashed_messages, redirect, render_template, request, url_for
from sqlalchemy import select

from ..cases import surveys
from ..cases.codes import normalize_tracking_code
from ..models import Case, utcnow
from ..requestctx import calendar, db, settings
from . import pages, public_texts as texts

bp = Blueprint("evaluation", __name__, url_prefix="/track")
pages.setup(bp)

SOLVED = {"yes": True, "no": False}


def evaluation_area(case: Case) -> str:
    """The evaluation block of the tracking page (track.evaluation_area)."""
    survey = surveys.latest_survey(db(), case)
    return render_template("public/_evaluation.html", case=case, survey=survey, answers=surveys.ANSWERS,
                           token=pages.arg("survey", 200) or "", texts=texts,
                           messages=get_flashed_messages(category_filter=["evaluation"]))


@bp.post("/<code>/evaluation")
def answer(code):
    case = db().scalar(select(Case).where(Case.tracking_code == (normalize_tracking_code(code) or "")))
    if case is None:
        abort(404)
    back = url_for("track.status", code=case.tracking_code, _anchor="evaluation")
    if not pages.csrf_ok():
        flash("页面已过期，请刷新后重新评价。", "evaluation")
        return redirect(back, 303)
    try:
        token = request.form.get("token")
        survey = surveys.survey_from_token(db(), settings(), token) if token else surveys.latest_survey(db(), case)
        if survey is None or survey.case_id != case.id:
            raise surveys.SurveyError("该事项暂无可评价的处理意见")
        answer_ = request.form.get("answer") or None
        reason = "".join(c for c in (request.form.get("reason") or "") if c.isprintable() or c == "\n")
        outcome = surveys.record_answer(db(), survey, answer=answer_, solved=SOLVED.get(request.form.get("solved")),
                                        reason=reason)
    except surveys.SurveyError as exc:
        flash(str(exc), "evaluation")
        return redirect(back, 303)
    flash(surveys.answer_reply(db(), calendar(), outcome, utcnow(), on_page=True), "evaluation")
    return redirect(back, 303)
