"""The REST API, /api/v1/ (issue 11 §1): people's clients and registered systems, OpenAPI 3.1."""
