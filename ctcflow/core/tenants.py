"""The tenants of an installation: which there are (folders under ``tenants/`` with a
``tenant.yml``, the default first) and what a tenant's own ``tenant.yml`` sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ctcflow.core.errors import CtcError

# What a tenant's tenant.yml may set (everything else is the installation's).
TENANT_KEYS = ("web_base_url", "lang", "notify_block", "oidc_label")


def tenant_ids(tenants_folder: Path, default: str) -> list[str]:
    """Every tenant of the installation, the default first."""
    folder = tenants_folder
    others = sorted(p.name for p in folder.iterdir() if (p / "tenant.yml").is_file()) if folder.is_dir() else []
    return [default, *[t for t in others if t != default]]


def tenant_overrides(tenant: str, tenants_folder: Path, default: str) -> dict[str, Any]:
    """The tenant's tenant.yml, checked: an unknown tenant or a key it may not set is an error."""
    import yaml

    folder = tenants_folder / tenant
    path = folder / "tenant.yml"
    if not path.is_file():
        known = ", ".join(tenant_ids(tenants_folder, default))
        raise CtcError(f"no tenant '{tenant}': the tenants are {known} (a tenant other than the "
                       f"default is a folder {tenants_folder}/<id>/ with tenant.yml and areas.yml)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CtcError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise CtcError(f"{path}: write settings as 'key: value' lines ({', '.join(TENANT_KEYS)})")
    unknown = sorted(set(data) - set(TENANT_KEYS))
    if unknown:
        raise CtcError(f"{path}: unknown setting {', '.join(unknown)}; a tenant may set {', '.join(TENANT_KEYS)}")
    if not (folder / "areas.yml").is_file():
        raise CtcError(f"{folder}: the tenant has no areas.yml (its areas and people)")
    return {key: value for key, value in data.items() if value is not None}
