"""JSON twins of the Delphi pages under /api/v1/delphi, and the rating form's JSON API."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from permed_atlas.accounts import record_audit
from permed_atlas.delphi import rounds, store, synthesis
from permed_atlas.delphi.errors import DelphiError
from permed_atlas.delphi.form import load_rating_form
from permed_atlas.delphi.responses import submit_ratings
from permed_atlas.delphi.results import compute_round_result
from permed_atlas.delphi.schemas import (
    ActionPublic,
    FormItemPublic,
    ItemFeedbackPublic,
    ItemPublic,
    RatingFormPublic,
    RatingsCreate,
    RoundPublic,
    RoundResultPublic,
    StudyDetailPublic,
    StudyPublic,
    SubmissionPublic,
    SurveyPublic,
)
from permed_atlas.web.deps import EditorUser, PathId, SessionDep

api_router = APIRouter(prefix="/api/v1/delphi", tags=["delphi"])


def _http(exc: DelphiError) -> HTTPException:
    from permed_atlas.delphi.edge import respond_status

    return HTTPException(status_code=respond_status(exc), detail=str(exc))


@api_router.get("/studies", response_model=list[StudyPublic])
def list_studies(session: SessionDep) -> list[StudyPublic]:
    """Every Delphi study."""
    return [StudyPublic.model_validate(s) for s in store.list_studies(session)]


@api_router.get("/studies/{study_id}", response_model=StudyDetailPublic)
def get_study(study_id: PathId, session: SessionDep) -> StudyDetailPublic:
    """A study with its surveys and their rounds."""
    study = store.get_study(session, study_id)
    surveys = [
        SurveyPublic(
            id=s.id,
            pillar=s.pillar,
            title=s.title,
            rounds=[RoundPublic.model_validate(r) for r in store.list_rounds(session, s.id)],
        )
        for s in store.list_surveys(session, study.id)
    ]
    return StudyDetailPublic(study=StudyPublic.model_validate(study), surveys=surveys)


@api_router.get("/rounds/{round_id}", response_model=RoundResultPublic)
def get_round_result(round_id: PathId, session: SessionDep) -> RoundResultPublic:
    """A round's items with n, share agree, median, IQR, mean, SD, verdict, stability, regions."""
    return RoundResultPublic.model_validate(compute_round_result(session, round_id))


@api_router.get("/rounds/{round_id}/items", response_model=list[ItemPublic])
def list_round_items(round_id: PathId, session: SessionDep) -> list[ItemPublic]:
    """A round's items in order."""
    store.get_round(session, round_id)
    return [ItemPublic.model_validate(i) for i in store.list_items(session, round_id)]


@api_router.post("/rounds/{round_id}/close", response_model=RoundResultPublic)
def close_round(round_id: PathId, session: SessionDep, user: EditorUser) -> RoundResultPublic:
    """Close an open round (editor; CSRF header) and return its final statistics."""
    result = rounds.close_round(session, round_id)
    record_audit(
        session, actor_id=user.id, action="delphi.round.close", target=f"delphi_round:{round_id}"
    )
    session.commit()
    return RoundResultPublic.model_validate(result)


@api_router.get("/studies/{study_id}/actions", response_model=list[ActionPublic])
def list_actions(study_id: PathId, session: SessionDep) -> list[ActionPublic]:
    """The study's synthesised actions with the Delphi items each merges."""
    store.get_study(session, study_id)
    return [ActionPublic.model_validate(a) for a in synthesis.list_actions(session, study_id)]


@api_router.get("/respond/{token}", response_model=RatingFormPublic)
def get_rating_form(token: str, session: SessionDep) -> RatingFormPublic:
    """The rating form behind a personal link: items, saved answers, previous-round feedback."""
    try:
        form = load_rating_form(session, token)
    except DelphiError as exc:
        raise _http(exc) from exc
    return RatingFormPublic(
        round=RoundPublic.model_validate(form.round),
        survey_title=form.survey.title,
        expert_name=form.expert.name,
        revision=form.invitation.revision,
        expires_at=form.invitation.expires_at,
        items=[
            FormItemPublic(
                item=ItemPublic.model_validate(i.item),
                rating=i.rating,
                no_opinion=i.no_opinion,
                comment=i.comment,
                feedback=ItemFeedbackPublic.model_validate(i.feedback) if i.feedback else None,
            )
            for i in form.items
        ],
    )


@api_router.post("/respond/{token}", response_model=SubmissionPublic)
def save_ratings(token: str, body: RatingsCreate, session: SessionDep) -> SubmissionPublic:
    """Save (part of) an expert's answers; null is "no opinion". Editable until the round closes."""
    try:
        result = submit_ratings(
            session, token, ratings=body.ratings, comments=body.comments, revision=body.revision
        )
    except DelphiError as exc:
        session.rollback()
        raise _http(exc) from exc
    session.commit()
    return SubmissionPublic.model_validate(result)
