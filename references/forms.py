"""The admin's forms: "Import citations" (pasted identifiers and/or a file) and a reference."""

from django import forms
from django.conf import settings

from references.identifiers import (
    InvalidIdentifier,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
)
from references.models import Reference


class ImportCitationsForm(forms.Form):
    identifiers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text=(
            "One DOI, PMID or PMCID per line, or pasted text (e.g. a reference list) from "
            "which DOIs and PMIDs are picked out."
        ),
    )
    file = forms.FileField(
        required=False,
        help_text="A RIS, BibTeX, MEDLINE (.nbib), CSL-JSON or PubMed XML file.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {limit:,}."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("identifiers", "").strip() and not cleaned.get("file"):
            if not self.errors:
                raise forms.ValidationError("Paste identifiers or choose a file to import.")
        return cleaned


class ReferenceAdminForm(forms.ModelForm):
    """The admin's reference form: identifiers are stored normalised, as the importers store
    them, so a hand-typed "https://doi.org/10.1/ABC" matches the imported "10.1/abc"."""

    class Meta:
        model = Reference
        fields = ["doi", "pmid", "pmcid"]  # the admin adds its fieldsets to these

    def _identifier(self, name: str, normalise) -> str | None:
        value = self.cleaned_data.get(name)
        if not value:
            return None
        try:
            return normalise(value)
        except InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_doi(self) -> str | None:
        return self._identifier("doi", normalise_doi)

    def clean_pmid(self) -> str | None:
        return self._identifier("pmid", normalise_pmid)

    def clean_pmcid(self) -> str | None:
        return self._identifier("pmcid", normalise_pmcid)
