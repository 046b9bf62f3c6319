"""Routes of the countries and regions API, included under /api/v1/ by cepa_collab/urls.py."""

from rest_framework.routers import SimpleRouter

from knowledge import api

router = SimpleRouter()
router.register("countries", api.CountryViewSet, basename="api-country")
router.register("regions", api.RegionViewSet, basename="api-region")

urlpatterns = router.urls
