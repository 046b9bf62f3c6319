"""Routes of the contributions API, included under /api/v1/ by cepa_collab/urls.py."""

from cepa_collab.api_contract import ApiRouter
from contributions import api

router = ApiRouter()
router.register("contributions", api.ContributionViewSet, basename="api-contribution")

urlpatterns = router.urls
