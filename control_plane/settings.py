"""Control-plane settings, read from the environment when the app is created."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

from loadstar_core.secrets_policy import MODE_VARIABLE, check_secrets

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = "postgresql://postgres@127.0.0.1:5432/test"
    redis_url: str = "redis://127.0.0.1:6379/0"
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "loadstar"
    s3_secret_key: str = "loadstar-secret"
    s3_secure: bool = False
    s3_bucket: str = "loadstar"
    jwt_secret: str = "loadstar-dev-secret-change-me-in-production"
    jwt_ttl_seconds: int = 12 * 3600
    upload_limit_bytes: int = 1 << 30
    triton_http_url: str = "127.0.0.1:8000"
    triton_grpc_url: str = "127.0.0.1:8001"
    # Several Triton replicas on one shared model repository (comma-separated gRPC
    # addresses): publishing loads and unloads on every one. Unset: the one address above.
    triton_grpc_urls: str = ""
    # How often each replica is checked for the active deployments' models and loads what
    # it lacks (a replica that restarted empty or missed a publish); 0: never.
    triton_sync_s: float = 30.0
    triton_metrics_url: str = "http://127.0.0.1:8002/metrics"
    triton_repo_dir: Path = REPO_ROOT / "triton_repo" / "models"
    triton_target: str = "cpu"
    gateway_public_url: str = "http://127.0.0.1:8090"
    gateway_sync_token: str = "loadstar-gateway-sync-dev-token"
    admin_username: str = "admin"
    admin_password: str = "loadstar-admin"
    static_dir: Path = REPO_ROOT / "web" / "dist"
    run_migrations: bool = True
    namespace: str = "loadstar"  # of the training queue and event stream in Redis
    # "development" allows the public default secrets above; anything else refuses them
    mode: str = "production"
    # origins allowed to call the API from a browser; none by default (the console is
    # served by the control plane itself, so it needs none)
    cors_origins: tuple[str, ...] = ()
    # watching: recorded readings, forecasts and events older than this are deleted
    watch_retention_days: float = 730.0
    # how often alert rules, live confidence and retention run (0: never by themselves)
    watch_eval_period_s: float = 60.0
    # forecast-actual pairs over the last week before `confidence` is live, not hold-out
    live_confidence_min_pairs: int = 500

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from LOADSTAR_*/standard variables; unset ones keep defaults."""
        env = os.environ if env is None else env
        mapping = {
            "database_url": "DATABASE_URL",
            "redis_url": "REDIS_URL",
            "s3_endpoint": "S3_ENDPOINT",
            "s3_access_key": "S3_ACCESS_KEY",
            "s3_secret_key": "S3_SECRET_KEY",
            "s3_secure": "S3_SECURE",
            "s3_bucket": "S3_BUCKET",
            "jwt_secret": "LOADSTAR_JWT_SECRET",
            "jwt_ttl_seconds": "LOADSTAR_JWT_TTL_SECONDS",
            "upload_limit_bytes": "LOADSTAR_UPLOAD_LIMIT_BYTES",
            "triton_http_url": "TRITON_HTTP_URL",
            "triton_grpc_url": "TRITON_GRPC_URL",
            "triton_grpc_urls": "TRITON_GRPC_URLS",
            "triton_sync_s": "LOADSTAR_TRITON_SYNC_S",
            "triton_metrics_url": "TRITON_METRICS_URL",
            "triton_repo_dir": "TRITON_REPO_DIR",
            "triton_target": "TRITON_TARGET",
            "gateway_public_url": "LOADSTAR_GATEWAY_URL",
            "gateway_sync_token": "LOADSTAR_GATEWAY_SYNC_TOKEN",
            "admin_username": "LOADSTAR_ADMIN_USER",
            "admin_password": "LOADSTAR_ADMIN_PASSWORD",
            "static_dir": "LOADSTAR_STATIC_DIR",
            "run_migrations": "LOADSTAR_RUN_MIGRATIONS",
            "namespace": "LOADSTAR_NAMESPACE",
            "mode": MODE_VARIABLE,
            "watch_retention_days": "LOADSTAR_WATCH_RETENTION_DAYS",
            "watch_eval_period_s": "LOADSTAR_WATCH_EVAL_PERIOD_S",
            "live_confidence_min_pairs": "LOADSTAR_LIVE_CONFIDENCE_MIN_PAIRS",
        }
        raw: dict[str, object] = {field: env[var] for field, var in mapping.items() if var in env}
        if env.get("LOADSTAR_CORS_ORIGINS"):
            raw["cors_origins"] = [o.strip() for o in env["LOADSTAR_CORS_ORIGINS"].split(",")]
        return msgspec.convert(raw, cls, strict=False, dec_hook=_paths)

    @property
    def triton_replicas(self) -> str:
        """Every Triton replica's gRPC address, comma-separated (one when not scaled out)."""
        return self.triton_grpc_urls or self.triton_grpc_url

    def check_secrets(self) -> None:
        """Refuse to run outside development mode with any secret at its public default."""
        default = Settings()
        check_secrets(
            self.mode,
            [
                ("LOADSTAR_JWT_SECRET", self.jwt_secret, default.jwt_secret),
                (
                    "LOADSTAR_GATEWAY_SYNC_TOKEN",
                    self.gateway_sync_token,
                    default.gateway_sync_token,
                ),
                ("S3_ACCESS_KEY", self.s3_access_key, default.s3_access_key),
                ("S3_SECRET_KEY", self.s3_secret_key, default.s3_secret_key),
                ("LOADSTAR_ADMIN_PASSWORD", self.admin_password, default.admin_password),
            ],
        )


def _paths(kind: type, value: object) -> object:
    """Folders given in the environment (TRITON_REPO_DIR, LOADSTAR_STATIC_DIR) as text."""
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(f"no conversion to {kind}")
