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
            if doc["kind"] in ("Deployment", "StatefulSet"):
                deployments[doc["metadata"]["name"]] = doc
    for _, name in REAL_NAMES.values():
        assert name in deployments, name
    triton = deployments["triton"]["spec"]["template"]["spec"]["containers"][0]
    assert triton["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert deployments["worker"]["spec"]["replicas"] >= 2


def _k8s_docs() -> list[dict]:
    kustomization = yaml.safe_load((INFRA / "k8s" / "kustomization.yaml").read_text())
    return [
        doc
        for resource in kustomization["resources"]
        for doc in yaml.safe_load_all((INFRA / "k8s" / resource).read_text())
    ]


def test_our_deployments_have_probes_and_resource_requests() -> None:
    deployments = {
        d["metadata"]["name"]: d for d in _k8s_docs() if d["kind"] in ("Deployment", "StatefulSet")
    }
    for name in ("control-plane", "edge-gateway", "triton", "worker"):
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert "livenessProbe" in container, name
        requests = container["resources"]["requests"]
        assert requests["cpu"] and requests["memory"], name
    for name in ("control-plane", "edge-gateway", "triton"):
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert "readinessProbe" in container, name


def test_gateways_and_workers_autoscale_and_keep_one_through_a_drain() -> None:
    docs = _k8s_docs()
    hpas = {
        d["spec"]["scaleTargetRef"]["name"]: d
        for d in docs
        if d["kind"] == "HorizontalPodAutoscaler"
    }
    pdbs = {
        d["spec"]["selector"]["matchLabels"]["app"]: d
        for d in docs
        if d["kind"] == "PodDisruptionBudget"
    }
    for name in ("edge-gateway", "worker"):
        hpa = hpas[name]["spec"]
        assert hpa["minReplicas"] >= 2 and hpa["maxReplicas"] > hpa["minReplicas"], name
        assert hpa["metrics"][0]["resource"]["name"] == "cpu"
        assert pdbs[name]["spec"]["minAvailable"] >= 1, name


def test_the_manifests_run_in_production_mode() -> None:
    config = next(d for d in _k8s_docs() if d["kind"] == "ConfigMap")
    assert config["data"]["LOADSTAR_ENV"] == "production"


def test_several_tritons_on_one_repository_each_listed_for_the_publisher() -> None:
    docs = _k8s_docs()
    triton = next(
        d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "triton"
    )
    replicas = triton["spec"]["replicas"]
    assert replicas >= 2
    container = triton["spec"]["template"]["spec"]["containers"][0]
    assert "--load-model=*" in container["command"]  # a replica that starts loads what is published
    claim = triton["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
    shared = next(
        d for d in docs if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == claim
    )
    assert shared["spec"]["accessModes"] == ["ReadWriteMany"]
    headless = next(
        d
        for d in docs
        if d["kind"] == "Service" and d["metadata"]["name"] == triton["spec"]["serviceName"]
    )
    assert headless["spec"]["clusterIP"] == "None"
    config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    service = triton["spec"]["serviceName"]
    for variable, port in (("TRITON_GRPC_URLS", 8001), ("TRITON_HTTP_URLS", 8000)):
        listed = config[variable].split(",")
        assert listed == [f"triton-{n}.{service}:{port}" for n in range(replicas)], variable
    assert float(config["LOADSTAR_TRITON_SYNC_S"]) > 0
    pdbs = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    assert any(p["spec"]["selector"]["matchLabels"]["app"] == "triton" for p in pdbs)


def test_the_gateway_runs_without_an_access_log_everywhere() -> None:
    """A log line per request costs the gateway CPU on its hot path; the local stack, compose
    and Kubernetes start it alike."""
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    assert "--no-access-log" in compose["services"]["edge_gateway"]["command"].split()
    gateway = next(d for d in _k8s_docs() if d["metadata"]["name"] == "edge-gateway")
    container = gateway["spec"]["template"]["spec"]["containers"][0]
    assert "--no-access-log" in container["command"]
    local = next(s for s in SERVICES if s.name == "edge_gateway")
    assert local.argv is not None
    assert "--no-access-log" in local.argv()
