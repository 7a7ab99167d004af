"""The compose file and Kubernetes manifests parse and carry every service the local stack runs."""

from __future__ import annotations

from pathlib import Path

import yaml

from infra.local.services import SERVICES

INFRA = Path(__file__).resolve().parents[2] / "infra"
# local name -> (compose service, k8s Deployment); the local S3 server is MinIO on real hosts
REAL_NAMES = {
    "postgres": ("postgres", "postgres"),
    "redis": ("redis", "redis"),
    "s3": ("minio", "minio"),
    "triton": ("triton", "triton"),
    "control_plane": ("control_plane", "control-plane"),
    "worker": ("worker", "worker"),
    "edge_gateway": ("edge_gateway", "edge-gateway"),
    "mqtt": ("mosquitto", "mosquitto"),
    "feature_worker": ("feature_worker", "feature-worker"),
    "sensor_consumer": ("sensor_consumer", "sensor-consumer"),
}


def test_every_local_service_has_a_real_host_counterpart() -> None:
    assert {s.name for s in SERVICES} == set(REAL_NAMES)


def test_compose_is_valid_yaml_with_every_service() -> None:
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    services = compose["services"]
    for name, _ in REAL_NAMES.values():
        assert name in services, name
        assert "image" in services[name] or "build" in services[name]
    triton = services["triton"]
    assert "--model-control-mode=explicit" in triton["command"]
    assert triton["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert services["worker"]["deploy"]["replicas"] >= 2


def test_kubernetes_manifests_parse_and_cover_every_service() -> None:
    kustomization = yaml.safe_load((INFRA / "k8s" / "kustomization.yaml").read_text())
    deployments: dict[str, dict] = {}
    for resource in kustomization["resources"]:
        for doc in yaml.safe_load_all((INFRA / "k8s" / resource).read_text()):
            assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"]
            if doc["kind"] == "Deployment":
                deployments[doc["metadata"]["name"]] = doc
    for _, name in REAL_NAMES.values():
        assert name in deployments, name
    triton = deployments["triton"]["spec"]["template"]["spec"]["containers"][0]
    assert triton["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert deployments["worker"]["spec"]["replicas"] >= 2
