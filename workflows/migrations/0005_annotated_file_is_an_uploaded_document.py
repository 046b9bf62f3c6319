"""A review's annotated file becomes an uploaded document of its own (`AnnotatedFile`,
the kernel's `UploadedDocument`): every existing file keeps its stored name, gains the
record the other documents have (original name, type, size, who uploaded it, when), and
the review's file column goes only after the rows are copied (the new accessor takes its
name last). Reversible."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import cepa_collab.models

# The types accepted when the files were stored; each stored name ends with the
# extension its content was accepted as (frozen here: a migration does not follow code).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
}


def _size(field_file) -> int:
    try:
        return field_file.storage.size(field_file.name)
    except OSError:
        return 0


def copy_files_to_documents(apps, schema_editor):
    Review = apps.get_model("workflows", "Review")
    AnnotatedFile = apps.get_model("workflows", "AnnotatedFile")
    rows = []
    for review in Review.objects.exclude(annotated_file="").select_related("assignment"):
        name = review.annotated_file.name
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        rows.append(
            AnnotatedFile(
                review_id=review.pk,
                file=name,
                original_name=name.rsplit("/", 1)[-1][:255],
                content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
                size=_size(review.annotated_file),
                uploaded_by_id=review.assignment.reviewer_id,
                created_at=review.updated_at,
            )
        )
    AnnotatedFile.objects.bulk_create(rows, batch_size=500)


def copy_documents_to_files(apps, schema_editor):
    Review = apps.get_model("workflows", "Review")
    AnnotatedFile = apps.get_model("workflows", "AnnotatedFile")
    for document in AnnotatedFile.objects.all():
        Review.objects.filter(pk=document.review_id).update(annotated_file=document.file.name)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_plans_of_action_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AnnotatedFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=300,
                        upload_to=cepa_collab.models.document_path,
                        verbose_name="file",
                    ),
                ),
                (
                    "original_name",
                    models.CharField(max_length=255, verbose_name="original file name"),
                ),
                ("content_type", models.CharField(max_length=120, verbose_name="content type")),
                ("size", models.PositiveBigIntegerField(verbose_name="size in bytes")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="uploaded"
                    ),
                ),
                (
                    "review",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workflows.review",
                        verbose_name="review",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "annotated file",
                "verbose_name_plural": "annotated files",
                "ordering": ["review"],
            },
        ),
        migrations.RunPython(copy_files_to_documents, copy_documents_to_files),
        migrations.RemoveField(model_name="review", name="annotated_file"),
        # Only now may the review's new accessor take the old column's name.
        migrations.AlterField(
            model_name="annotatedfile",
            name="review",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="annotated_file",
                to="workflows.review",
                verbose_name="review",
            ),
        ),
    ]
