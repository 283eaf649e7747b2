"""A read-only HL7 FHIR R5 face of the published evidence, mounted at /fhir/.

Named ``fhir_api`` rather than ``fhir``: the FHIR models come from the ``fhir.resources``
distribution, whose top-level package is ``fhir``; a project package of that name would
shadow it on the import path.
"""
