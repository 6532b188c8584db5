"""One settings object for the whole application, read from the environment (prefix ``CTC_``).

Paths default to the project checkout so that a fresh clone runs with no configuration:
the process definition and areas beside the code, the SQLite database under ``.ctc/``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TIMEZONE = "Europe/Stockholm"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CTC_", extra="ignore")

    home: Path = PROJECT_ROOT
    data_dir: Path = PROJECT_ROOT / ".ctc"
    phases_file: Path | None = None
    areas_file: Path | None = None
    survey_file: Path | None = None
    programmes_file: Path | None = None
    database_url: str | None = None
    lang: str = "sv"
    delivery_workers: int = 4  # messages sent in parallel (SMTP round trips dominate)
    # A delivery run's claim on its messages lasts this long unless its heartbeat renews it (every
    # quarter of it); a run that died is taken over after at most this long.
    delivery_lease_seconds: float = 120.0
    delivery_timeout_seconds: float = 20.0  # a mail server that does not answer, per server and run
    delivery_alarm_hours: float = 4.0  # a temporary failure is told to the samordnare after this long
    # The web pages: the address people reach them at (behind the city's reverse proxy, its
    # public URL, path included) and the key that signs links and sessions — from the
    # environment; without one, a key is made once and kept in data_dir/web-secret-key.
    web_base_url: str = "http://127.0.0.1:8000"
    web_secret_key: str | None = None
    web_link_days: int = 30  # how long a reminder's link opens its milestone
    # Single sign-on (OpenID Connect) with the city's identity provider — Entra ID, ADFS, Keycloak:
    # its issuer address, this app's client id and secret (the secret from the environment only),
    # the claim that names the person (matched against the work addresses of areas.yml), and the
    # words on the button ("Malmö stads konto").
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_claim: str = "email"
    oidc_label: str | None = None

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("sv", "en"):
            raise ValueError("CTC_LANG must be 'sv' or 'en'")
        return value

    @property
    def phases_path(self) -> Path:
        return self.phases_file or self.home / "phases.yml"

    @property
    def areas_path(self) -> Path:
        return self.areas_file or self.home / "areas.yml"

    @property
    def survey_path(self) -> Path:
        return self.survey_file or self.home / "survey.yml"

    @property
    def programmes_path(self) -> Path:
        return self.programmes_file or self.home / "programmes.yml"

    @property
    def templates_dir(self) -> Path:
        return self.home / "templates"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'ctc.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the CLI change the environment between runs)."""
    get_settings.cache_clear()
