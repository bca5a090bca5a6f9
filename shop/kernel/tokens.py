"""Access tokens: JWTs signed with HS256 (joserfc), valid for JWT_EXPIRES_SECONDS."""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from shop.kernel.ids import plain_id

ALGORITHM = "HS256"
# Tolerated clock skew for "iat" between the machine that issued a token and the
# one checking it. Never for "exp": an expired token is refused at once.
LEEWAY_SECONDS = 30
# Clients send the same token with every request: remember the ones already
# verified (keyed by the whole token, signature included) and only check that
# they have not expired since. Invalid tokens are never remembered.
VERIFIED_TOKENS_KEPT = 4096


@dataclass(frozen=True, slots=True)
class Claims:
    user_id: int
    expires_at: int
    generation: int  # of the user's sessions when it was issued


class InvalidToken(Exception):
    """The token is not one this shop issued, or it is no longer valid."""


class Tokens:
    def __init__(self, secret_key: str, lifetime_seconds: int) -> None:
        self._key = OctKey.import_key(secret_key)
        self.lifetime_seconds = lifetime_seconds
        self._claims = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
        )
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._verify_signed)

    def issue(self, user_id: int, role: str, generation: int) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user_id),
            # For clients to show; what a token may do is decided by the role stored now (shop.web.auth).
            "role": role,
            # The user's session generation: logging out, a new password or role end it (shop.web.auth).
            "gen": generation,
            "iat": now,
            "exp": now + self.lifetime_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, self._key, algorithms=[ALGORITHM])

    def verify(self, token: str) -> Claims:
        """The token's claims; raises InvalidToken for anything not issued by us or expired."""
        claims = self._verified(token)
        if claims.expires_at <= time.time():  # RFC 7519: valid only before "exp"
            raise InvalidToken("ExpiredTokenError")
        return claims

    def _verify_signed(self, token: str) -> Claims:
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALGORITHM])
            self._claims.validate(decoded.claims)
            claims = decoded.claims
            user_id = plain_id(claims["sub"]) if isinstance(claims["sub"], str) else None
            if user_id is None:
                raise ValueError("sub is not a user id")
            generation = claims.get("gen", 0)  # tokens from before sessions could end: the first generation
            if type(generation) is not int:
                raise ValueError("gen is not a generation")
            return Claims(user_id=user_id, expires_at=int(claims["exp"]), generation=generation)
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise InvalidToken(type(error).__name__) from None
