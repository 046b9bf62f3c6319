"""Routes of the advisory API, included under /api/v1/ by cepa_collab/urls.py."""

from rest_framework.routers import SimpleRouter

from advisory import api

router = SimpleRouter()
router.register("advisory-requests", api.AdvisoryRequestViewSet, basename="api-advisory-request")
router.register("milestones", api.MilestoneViewSet, basename="api-milestone")

urlpatterns = router.urls
