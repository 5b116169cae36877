"""Generator of the project's own iWmo/iJw XSDs: trees, basisschema types, rendering, provenance."""
