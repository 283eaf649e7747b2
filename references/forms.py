"""The editors' "Import citations" form: pasted identifiers and/or a file."""

from django import forms

from references.services.jobs import MAX_UPLOAD_BYTES


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
        help_text="A RIS, BibTeX, MEDLINE (.nbib) or CSL-JSON file, at most 5 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("identifiers", "").strip() and not cleaned.get("file"):
            if not self.errors:
                raise forms.ValidationError("Paste identifiers or choose a file to import.")
        return cleaned
