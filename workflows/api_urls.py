"""Routes of the workflow API, included under /api/v1/ by cepa_collab/urls.py."""

from cepa_collab.api_contract import ApiRouter
from workflows import api, api_review_forms, api_rounds, api_texts

router = ApiRouter()
router.register("products", api.ProductViewSet, basename="api-product")
router.register("deliverables", api.DeliverableViewSet, basename="api-deliverable")
router.register("review-assignments", api.ReviewAssignmentViewSet, basename="api-review-assignment")
router.register("reviews", api.ReviewViewSet, basename="api-review")
router.register("deliverables", api_rounds.DeliverableRoundsViewSet, basename="api-rounds")
# versions' texts and comparisons (issue 16): routes under deliverables/{id}/ only
router.register("deliverables", api_texts.VersionTextViewSet, basename="api-deliverable-texts")
# review forms, scores, the chief's summary, declarations (workflows.api_review_forms)
for prefix, viewset in api_review_forms.ROUTES:
    router.register(prefix, viewset, basename=f"api-{prefix}")

urlpatterns = router.urls
