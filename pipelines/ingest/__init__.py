"""Pure ingestion steps: find, register, read, validate, pseudonymise, load."""
