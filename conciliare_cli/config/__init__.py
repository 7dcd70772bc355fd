from conciliare_cli.config.loader import CONFIG_NAME, LoadedCall, known_fields, load_call
from conciliare_cli.config.models import CallConfig

__all__ = ["CONFIG_NAME", "CallConfig", "LoadedCall", "known_fields", "load_call"]
