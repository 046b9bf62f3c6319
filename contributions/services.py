"""Operations on contributions: one function per operation (lock, check, fire, save,
keep deadlines in step, notify after commit)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cepa_collab import documents, transitions
from cepa_collab.models import Branch
from contributions import deadlines, rules
from contributions.enums import ContributionAction, ContributionKind, ContributionState
from contributions.models import (
    MACHINE,
    Attachment,
    Contribution,
    ContributionHistory,
)
from contributions.notices import ContributionNotice
from notifications.services import N_, mark_read_for, notify
from workflows.queries import visible_deliverables

EDITABLE_FIELDS = (
    "title",
    "summary",
    "innovation",
    "transferability",
    "links",
    "country",
    "category",
    "year",
    "document_url",
    "product",
    "deliverable",
)
# The Compendium and the knowledge repository are the e-Government Branch's.
KNOWLEDGE_BRANCH = "e-govb"


def _history(contribution: Contribution, actor, action: str, comment: str = "", **note):
    """One line of the contribution's history, written in the transaction of the change."""
    return ContributionHistory.write(actor, action, comment, contribution=contribution, **note)


def _branch_for(kind: str, product) -> Branch | None:
    if kind == ContributionKind.WRITTEN_INPUT:
        return product.branch if product is not None else None
    return Branch.objects.filter(code=KNOWLEDGE_BRANCH).first()


def completeness_errors(contribution: Contribution) -> dict[str, str]:
    """What a contribution of its kind still lacks before it can be submitted."""
    errors = {}
    needed = rules.NEEDED_TO_SUBMIT[contribution.kind]
    for name in needed:
        if name == rules.DOCUMENT_OR_ATTACHMENT:
            continue
        value = getattr(contribution, name if name not in {"country", "product"} else f"{name}_id")
        if isinstance(value, str):
            value = value.strip()
        if not value:
            errors[name] = _("This field is required before submitting.")
    if (
        rules.DOCUMENT_OR_ATTACHMENT in needed
        and not contribution.document_url
        and not (contribution.pk and contribution.attachments.exists())
    ):
        errors["document_url"] = _("Give the document's address or attach it.")
    return errors


def _validate(contribution: Contribution, actor=None) -> None:
    """Raise ValidationError naming each field in error. With `actor`, the deliverable
    must be one they see (checked when it is chosen, not each time the draft is saved)."""
    errors = {}
    if not contribution.title.strip():
        errors["title"] = _("Give a title.")
    if contribution.kind not in ContributionKind.values:
        errors["kind"] = _("Choose a kind of contribution.")
    elif contribution.kind != ContributionKind.REPOSITORY_ENTRY:
        contribution.category = contribution.category or ""
    if contribution.kind == ContributionKind.REPOSITORY_ENTRY and not contribution.category:
        errors["category"] = _("Choose the repository category.")
    if (
        contribution.deliverable_id
        and contribution.product_id
        and contribution.deliverable.product_id != contribution.product_id
    ):
        errors["deliverable"] = _("The deliverable is not part of that product.")
    elif (
        actor is not None
        and contribution.deliverable_id
        and not visible_deliverables(actor).filter(pk=contribution.deliverable_id).exists()
    ):
        # CEPA members see only the deliverables assigned to them for review.
        errors["deliverable"] = _("Choose a deliverable you can see.")
    for line in contribution.link_list():
        if not line.startswith(("http://", "https://")):
            errors["links"] = _("Each link must start with http:// or https://.")
            break
    if errors:
        raise ValidationError(errors)
    try:
        contribution.full_clean(exclude=["state", "branch", "author"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


@transaction.atomic
def propose(actor, *, kind: str, **fields) -> Contribution:
    """A CEPA member starts a contribution (a draft only they see)."""
    rules.CONTRIBUTION.propose.require(kind, actor)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    contribution = Contribution(author=actor, kind=kind, state=ContributionState.DRAFT, **fields)
    if (
        kind == ContributionKind.WRITTEN_INPUT
        and contribution.deliverable_id
        and not (contribution.product_id)
    ):
        contribution.product = contribution.deliverable.product
    branch = _branch_for(kind, contribution.product)
    if kind == ContributionKind.WRITTEN_INPUT and branch is None:
        raise ValidationError({"product": _("Choose the product your input is for.")})
    contribution.branch = branch
    _validate(contribution, actor)
    contribution.save()
    _history(contribution, actor, ContributionAction.CREATED, to_state=contribution.state)
    return contribution


def _lock(contribution: Contribution | int) -> Contribution:
    pk = contribution.pk if isinstance(contribution, Contribution) else contribution
    return (
        # Lock the contribution's row only: PostgreSQL refuses FOR UPDATE on the nullable
        # side of the outer join to the country.
        Contribution.objects.select_for_update(of=("self",))
        .select_related("author", "branch", "country")
        .get(pk=pk)
    )


@transaction.atomic
def update(actor, contribution: Contribution | int, **changes) -> Contribution:
    """The author edits a draft or a returned contribution."""
    locked = _lock(contribution)
    rules.CONTRIBUTION.edit.require(locked, actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed.") for name in sorted(unknown)}
        )
    deliverable_before = locked.deliverable_id
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.kind == ContributionKind.WRITTEN_INPUT:
        locked.branch = _branch_for(locked.kind, locked.product) or locked.branch
    _validate(locked, actor if locked.deliverable_id != deliverable_before else None)
    locked.save()
    changed = [name for name, value in before.items() if getattr(locked, name) != value]
    if changed:
        _history(
            locked,
            actor,
            ContributionAction.EDITED,
            note=N_("Changed: %(fields)s."),
            params={"fields": changed},
        )
    return locked


@transaction.atomic
def attach(actor, contribution: Contribution | int, upload: UploadedFile) -> Attachment:
    locked = _lock(contribution)
    rules.CONTRIBUTION.attach.require(locked, actor)
    attachment = documents.store(Attachment, upload, uploaded_by=actor, contribution=locked)
    _history(
        locked,
        actor,
        ContributionAction.ATTACHMENT,
        note=N_("Attached “%(name)s”."),
        params={"name": attachment.original_name},
    )
    return attachment


def save_contribution(
    actor,
    contribution: Contribution | int | None = None,
    *,
    kind: str = "",
    attachments: Iterable[UploadedFile] = (),
    submit: bool = False,
    **fields,
) -> Contribution:
    """Propose a contribution of `kind` (`contribution` None) or change a draft or a
    returned one, attach the files, and submit it if asked: all or nothing. A file that is
    not an accepted document is an error of `attachments`; on any error nothing is saved
    and no file of this operation stays in storage (`documents.store`)."""
    with transaction.atomic():
        if contribution is None:
            saved = propose(actor, kind=kind, **fields)
        else:
            saved = update(actor, contribution, **fields)
        for upload in attachments:
            try:
                attach(actor, saved, upload)
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                    raise ValidationError({"attachments": exc.message_dict["file"]}) from None
                raise
        if submit:
            saved = fire_transition(actor, saved, "submit")
    return saved


@transaction.atomic
def remove_attachment(actor, attachment: Attachment) -> None:
    """The author takes a file off a draft or a returned contribution."""
    locked = _lock(attachment.contribution_id)
    rules.CONTRIBUTION.remove_attachment.require(locked, actor)
    attachment.delete()  # its file goes after commit (`documents.forget_file`)
    _history(
        locked,
        actor,
        ContributionAction.ATTACHMENT,
        note=N_("Removed “%(name)s”."),
        params={"name": attachment.original_name},
    )


def available_transitions(contribution: Contribution, user) -> list[str]:
    return transitions.available(contribution, user, MACHINE)


@transaction.atomic
def fire_transition(
    actor, contribution: Contribution | int, name: str, *, comment: str = ""
) -> Contribution:
    transitions.check_name(name, MACHINE)
    locked = _lock(contribution)
    transitions.check(locked, name, actor, MACHINE)
    comment = comment.strip()
    if name == "submit":
        errors = completeness_errors(locked)
        if errors:
            raise ValidationError(errors)
    transitions.check_comment(name, comment, MACHINE)
    from_state = transitions.fire(locked, name)
    now = timezone.now()
    fields = ["state", "updated_at"]
    if name == "submit":
        locked.submitted_at = now
        locked.review_due = timezone.localdate() + datetime.timedelta(
            days=settings.CONTRIBUTION_REVIEW_DAYS
        )
        locked.reviewer = None
        fields += ["submitted_at", "review_due", "reviewer"]
    elif name == "start_review":
        locked.reviewer = actor
        fields.append("reviewer")
    elif name in {"accept", "return_for_revision"}:
        locked.decided_at = now
        locked.review_comment = comment
        fields += ["decided_at", "review_comment"]
    locked.save(update_fields=fields)
    _history(
        locked,
        actor,
        ContributionAction.TRANSITION,
        comment,
        from_state=from_state,
        to_state=locked.state,
    )
    deadlines.sync_contribution(locked.pk)
    mark_read_for(actor, reverse("contributions:detail", args=[locked.pk]))
    if name == "accept":
        notify(
            locked.author,
            ContributionNotice.CONTRIBUTION,
            subject=N_("Contribution accepted: %(title)s"),
            body=N_("Your contribution “%(title)s” was accepted.\n\n%(comment)s"),
            params={"title": locked.title, "comment": comment},
            link=reverse("contributions:detail", args=[locked.pk]),
        )
    elif name == "return_for_revision":
        notify(
            locked.author,
            ContributionNotice.CONTRIBUTION,
            subject=N_("Contribution returned for revision: %(title)s"),
            body=N_(
                "Your contribution “%(title)s” was returned to you for revision.\n\n"
                "%(comment)s\n\nEdit it and submit it again when it is ready."
            ),
            params={"title": locked.title, "comment": comment},
            link=reverse("contributions:detail", args=[locked.pk]),
        )
    return locked


@transaction.atomic
def incorporate(actor, contribution: Contribution | int, deliverable) -> Contribution:
    """Record that an accepted contribution went into a deliverable of the branch."""
    locked = _lock(contribution)
    rules.CONTRIBUTION.incorporate.require(locked, actor)
    if (
        deliverable is None
        or deliverable.product.branch_id != locked.branch_id
        or not visible_deliverables(actor).filter(pk=deliverable.pk).exists()
    ):
        raise ValidationError(
            {"deliverable": _("Choose one of the branch's deliverables that you can see.")}
        )
    locked.incorporated_into = deliverable
    locked.save(update_fields=["incorporated_into", "updated_at"])
    _history(
        locked,
        actor,
        ContributionAction.INCORPORATED,
        note=N_("Incorporated into “%(deliverable)s”."),
        params={"deliverable": deliverable.title},
    )
    notify(
        locked.author,
        ContributionNotice.CONTRIBUTION,
        subject=N_("Your contribution is part of “%(deliverable)s”"),
        body=N_("“%(title)s” was incorporated into “%(deliverable)s”."),
        params={"title": locked.title, "deliverable": deliverable.title},
        link=reverse("contributions:detail", args=[locked.pk]),
    )
    return locked
