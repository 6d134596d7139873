"""Delphi storage: every SQL query of the capability, and nothing else.

Each function takes a Session and leaves the transaction to the caller; what comes back
are the frozen dataclasses of :mod:`permed_atlas.delphi.models`. The modules split it by
what is stored: studies (with panels, experts, surveys), rounds (with items), responses
(invitations and ratings) and synthesis (sub-topics and actions); ``rows`` holds what
they share (the clock, row-to-model conversions). Multi-step operations that also
compute (closing a round, saving a rating form) are in :mod:`permed_atlas.delphi.service`.
"""

from permed_atlas.delphi.store.responses import (
    RESPOND_PATH,
    add_responses,
    count_invitations,
    count_responses,
    hash_token,
    issue_invitations,
    list_invitations,
    list_ratings,
    ratings_of_expert,
    resolve_token,
    save_ratings,
)
from permed_atlas.delphi.store.rounds import (
    CARRY_MODES,
    add_item,
    find_round,
    get_item,
    get_round,
    list_final_items,
    list_items,
    list_rounds,
    mark_closed,
    open_round,
    previous_round,
    record_outcomes,
    remove_item,
    start_next_round,
    update_item,
)
from permed_atlas.delphi.store.rows import NO_EMAIL_PREFIX, aware, utcnow
from permed_atlas.delphi.store.studies import (
    add_survey,
    create_study,
    get_panel,
    get_study,
    get_survey,
    get_survey_by_pillar,
    import_panel,
    list_experts,
    list_panels,
    list_studies,
    list_surveys,
    set_published,
    update_survey,
)
from permed_atlas.delphi.store.synthesis import (
    code_item,
    list_actions,
    list_subtopics,
    save_action,
    save_subtopic,
)

__all__ = [
    "CARRY_MODES",
    "NO_EMAIL_PREFIX",
    "RESPOND_PATH",
    "add_item",
    "add_responses",
    "add_survey",
    "aware",
    "code_item",
    "count_invitations",
    "count_responses",
    "create_study",
    "find_round",
    "get_item",
    "get_panel",
    "get_round",
    "get_study",
    "get_survey",
    "get_survey_by_pillar",
    "hash_token",
    "import_panel",
    "issue_invitations",
    "list_actions",
    "list_experts",
    "list_final_items",
    "list_invitations",
    "list_items",
    "list_panels",
    "list_ratings",
    "list_rounds",
    "list_studies",
    "list_subtopics",
    "list_surveys",
    "mark_closed",
    "open_round",
    "previous_round",
    "ratings_of_expert",
    "record_outcomes",
    "remove_item",
    "resolve_token",
    "save_action",
    "save_ratings",
    "save_subtopic",
    "set_published",
    "start_next_round",
    "update_item",
    "update_survey",
    "utcnow",
]
