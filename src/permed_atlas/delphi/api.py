"""JSON twins of the Delphi pages under /api/v1/delphi, and the rating form's JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Response

from permed_atlas.accounts import record_audit
from permed_atlas.delphi import service, store
from permed_atlas.delphi._rewording import confirmation
from permed_atlas.delphi._targets import round_target
from permed_atlas.delphi.consensus import describe_methods
from permed_atlas.delphi.form import load_rating_form
from permed_atlas.delphi.models import Item
from permed_atlas.delphi.results import RoundView, view_round
from permed_atlas.delphi.schemas import (
    ActionPublic,
    ConsensusRulePublic,
    FormItemPublic,
    ItemFeedbackPublic,
    ItemPublic,
    ItemResultPublic,
    ItemUpdate,
    RatingFormPublic,
    RatingsCreate,
    RoundPublic,
    RoundResultPublic,
    StudyDetailPublic,
    StudyPublic,
    SubmissionPublic,
    SurveyPublic,
    SurveyUpdate,
)
from permed_atlas.delphi.submission import RatingsSubmission
from permed_atlas.delphi.visibility import require_study_results, round_results_visible
from permed_atlas.web.deps import (
    NO_STORE,
    CurrentUser,
    EditorUser,
    PathId,
    SessionDep,
    SettingsDep,
    is_editor,
)

api_router = APIRouter(prefix="/api/v1/delphi", tags=["delphi"])


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
            title_zh=s.title_zh,
            rounds=[RoundPublic.model_validate(r) for r in store.list_rounds(session, s.id)],
        )
        for s in store.list_surveys(session, study.id)
    ]
    return StudyDetailPublic(study=StudyPublic.model_validate(study), surveys=surveys)


def _hidden_item(item: Item) -> ItemPublic:
    # a closed round's outcome and its reason carry the figures: not for this viewer
    return ItemPublic.model_validate(item).model_copy(
        update={"outcome": "hidden", "outcome_reason": ""}
    )


def round_public(view: RoundView, *, min_group_size: int) -> RoundResultPublic:
    """The JSON of a round as one viewer may see it (figures null when hidden).

    :param view: the round from :func:`view_round`.
    :param min_group_size: the smallest region group shown, for the methods sentence.
    """
    texts = {
        "rule_text": view.study.rule.describe(),
        "methods_text": describe_methods(view.study.rule, min_group_size=min_group_size),
    }
    if view.result is not None:
        return RoundResultPublic.model_validate(view.result).model_copy(update=texts)
    return RoundResultPublic(
        round=RoundPublic.model_validate(view.round),
        rule=ConsensusRulePublic.model_validate(view.study.rule),
        results_visible=False,
        hidden_reason=view.hidden_reason,
        items=[
            ItemResultPublic(item=_hidden_item(i), summary=None, stability=None, regions=None)
            for i in view.items
        ],
        kendall=None,
        n_invited=view.n_invited,
        n_responded=None,
        **texts,
    )


@api_router.get("/rounds/{round_id}", response_model=RoundResultPublic)
def get_round_result(
    round_id: PathId, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> RoundResultPublic:
    """A round's items with n, share agree, median, IQR, mean, SD, verdict, stability, regions.

    Figures are null (``results_visible`` false) unless the viewer coordinates the study,
    or the round is closed and the study published.
    """
    view = view_round(
        session,
        round_id,
        coordinator=is_editor(user),
        min_group_size=settings.delphi_min_group_size,
    )
    return round_public(view, min_group_size=settings.delphi_min_group_size)


@api_router.get("/rounds/{round_id}/items", response_model=list[ItemPublic])
def list_round_items(round_id: PathId, session: SessionDep, user: CurrentUser) -> list[ItemPublic]:
    """A round's items in order (outcomes only where the viewer may see the results)."""
    round_ = store.get_round(session, round_id)
    study = store.get_study(session, store.get_survey(session, round_.survey_id).study_id)
    visible = round_results_visible(study, round_, coordinator=is_editor(user))
    items = store.list_items(session, round_id)
    return [ItemPublic.model_validate(i) if visible else _hidden_item(i) for i in items]


@api_router.post("/rounds/{round_id}/close", response_model=RoundResultPublic)
def close_round(
    round_id: PathId, session: SessionDep, user: EditorUser, settings: SettingsDep
) -> RoundResultPublic:
    """Close an open round (editor; CSRF header) and return its final statistics."""
    service.close_round(session, round_id)
    record_audit(
        session, actor_id=user.id, action="delphi.round.close", target=round_target(round_id)
    )
    session.commit()
    view = view_round(
        session, round_id, coordinator=True, min_group_size=settings.delphi_min_group_size
    )
    return round_public(view, min_group_size=settings.delphi_min_group_size)


@api_router.patch("/items/{item_id}", response_model=ItemPublic)
def edit_item(
    item_id: PathId, body: ItemUpdate, session: SessionDep, user: EditorUser
) -> ItemPublic:
    """Edit an item of a draft round (editor; CSRF header), as the round page's form does.

    An item with both statements reworded in one language only is refused (422, ``field``
    the statement left as it was) unless ``other_language_matches`` is true; the audit entry
    then names the statement confirmed (``still_matches``).
    """
    before = store.get_item(session, item_id)
    texts = body.model_dump(exclude={"other_language_matches"})
    item = store.update_item(
        session, item_id, **texts, other_language_matches=body.other_language_matches
    )
    record_audit(
        session,
        actor_id=user.id,
        action="delphi.item.edit",
        target=f"delphi_item:{item_id}",
        detail={"code": item.code, **confirmation(before, item, "statement")},
    )
    session.commit()
    return ItemPublic.model_validate(item)


@api_router.patch("/surveys/{survey_id}", response_model=SurveyPublic)
def edit_survey(
    survey_id: PathId, body: SurveyUpdate, session: SessionDep, user: EditorUser
) -> SurveyPublic:
    """Rename a pillar (editor; CSRF header), as the study page's form does.

    A title in both languages reworded in one of them only is refused (422) unless
    ``other_language_matches`` is true; the audit entry then names the title confirmed.
    """
    before = store.get_survey(session, survey_id)
    survey = store.update_survey(
        session,
        survey_id,
        title=body.title,
        title_zh=body.title_zh,
        other_language_matches=body.other_language_matches,
    )
    record_audit(
        session,
        actor_id=user.id,
        action="delphi.pillar.edit",
        target=f"delphi_survey:{survey_id}",
        detail=confirmation(before, survey, "title") or None,
    )
    session.commit()
    rounds = [RoundPublic.model_validate(r) for r in store.list_rounds(session, survey.id)]
    return SurveyPublic(
        id=survey.id,
        pillar=survey.pillar,
        title=survey.title,
        title_zh=survey.title_zh,
        rounds=rounds,
    )


@api_router.get("/studies/{study_id}/actions", response_model=list[ActionPublic])
def list_actions(study_id: PathId, session: SessionDep, user: CurrentUser) -> list[ActionPublic]:
    """The study's synthesised actions with the Delphi items each merges (once published)."""
    require_study_results(store.get_study(session, study_id), coordinator=is_editor(user))
    return [ActionPublic.model_validate(a) for a in store.list_actions(session, study_id)]


@api_router.get("/respond/{token}", response_model=RatingFormPublic)
def get_rating_form(
    token: str, session: SessionDep, settings: SettingsDep, response: Response
) -> RatingFormPublic:
    """The rating form behind a personal link: items, saved answers, previous-round feedback."""
    form = load_rating_form(session, token, min_group_size=settings.delphi_min_group_size)
    # as the HTML form: one expert's answers under a secret address, never kept by a cache
    response.headers.update(NO_STORE)
    # An expert sees what the public sees of a round's verdicts: a closed round's outcome
    # reason carries its n, median and shares, and with a few ratings and their own the
    # expert would work out the others' (the feedback withholds exactly those).
    public = form.study is not None and round_results_visible(
        form.study, form.round, coordinator=False
    )
    return RatingFormPublic(
        round=RoundPublic.model_validate(form.round),
        language=form.language,
        survey_title=form.survey.title,
        survey_title_zh=form.survey.title_zh,
        expert_name=form.expert.name,
        revision=form.invitation.revision,
        expires_at=form.invitation.expires_at,
        items=[
            FormItemPublic(
                item=ItemPublic.model_validate(i.item) if public else _hidden_item(i.item),
                rating=i.rating,
                no_opinion=i.no_opinion,
                comment=i.comment,
                feedback=ItemFeedbackPublic.model_validate(i.feedback) if i.feedback else None,
            )
            for i in form.items
        ],
    )


@api_router.post("/respond/{token}", response_model=SubmissionPublic)
def save_ratings(
    token: str, body: RatingsCreate, session: SessionDep, response: Response
) -> SubmissionPublic:
    """Save (part of) an expert's answers; null is "no opinion". Editable until the round closes."""
    response.headers.update(NO_STORE)
    submission = RatingsSubmission(body.ratings, body.comments, body.revision)
    result = service.submit(session, token, submission)
    session.commit()
    return SubmissionPublic.model_validate(result)
