from django.urls import path, register_converter

from knowledge import views


class Iso3Converter:
    """Three letters (a Member State's ISO 3166 alpha-3 code; lower case redirects)."""

    regex = "[A-Za-z]{3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Iso3Converter, "iso3")

app_name = "knowledge"

urlpatterns = [
    path("countries/", views.country_list, name="country_list"),
    path("countries/<iso3:iso3>/", views.country_detail, name="country"),
    path("regions/<slug:code>/", views.region_detail, name="region"),
    path("regions/<slug:code>/coverage.csv", views.region_coverage_csv, name="coverage_csv"),
    path("deliverables/<int:pk>/links/", views.deliverable_link, name="deliverable_link"),
    path("knowledge-links/<int:pk>/remove/", views.link_remove, name="link_remove"),
]
