"""conciliare: from partners' spreadsheets to a ranked list (graduatoria), vouchers and letters."""

__version__ = "0.1.0"
