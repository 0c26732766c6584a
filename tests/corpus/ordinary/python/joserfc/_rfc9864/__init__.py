from .jws_eddsa import JWS_ALGORITHMS, Ed25519, Ed448


__all__ = [
    "JWS_ALGORITHMS",
    "Ed25519",
    "Ed448",
]
