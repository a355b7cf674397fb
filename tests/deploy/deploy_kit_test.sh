#!/usr/bin/env bash
# The deployment kit agrees with itself and with parleyd's configuration:
# every YAML file in deploy/ parses; the Kubernetes ConfigMap's parley.toml
# passes `parleyd --check-config`; the ports, probe paths, volume paths,
# config paths and secret names of the Dockerfile, docker-compose.yml and the
# Kubernetes manifests match the configuration they ship.
# Usage: deploy_kit_test.sh PARLEYD REPO_ROOT
set -euo pipefail
parleyd="$1"
root="$2"

# PyYAML: Debian's python3-yaml (scripts/packages/test.txt) for /usr/bin/python3,
# or whatever python3 comes first on PATH when it has yaml (and tomllib: 3.11+).
python=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import yaml, tomllib' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [[ -z "$python" ]]; then
    echo "no python3 (3.11+) with PyYAML (install python3-yaml)" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" - "$root" "$work" <<'PY'
import os, re, sys, tomllib, yaml

root, work = sys.argv[1], sys.argv[2]
deploy = os.path.join(root, "deploy")
failures = []

def check(condition, message):
    if not condition:
        failures.append(message)
    return condition

def listen_port(config):
    listen = config.get("server", {}).get("listen", "127.0.0.1:8080")
    return int(listen.rsplit(":", 1)[1])

def env_names(config):
    """Every environment variable a configuration names for a secret."""
    names = {key["key_env"] for key in config.get("auth", {}).get("keys", []) if "key_env" in key}
    names |= {p["api_key_env"] for p in config.get("providers", {}).values() if "api_key_env" in p}
    return names

# --- every YAML file parses ------------------------------------------------------
documents = {}
for directory, _, files in os.walk(deploy):
    for name in sorted(files):
        if name.endswith((".yml", ".yaml")):
            path = os.path.join(directory, name)
            try:
                with open(path) as f:
                    documents[os.path.relpath(path, deploy)] = [d for d in yaml.safe_load_all(f) if d is not None]
                print(f"ok: {os.path.relpath(path, root)} parses")
            except yaml.YAMLError as error:
                failures.append(f"{path}: {error}")
check("docker-compose.yml" in documents, "deploy/docker-compose.yml is missing")

# --- the image: Dockerfile + the configuration it bakes in -----------------------
with open(os.path.join(deploy, "parley.container.toml"), "rb") as f:
    image_config = tomllib.load(f)
image_port = listen_port(image_config)
image_db_dir = os.path.dirname(image_config["storage"]["path"])
dockerfile = open(os.path.join(root, "Dockerfile")).read()
check(re.search(rf"^EXPOSE {image_port}$", dockerfile, re.M), f"Dockerfile: EXPOSE is not the image config's port {image_port}")
check(re.search(r"^HEALTHCHECK", dockerfile, re.M) and f"/dev/tcp/127.0.0.1/{image_port}" in dockerfile
      and "GET /healthz" in dockerfile, "Dockerfile: HEALTHCHECK does not probe /healthz on the configured port")
user = re.findall(r"^USER (\S+)$", dockerfile, re.M)
check(user and user[-1] not in ("root", "0"), "Dockerfile: the runtime stage does not run as a non-root USER")
check("COPY deploy/parley.container.toml /etc/parley/parley.toml" in dockerfile, "Dockerfile: does not bake deploy/parley.container.toml in")
check('"--config", "/etc/parley/parley.toml"' in dockerfile, "Dockerfile: ENTRYPOINT does not use /etc/parley/parley.toml")
check(re.search(rf'VOLUME \["{re.escape(image_db_dir)}"\]', dockerfile), f"Dockerfile: no VOLUME for the database directory {image_db_dir}")

# --- docker compose ----------------------------------------------------------------
compose = documents.get("docker-compose.yml", [{}])[0]
service = compose.get("services", {}).get("parley", {})
check(service, "compose: no `parley` service")
container_ports = [int(str(p).rsplit(":", 1)[1]) for p in service.get("ports", [])]
check(container_ports == [image_port], f"compose: published container ports {container_ports} != [{image_port}]")
mounts = [str(v).split(":") for v in service.get("volumes", [])]
named = [m for m in mounts if m[1] == image_db_dir]
check(named and named[0][0] in (compose.get("volumes") or {}),
      f"compose: no named volume declared and mounted at {image_db_dir}")
for env_file in service.get("env_file", []):
    check(os.path.exists(os.path.join(deploy, env_file + ".example")), f"compose: env_file {env_file} has no {env_file}.example")
example = open(os.path.join(deploy, "parley.env.example")).read()
defined = set(re.findall(r"^([A-Z_]+)=", example, re.M))
check(env_names(image_config) <= defined, f"parley.env.example lacks {sorted(env_names(image_config) - defined)}")
health = " ".join(service.get("healthcheck", {}).get("test", []))
check(f"/dev/tcp/127.0.0.1/{image_port}" in health and re.search(r"GET /(healthz|readyz) ", health),
      "compose: the healthcheck does not probe /healthz or /readyz on the configured port")

# --- Kubernetes --------------------------------------------------------------------
k8s = {}
for name, docs in documents.items():
    if name.startswith("kubernetes" + os.sep):
        for doc in docs:
            k8s.setdefault(doc.get("kind"), []).append((name, doc))
kustomization = k8s.get("Kustomization", [(None, {})])[0][1]
for resource in kustomization.get("resources", []):
    check(os.path.exists(os.path.join(deploy, "kubernetes", resource)), f"kustomization: {resource} does not exist")
(_, configmap), = k8s["ConfigMap"]
(_, deployment), = k8s["Deployment"]
(_, service_k8s), = k8s["Service"]
(_, pvc), = k8s["PersistentVolumeClaim"]
(_, secret), = k8s["Secret"]

toml_path = os.path.join(work, "configmap.toml")
with open(toml_path, "w") as f:
    f.write(configmap["data"]["parley.toml"])
with open(toml_path, "rb") as f:
    k8s_config = tomllib.load(f)
k8s_port = listen_port(k8s_config)

spec = deployment["spec"]
pod = spec["template"]["spec"]
check(spec.get("replicas") == 1, "Deployment: replicas must be 1 (one SQLite writer)")
check(spec.get("strategy", {}).get("type") == "Recreate", "Deployment: strategy must be Recreate (ReadWriteOnce volume)")
check(pvc["spec"]["accessModes"] == ["ReadWriteOnce"], "PVC: accessModes must be [ReadWriteOnce]")
check(spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(), "Deployment: selector does not match the pod labels")
check(service_k8s["spec"]["selector"].items() <= spec["template"]["metadata"]["labels"].items(), "Service: selector does not match the pod labels")
(container,) = pod["containers"]
ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
check(list(ports.values()) == [k8s_port], f"Deployment: containerPort {list(ports.values())} != config listen port {k8s_port}")
resolve = lambda port: ports.get(port, port)
probes = {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}
for probe, path in probes.items():
    get = container.get(probe, {}).get("httpGet", {})
    check(get.get("path") == path, f"Deployment: {probe} path {get.get('path')} != {path}")
    check(resolve(get.get("port")) == k8s_port, f"Deployment: {probe} port {get.get('port')} is not {k8s_port}")
for p in service_k8s["spec"]["ports"]:
    check(resolve(p["targetPort"]) == k8s_port, f"Service: targetPort {p['targetPort']} is not the container's {k8s_port}")
resources = container.get("resources", {})
check(resources.get("requests") and resources.get("limits"), "Deployment: resources need requests and limits")
check(pod.get("securityContext", {}).get("runAsNonRoot") is True, "Deployment: runAsNonRoot is not set")
check(pod.get("terminationGracePeriodSeconds", 30) > k8s_config["server"].get("shutdown_grace_seconds", 10),
      "Deployment: terminationGracePeriodSeconds must exceed server.shutdown_grace_seconds")

volumes = {v["name"]: v for v in pod["volumes"]}
mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
config_arg = container["args"][container["args"].index("--config") + 1]
config_volume = [n for n, v in volumes.items() if v.get("configMap", {}).get("name") == configmap["metadata"]["name"]]
check(config_volume and os.path.join(mounts.get(config_volume[0], ""), "parley.toml") == config_arg,
      f"Deployment: --config {config_arg} is not where the ConfigMap is mounted")
data_volume = [n for n, v in volumes.items() if v.get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"]]
db_dir = os.path.dirname(k8s_config["storage"]["path"])
check(data_volume and mounts.get(data_volume[0]) == db_dir, f"Deployment: the PVC is not mounted at the database directory {db_dir}")

secret_refs = {}
for env in container.get("env", []):
    ref = env.get("valueFrom", {}).get("secretKeyRef")
    if ref:
        secret_refs[env["name"]] = ref
        check(ref["name"] == secret["metadata"]["name"] and ref["key"] in secret.get("stringData", {}),
              f"Deployment: {env['name']} refers to a Secret key secret.example.yaml does not have")
check(env_names(k8s_config) <= secret_refs.keys(), f"Deployment: no secretKeyRef for {sorted(env_names(k8s_config) - secret_refs.keys())}")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print("ok: compose, Dockerfile and Kubernetes manifests agree with the configuration")
PY

PARLEY_API_KEY=test-key "$parleyd" --config "$work/configmap.toml" --check-config
echo "ok: the Kubernetes ConfigMap's parley.toml is a valid configuration"
