"""Stafett talks to the systems around it (issue 11): exports in standard formats.

`fhir` turns one log into a FHIR R4B Bundle. No models here: everything is read from the
logs' and audit's own models, through the same read model as the printout.
"""
