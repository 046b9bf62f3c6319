"""Routes of the discussions API, included under /api/v1/ by cepa_collab/urls.py."""

from cepa_collab.api_contract import ApiRouter
from discussions import api

router = ApiRouter()
router.register(
    "deliverable-discussions",
    api.DeliverableDiscussionViewSet,
    basename="api-deliverable-discussion",
)
router.register("review-discussions", api.ReviewDiscussionViewSet, basename="api-review-discussion")

urlpatterns = router.urls
