from django.urls import path

from portal.studio.views import (
    connections,
    form,
    item_questions,
    mapping,
    pages,
    questions,
    routing,
    routing_conditions,
    services,
    statuses,
)

app_name = "studio"

urlpatterns = [
    path("", services.service_list, name="services"),
    path("services/new/", services.service_create, name="service_create"),
    path("services/<int:service_id>/", services.service_edit, name="service_edit"),
    # The form builder: a service's form versions, and its draft's pages and questions.
    path("services/<int:service_id>/form/", form.form_versions, name="form"),
    path("services/<int:service_id>/form/draft/new/", form.draft_create, name="draft_create"),
    path("services/<int:service_id>/form/draft/", form.draft, name="draft"),
    path("services/<int:service_id>/form/draft/publish/", form.publish, name="publish"),
    path(
        "services/<int:service_id>/form/versions/<int:number>/preview/",
        form.preview,
        name="preview",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/new/",
        questions.question_add,
        name="question_add",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/",
        questions.question_edit,
        name="question_edit",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/type/",
        questions.question_type,
        name="question_type",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/move/",
        questions.question_move,
        name="question_move",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/delete/",
        questions.question_delete,
        name="question_delete",
    ),
    # A list question's questions about each item.
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/items/new/",
        item_questions.item_question_add,
        name="item_question_add",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/items/"
        "<slug:item_question_id>/",
        item_questions.item_question_edit,
        name="item_question_edit",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/items/"
        "<slug:item_question_id>/move/",
        item_questions.item_question_move,
        name="item_question_move",
    ),
    path(
        "services/<int:service_id>/form/draft/questions/<slug:question_id>/items/"
        "<slug:item_question_id>/delete/",
        item_questions.item_question_delete,
        name="item_question_delete",
    ),
    path(
        "services/<int:service_id>/form/draft/exit-pages/new/",
        pages.exit_page_add,
        name="exit_page_add",
    ),
    path(
        "services/<int:service_id>/form/draft/pages/<slug:page_id>/",
        pages.page_edit,
        name="page_edit",
    ),
    path(
        "services/<int:service_id>/form/draft/pages/<slug:page_id>/branching/",
        pages.page_branching,
        name="page_branching",
    ),
    path(
        "services/<int:service_id>/form/draft/pages/<slug:page_id>/move/",
        pages.page_move,
        name="page_move",
    ),
    path(
        "services/<int:service_id>/form/draft/pages/<slug:page_id>/delete/",
        pages.page_delete,
        name="page_delete",
    ),
    # A service's routing: its rules, their conditions and destinations, the fallback.
    path("services/<int:service_id>/routing/", routing.routing, name="routing"),
    path(
        "services/<int:service_id>/routing/settings/",
        routing.routing_settings,
        name="routing_settings",
    ),
    path(
        "services/<int:service_id>/routing/rules/new/",
        routing.rule_create,
        name="routing_rule_create",
    ),
    path(
        "services/<int:service_id>/routing/rules/<int:rule_id>/",
        routing.rule_edit,
        name="routing_rule_edit",
    ),
    path(
        "services/<int:service_id>/routing/rules/<int:rule_id>/delete/",
        routing.rule_delete,
        name="routing_rule_delete",
    ),
    path(
        "services/<int:service_id>/routing/rules/<int:rule_id>/move/",
        routing.rule_move,
        name="routing_rule_move",
    ),
    path(
        "services/<int:service_id>/routing/rules/<int:rule_id>/conditions/new/",
        routing_conditions.choose_kind,
        name="routing_condition_choose",
    ),
    path(
        "services/<int:service_id>/routing/rules/<int:rule_id>/conditions/new/<slug:kind>/",
        routing_conditions.add_part,
        name="routing_condition_add",
    ),
    path(
        "services/<int:service_id>/routing/rules/<int:rule_id>/conditions/<int:index>/",
        routing_conditions.edit_part,
        name="routing_condition_edit",
    ),
    path(
        "services/<int:service_id>/routing/rules/<int:rule_id>/conditions/<int:index>/remove/",
        routing_conditions.remove_part,
        name="routing_condition_remove",
    ),
    path("connections/", connections.connection_list, name="connections"),
    path("connections/new/", connections.choose_adapter, name="connection_choose"),
    path(
        "connections/new/<slug:adapter>/", connections.connection_create, name="connection_create"
    ),
    path("connections/<int:connection_id>/", connections.connection_edit, name="connection_edit"),
    path("connections/<int:connection_id>/test/", connections.test, name="connection_test"),
    path(
        "connections/<int:connection_id>/statuses/",
        statuses.status_list,
        name="connection_statuses",
    ),
    path(
        "connections/<int:connection_id>/statuses/<int:mapping_id>/",
        statuses.status_edit,
        name="connection_status",
    ),
    path(
        "destinations/<int:destination_id>/mapping/",
        mapping.mapping_overview,
        name="destination_mapping",
    ),
    path(
        "destinations/<int:destination_id>/mapping/new/",
        mapping.mapping_new,
        name="destination_mapping_new",
    ),
    path(
        "destinations/<int:destination_id>/mapping/fields/<path:target>/",
        mapping.mapping_field,
        name="destination_mapping_field",
    ),
]
