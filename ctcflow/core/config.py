"""One settings object for the whole application, read from the environment (prefix ``CTC_``).

Paths default to the project checkout so that a fresh clone runs with no configuration:
the process definition and areas beside the code, the SQLite database under ``.ctc/``.

One installation can serve several municipalities (*tenants*). The default tenant's files are
the checkout's own (``phases.yml``, ``areas.yml`` … at the top); any other tenant is a folder
``tenants/<id>/`` with its ``areas.yml``, a ``tenant.yml`` of its own settings, and where it
differs from the shared process its own ``phases.yml``/``survey.yml``/``programmes.yml``.
``CTC_TENANT`` (``ctc --tenant``, a flow's ``tenant`` parameter) chooses; everything that
belongs to a tenant — data, files, links, notify references, artifacts — is derived here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ctcflow.core.errors import CtcError
from ctcflow.core.scope import chosen_tenant
from ctcflow.core.tenants import tenant_overrides

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TIMEZONE = "Europe/Stockholm"
TENANT_ID = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CTC_", extra="ignore")

    home: Path = PROJECT_ROOT
    data_dir: Path = PROJECT_ROOT / ".ctc"
    # The tenant acted for (None: the default one, whose files are the checkout's own).
    tenant: str | None = None
    default_tenant: str = "malmo"
    tenants_dir: Path | None = None  # default: <home>/tenants
    # A Prefect Secret block holding {VARIABLE: apprise URL}: the tenant's env: references are
    # looked up there first, so workers need none of the thousands of variables.
    notify_block: str | None = None
    phases_file: Path | None = None
    areas_file: Path | None = None
    survey_file: Path | None = None
    programmes_file: Path | None = None
    database_url: str | None = None
    lang: str = "sv"
    # phase-work hands a share of its per-area phase steps to each other online worker of the
    # pool — at most fan_out_batches shares of at least fan_out_smallest steps: a step costs tens
    # of milliseconds, a share's flow-run process about ten seconds to start.
    fan_out_batches: int = 8
    fan_out_smallest: int = 500
    # how long phase-work waits for a share it handed out; a share not finished by then (its
    # worker died, or none took it) is cancelled there and done by the run that handed it out
    fan_out_deadline_seconds: int = 900
    # the watchdog (ctc deploy's automations): the Prefect notification block that tells the
    # operator, and how long a run may stay silent (no heartbeat, no end) before it counts as dead
    watchdog_block: str | None = None
    watchdog_silent_seconds: int = 120
    # A report's PDF is printed in chunks of this many areas (memory stays bounded: WeasyPrint
    # keeps a chunk's pages, not the document's); on a worker, the chunks are shared out too.
    report_areas_per_chunk: int = 50
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

    @field_validator("tenant", "default_tenant")
    @classmethod
    def _tenant_id(cls, value: str | None) -> str | None:
        if value is not None and not TENANT_ID.match(value):
            raise ValueError(f"'{value}' is not a tenant id: lower-case letters, digits and dashes, "
                             "starting with a letter (e.g. malmo, lund, region-skane)")
        return value

    @property
    def tenant_id(self) -> str:
        return self.tenant or self.default_tenant

    @property
    def is_default_tenant(self) -> bool:
        return self.tenant_id == self.default_tenant

    @property
    def tenants_folder(self) -> Path:
        return self.tenants_dir or self.home / "tenants"

    @property
    def tenant_folder(self) -> Path | None:
        """Where a tenant other than the default keeps its files (None for the default)."""
        return None if self.is_default_tenant else self.tenants_folder / self.tenant_id

    def _definition(self, explicit: Path | None, name: str, shared: bool) -> Path:
        folder = self.tenant_folder
        if folder is None:
            return explicit or self.home / name
        own = folder / name
        return own if own.exists() or not shared else (explicit or self.home / name)

    @property
    def phases_path(self) -> Path:
        return self._definition(self.phases_file, "phases.yml", shared=True)

    @property
    def areas_path(self) -> Path:
        return self._definition(self.areas_file, "areas.yml", shared=False)

    @property
    def survey_path(self) -> Path:
        return self._definition(self.survey_file, "survey.yml", shared=True)

    @property
    def programmes_path(self) -> Path:
        return self._definition(self.programmes_file, "programmes.yml", shared=True)

    @property
    def tenant_data_dir(self) -> Path:
        """The tenant's own files (caches, keys made on a one-host installation, its SQLite file)."""
        return self.data_dir if self.is_default_tenant else self.data_dir / "tenants" / self.tenant_id

    @property
    def db_schema(self) -> str | None:
        """The tenant's PostgreSQL schema (None: the default tenant, in the database's own)."""
        return None if self.is_default_tenant else "ctc_" + self.tenant_id.replace("-", "_")

    def env_name(self, variable: str) -> str:
        """The environment variable an ``env:VARIABLE`` reference of this tenant reads: the name
        itself for the default tenant, ``<TENANT>__VARIABLE`` for any other (two cities' areas.yml
        may both say CTC_NOTIFY_SAMORDNARE; one must never reach the other's people)."""
        if self.is_default_tenant:
            return variable
        return f"{self.tenant_id.upper().replace('-', '_')}__{variable}"

    @property
    def templates_dir(self) -> Path:
        return self.home / "templates"

    @property
    def db_url(self) -> str:
        """SQLite: a file per tenant. PostgreSQL: one database, a schema per tenant, chosen by the
        connection's search_path (so every query, migration and trigger stays in it)."""
        if not self.database_url:
            return f"sqlite:///{self.tenant_data_dir / 'ctc.db'}"
        if self.db_schema is None or not self.database_url.startswith("postgresql"):
            if self.db_schema is not None:
                raise CtcError("tenants other than the default need PostgreSQL or SQLite: "
                               "set CTC_DATABASE_URL to a postgresql:// URL or leave it unset")
            return self.database_url
        joiner = "&" if "?" in self.database_url else "?"
        return f"{self.database_url}{joiner}options=-csearch_path%3D{self.db_schema}"


def get_settings() -> Settings:
    """The settings of the tenant acted for here (``ctcflow.core.scope``), else the process's."""
    return _settings_for(chosen_tenant())


@lru_cache(maxsize=64)
def _settings_for(tenant: str | None) -> Settings:
    try:
        settings = Settings() if tenant is None else Settings(tenant=tenant)
        if settings.is_default_tenant:
            return settings
        overrides = tenant_overrides(settings.tenant_id, settings.tenants_folder, settings.default_tenant)
        # Through validation again, so a tenant's lang is checked like CTC_LANG.
        return Settings(**{**settings.model_dump(), **overrides})
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise CtcError(f"settings: {problems}") from None


def reset_settings() -> None:
    """Forget the cached settings (tests and the CLI change the environment between runs)."""
    _settings_for.cache_clear()
