from django.urls import path

from portal.studio.views import connections, mapping, services

app_name = "studio"

urlpatterns = [
    path("", services.service_list, name="services"),
    path("services/new/", services.service_create, name="service_create"),
    path("services/<int:service_id>/", services.service_edit, name="service_edit"),
    path("connections/", connections.connection_list, name="connections"),
    path("connections/new/", connections.choose_adapter, name="connection_choose"),
    path(
        "connections/new/<slug:adapter>/", connections.connection_create, name="connection_create"
    ),
    path("connections/<int:connection_id>/", connections.connection_edit, name="connection_edit"),
    path("connections/<int:connection_id>/test/", connections.test, name="connection_test"),
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
