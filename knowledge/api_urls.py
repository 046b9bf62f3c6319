"""Routes of the countries and regions API, included under /api/v1/ by cepa_collab/urls.py."""

from cepa_collab.api_contract import ApiRouter
from knowledge import api

router = ApiRouter()
router.register("countries", api.CountryViewSet, basename="api-country")
router.register("regions", api.RegionViewSet, basename="api-region")

urlpatterns = router.urls
