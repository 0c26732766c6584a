from .client import APIClient
