from django.urls import path

from portal.studio.views import connections, routing, routing_conditions, services

app_name = "studio"

urlpatterns = [
    path("", services.service_list, name="services"),
    path("services/new/", services.service_create, name="service_create"),
    path("services/<int:service_id>/", services.service_edit, name="service_edit"),
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
]
