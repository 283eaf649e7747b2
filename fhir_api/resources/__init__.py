"""FHIR resources built from our rows: one module per resource type.

Every builder returns plain FHIR JSON that ``common.validated`` has passed through the
FHIR R5 models of ``fhir.resources``, so nothing is served that the models refuse.
"""
