from .api import ContextAPI
from .context import Context
