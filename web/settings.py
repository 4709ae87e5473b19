"""The one place that reads the environment."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev-secret-change-me"}


class Settings(BaseSettings):
    # populate_by_name: Settings(environment="test") works as well as MAITRE_ENV=test.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = Field(
        default="development", validation_alias="MAITRE_ENV"
    )
    database_url: str = "sqlite+aiosqlite:///./maitre.db"
    # Connections per process: kept open, opened beyond that under load, and how long a
    # request waits for one before it is answered 503 with Retry-After.
    database_pool_size: int = Field(default=20, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # PostgreSQL: DATABASE_URL is the schema owner's, for `maitre migrate`, which creates
    # or repairs this URL's role (no superuser, no BYPASSRLS) and grants it row access;
    # serve and worker connect as it, so row-level security binds them. Unset: they use
    # DATABASE_URL, which production refuses if it can bypass row-level security...
    app_database_url: str | None = None
    # ...unless this is set (a deliberate choice, say a managed database's only role).
    allow_privileged_db_role: bool = False
    redis_url: str | None = None
    secret_key: str = "dev-secret-change-me"
    public_url: str = "http://127.0.0.1:8000"
    sweep_interval_seconds: float = 5.0
    # False: `maitre serve` answers requests only, and the relay, mail, sweeper and other
    # background loops run in `maitre worker` processes (off the HTTP cores).
    serve_background_jobs: bool = True
    # How often an imported calendar's URL is fetched again (venue/floor/calendar_import.py).
    calendar_refresh_seconds: float = Field(default=900.0, ge=60)
    # How long another process's change may take to show on GET .../floor (0: no cache).
    floor_cache_seconds: float = 1.0
    # Per client IP and window: public holds and bookings (429 with Retry-After beyond).
    rate_limit_holds: int = 30
    rate_limit_bookings: int = 20
    # Public waitlist joins per client address and window (each may send an email).
    rate_limit_waitlist: int = 10
    rate_limit_window_seconds: int = 60
    # Failed staff sign-ins per account and per IP within the window, then 429.
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 30
    login_window_seconds: int = 900
    # ...except that login_max_failures counts per account *and* address, and past it the
    # next attempt waits this long, doubling with each attempt (up to the window).
    login_delay_seconds: int = 1
    rate_limit_prefix: str = "maitre:rl"
    # Redis counters: connections per process (a burst waits for one) and how long a count
    # may take before this process counts on its own for a while (limits never fail open).
    rate_limit_redis_connections: int = Field(default=20, ge=1)
    rate_limit_redis_timeout_seconds: float = Field(default=1.0, gt=0)
    # Largest request body accepted, chunked or not (413 beyond); JSON bodies are small.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Proxies whose X-Forwarded-For/-Proto `maitre serve` believes (comma-separated IPs or
    # networks, "*" for any); the client address and scheme come from them.
    forwarded_allow_ips: str = "127.0.0.1"
    # Outgoing mail; without smtp_host it goes to the local outbox staff can read.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "bookings@maitre.localhost"
    # Deposits. Without a secret key payments run in TEST MODE (a local checkout page,
    # no real money), which production refuses.
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # only to point the SDK at a local fake

    def database_pool(self) -> dict[str, Any]:
        """The engine's pool options (venue.db.create_engine) for this process."""
        return {
            "pool_size": self.database_pool_size,
            "max_overflow": self.database_max_overflow,
            "pool_timeout": self.database_pool_timeout_seconds,
        }

    @field_validator("database_url", "app_database_url")
    @classmethod
    def _async_driver(cls, url: str | None) -> str | None:
        """Accept the usual URLs and pick the async driver for them."""
        if url is None:
            return None
        for plain, driver in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    @property
    def app_url(self) -> str:
        """The database URL serve and worker connect with."""
        return self.app_database_url or self.database_url

    @field_validator("redis_url")
    @classmethod
    def _blank_is_none(cls, url: str | None) -> str | None:
        return url or None

    @model_validator(mode="after")
    def _enforce_real_secrets(self) -> Settings:
        if self.environment != "development" and (
            self.secret_key in PLACEHOLDER_SECRETS or len(self.secret_key) < 32
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of 32+ characters outside "
                "development (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        self._enforce_stripe_keys()
        return self

    def _enforce_stripe_keys(self) -> None:
        key, hook = self.stripe_secret_key or "", self.stripe_webhook_secret or ""
        if key and not hook.startswith("whsec_"):
            raise ValueError("STRIPE_WEBHOOK_SECRET (whsec_...) is required with a Stripe key")
        if self.environment == "production" and (
            not key.startswith(("sk_", "rk_")) or key in PLACEHOLDER_SECRETS
        ):
            raise ValueError(
                "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set in production "
                "(without them payments run in test mode, which takes no real money)"
            )
