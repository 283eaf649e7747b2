"""Evidence's reactions to events of the layers below it."""

from django.dispatch import receiver

from references.signals import references_amended

from . import services


@receiver(references_amended, dispatch_uid="evidence.flag_verdicts_for_amended_references")
def flag_verdicts_for_amended_references(sender, reference_ids, **kwargs):
    services.verdicts_flag_amended_references(reference_ids=reference_ids)
