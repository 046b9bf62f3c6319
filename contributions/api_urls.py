"""Routes of the contributions API, included under /api/v1/ by cepa_collab/urls.py."""

from rest_framework.routers import SimpleRouter

from contributions import api

router = SimpleRouter()
router.register("contributions", api.ContributionViewSet, basename="api-contribution")

urlpatterns = router.urls
