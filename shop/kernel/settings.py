"""Settings, read from the environment and `.env` (the README lists them)."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from shop.kernel.countries import Country

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///ecommerce.db"
MIN_SECRET_LENGTH = 32
# The value shipped in `.env.example`: a deployment must never run with it.
EXAMPLE_SECRET_KEY = "change-me-to-a-random-string-of-at-least-32-characters"  # noqa: S105
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")

# Sync or bare driver names a user may write, mapped to the async driver we run.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def async_database_url(raw: str) -> URL:
    """Parse a database URL and point it at the async driver the shop runs on."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ValueError("is not a database URL") from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(f"database {url.drivername!r} is not supported (use sqlite or postgresql)")
    return url.set(drivername=driver)


class Settings(BaseSettings):
    """Everything an operator can set. Field names are the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=True,
        frozen=True,
    )

    DEBUG: bool = False
    SECRET_KEY: str = Field(default="", repr=False)
    DATABASE_URL: str | None = None
    SQLITE_URI: str | None = None  # the seed's name for the database URL
    ALEMBIC_URI: str | None = None  # the seed's name for the migrations' URL
    JWT_EXPIRES_SECONDS: int = Field(default=4 * 3600, ge=60, le=30 * 24 * 3600)
    OPEN_REGISTRATION: bool = False
    PUBLIC_CATALOGUE: bool = False  # anonymous clients may read the catalogue (storefronts)
    # uvicorn's setting, same meaning and default: the proxies whose X-Forwarded-* headers count.
    FORWARDED_ALLOW_IPS: str = "127.0.0.1"
    CURRENCY: str = "USD"
    # Whether prices (of products and shipping rates) already include tax, as in the EU, or tax is added.
    PRICES_INCLUDE_TAX: bool = False
    # The tax country of an order shipped nowhere (pickup, digital); unset, such orders are not taxed.
    SHOP_COUNTRY: Country | None = None
    LOG_LEVEL: str = "INFO"
    LOG_JSON: bool = False
    CORS_ORIGINS: Annotated[tuple[str, ...], NoDecode] = ()
    REDIS_URL: str | None = Field(default=None, repr=False)
    # Lets a scraper elsewhere read /metrics as `Authorization: Bearer <METRICS_TOKEN>`.
    METRICS_TOKEN: str | None = Field(default=None, min_length=16, repr=False)
    # The shop's public address: Location and Link are built from it, never from a client's Host.
    PUBLIC_BASE_URL: str | None = None
    # A pending order older than this is cancelled as expired and its stock put back; 0 never expires.
    UNPAID_ORDER_TTL_SECONDS: int = Field(default=0, ge=0, le=365 * 24 * 3600)
    # The signing secret of the shop's Stripe webhook endpoint (whsec_...); unset, Stripe events are refused.
    STRIPE_WEBHOOK_SECRET: str | None = Field(default=None, repr=False)
    # Webhooks may point at http:// and at this machine or a private network (a receiver beside the shop).
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool = False
    # A failed delivery is tried again after this, then twice as long each time (docs/webhooks.md).
    WEBHOOK_RETRY_BASE_SECONDS: float = Field(default=10.0, gt=0, le=3600, allow_inf_nan=False)

    @field_validator("CURRENCY")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("must be a three-letter ISO 4217 code such as USD")
        return value

    @field_validator("LOG_LEVEL")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("CORS_ORIGINS", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("CORS_ORIGINS")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"{origin!r} is not an origin such as https://shop.example")
        return value

    @field_validator("DATABASE_URL", "SQLITE_URI", "ALEMBIC_URI")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is not None:
            async_database_url(value)
        return value

    @field_validator("PUBLIC_BASE_URL")
    @classmethod
    def _public_base_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"https?://[A-Za-z0-9._~\[\]:-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?", value):
            raise ValueError("must be an http:// or https:// address such as https://shop.example/api")
        return value.rstrip("/")

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"rediss?://|unix://", value):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("STRIPE_WEBHOOK_SECRET")
    @classmethod
    def _stripe_secret(cls, value: str | None) -> str | None:
        # Pasting the API key (sk_...) instead of the endpoint's secret is the usual slip.
        if value and not re.fullmatch(r"whsec_[A-Za-z0-9_+/=-]{4,}", value):
            raise ValueError("must be the webhook endpoint's signing secret, which starts with whsec_")
        return value or None

    @model_validator(mode="after")
    def _development_key(self) -> Self:
        if self.DEBUG and not self.SECRET_KEY:
            # Development only: a key per process, so tokens die with it.
            object.__setattr__(self, "SECRET_KEY", secrets.token_urlsafe(48))
        return self

    def secret_key_problem(self) -> str | None:
        """Why SECRET_KEY cannot sign tokens, if it cannot. Only what serves the API
        asks: migrate, seed and create-admin sign nothing and run without one."""
        if self.DEBUG:
            return None
        if not self.SECRET_KEY:
            return "SECRET_KEY is required (at least 32 characters) unless DEBUG=true"
        if len(self.SECRET_KEY) < MIN_SECRET_LENGTH:
            return f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters unless DEBUG=true"
        if self.SECRET_KEY == EXAMPLE_SECRET_KEY:
            return "SECRET_KEY is the example value from .env.example; set a random one"
        return None

    @property
    def database_url(self) -> URL:
        """The URL the app connects to: DATABASE_URL, else the seed's SQLITE_URI."""
        return async_database_url(self.DATABASE_URL or self.SQLITE_URI or DEFAULT_DATABASE_URL)

    @property
    def migrations_url(self) -> URL:
        """The URL migrations run against: the seed's ALEMBIC_URI, else the app's."""
        if self.ALEMBIC_URI and not self.DATABASE_URL:
            return async_database_url(self.ALEMBIC_URI)
        return self.database_url


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line that names it."""


def load_settings(*, signs_tokens: bool = True, **overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line that names the setting.
    `signs_tokens`: the caller serves the API, so SECRET_KEY must be fit to sign tokens."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        name = ".".join(str(part) for part in first["loc"]) or _named_in(first["msg"])
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {name}: {message}") from None
    if signs_tokens:
        check_secret_key(settings)
    return settings


def check_secret_key(settings: Settings) -> None:
    problem = settings.secret_key_problem()
    if problem is not None:
        raise SettingsError(f"invalid setting SECRET_KEY: {problem}")


def _named_in(message: str) -> str:
    match = re.search(r"\b[A-Z][A-Z_]{2,}\b", message)
    return match.group(0) if match else "settings"
