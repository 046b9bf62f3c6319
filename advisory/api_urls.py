"""Routes of the advisory API, included under /api/v1/ by cepa_collab/urls.py."""

from advisory import api
from cepa_collab.api_contract import ApiRouter

router = ApiRouter()
router.register("advisory-requests", api.AdvisoryRequestViewSet, basename="api-advisory-request")
router.register("milestones", api.MilestoneViewSet, basename="api-milestone")

urlpatterns = router.urls
