"""A local fake of the Google Cloud APIs kubeplane's GCP node scripts call, for exactly those calls:
the Compute Engine metadata server (one per simulated VM, under /vm/<name>/computeMetadata/v1),
Secret Manager's REST API v1 (/secretmanager/v1), the Cloud Storage JSON API's object download
(/storage/v1) and two Compute Engine API methods (/compute/v1). The node scripts reach it through
KUBEPLANE_GCP_METADATA_URL, KUBEPLANE_GCP_SECRET_MANAGER_URL, KUBEPLANE_GCP_STORAGE_URL and
KUBEPLANE_GCP_COMPUTE_URL. Each behaviour cites the reference page it follows. /_fake/* is the
test's own control API (VMs, objects, what happened), no Google API.

Usage: gcp-fake-server.py  (prints {"port": N} on its first line, then serves until killed)
"""
import base64
import binascii
import json
import re
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROJECT_ID = "kubeplane-sim"
PROJECT_NUMBER = "480154712953"
# The token of an operator (what `gcloud auth print-access-token` would print) for the test.
OPERATOR_TOKEN = "ya29.fake-operator"

LOCK = threading.Lock()
VMS = {}  # name -> dict
TOKENS = {OPERATOR_TOKEN: "operator"}
SECRETS = {}  # secret id -> dict
OBJECTS = {}  # (bucket, object) -> list of bytes, generation = index + 1
RECREATIONS = []  # recreateInstances calls
REQUESTS = []  # (method, path, who) of every Google API call
COUNTER = [1000]


def next_number():
    COUNTER[0] += 1
    return COUNTER[0]


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".%06dZ" % (int(time.time() * 1e6) % 1000000)


def new_etag():
    # Secret Manager's etags are quoted strings, e.g. "\"16261c5a5e0d1f\"" (Secret.etag,
    # https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#Secret).
    return '"%x"' % (int(time.time() * 1e6) * 1000 + next_number() % 1000)


def crc32c(data):
    # CRC32C (Castagnoli), which SecretPayload.dataCrc32c carries as an int64 string
    # (https://cloud.google.com/secret-manager/docs/reference/rest/v1/SecretPayload).
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


class ApiError(Exception):
    """Google's error model (https://cloud.google.com/apis/design/errors#http_mapping):
    {"error": {"code": 404, "message": "...", "status": "NOT_FOUND"}}."""

    def __init__(self, code, status, message):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def not_found(message):
    return ApiError(404, "NOT_FOUND", message)


def invalid(message):
    return ApiError(400, "INVALID_ARGUMENT", message)


def failed_precondition(message):
    return ApiError(400, "FAILED_PRECONDITION", message)


SECRET_ID = re.compile(r"^[a-zA-Z0-9_-]{1,255}$")
# Secret.labels: keys [\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}, values [\p{Ll}\p{Lo}\p{N}_-]{0,63}
# (ASCII here); Secret.annotations: keys [a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?, keys and
# values together less than 16 KiB (projects.secrets#Secret).
LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
ANNOTATION_KEY = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$")


def check_labels_and_annotations(body):
    for key, value in (body.get("labels") or {}).items():
        if not LABEL_KEY.match(key) or not isinstance(value, str) or not LABEL_VALUE.match(value):
            raise invalid("Invalid label: %s=%s" % (key, value))
    annotations = body.get("annotations") or {}
    size = 0
    for key, value in annotations.items():
        if not ANNOTATION_KEY.match(key) or not isinstance(value, str):
            raise invalid("Invalid annotation key: %s" % key)
        size += len(key.encode()) + len(value.encode())
    if size >= 16 * 1024:
        raise invalid("Annotations exceed the 16 KiB limit")


def secret_view(secret_id, secret):
    view = {k: v for k, v in secret.items() if k not in ("versions",)}
    view["name"] = "projects/%s/secrets/%s" % (PROJECT_NUMBER, secret_id)
    return view


def version_view(secret_id, version):
    view = {
        "name": "projects/%s/secrets/%s/versions/%d" % (PROJECT_NUMBER, secret_id, version["number"]),
        "createTime": version["createTime"],
        "state": version["state"],
        "etag": version["etag"],
        "replicationStatus": {"automatic": {}},
    }
    if version["state"] == "DESTROYED":
        view["destroyTime"] = version["destroyTime"]
    return view


class SecretManager:
    """projects.secrets and projects.secrets.versions
    (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets)."""

    @staticmethod
    def handle(method, parts, query, body, caller):
        # parts: ["projects", <project>, "secrets", ...]
        if len(parts) < 3 or parts[0] != "projects" or parts[2].split(":")[0] != "secrets":
            raise not_found("The requested URL was not found on this server.")
        project = parts[1]
        rest = parts[2:]
        if project not in (PROJECT_ID, PROJECT_NUMBER):
            # A project the caller may not use: PERMISSION_DENIED, the message every resource
            # gets that the caller cannot see ("or it may not exist").
            raise ApiError(403, "PERMISSION_DENIED", "Permission 'secretmanager.secrets.get' denied for resource 'projects/%s/secrets/%s' (or it may not exist)." % (project, "/".join(rest[1:]) or "-"))
        if rest == ["secrets"] and method == "POST":
            return SecretManager.create(query, body)
        if rest == ["secrets"] and method == "GET":
            return SecretManager.list(query)
        if len(rest) == 2:
            secret_id, _, verb = rest[1].partition(":")
            if verb == "addVersion" and method == "POST":
                return SecretManager.add_version(secret_id, body)
            if verb == "" and method == "GET":
                if caller in VMS and VMS[caller]["denySecretGet"]:
                    # A caller without secretmanager.secrets.get (a role with versions.access only,
                    # roles/secretmanager.secretAccessor) is refused whether or not the secret exists.
                    raise ApiError(403, "PERMISSION_DENIED", "Permission 'secretmanager.secrets.get' denied for resource 'projects/%s/secrets/%s' (or it may not exist)." % (project, secret_id))
                return secret_view(secret_id, SecretManager.secret(secret_id))
            if verb == "" and method == "PATCH":
                return SecretManager.patch(secret_id, query, body)
            if verb == "" and method == "DELETE":
                return SecretManager.delete(secret_id, query)
        if len(rest) == 4 and rest[2] == "versions":
            secret_id = rest[1]
            version, _, verb = rest[3].partition(":")
            if verb == "access" and method == "GET":
                return SecretManager.access(secret_id, version)
            if verb == "destroy" and method == "POST":
                return SecretManager.destroy(secret_id, version)
        raise not_found("The requested URL was not found on this server.")

    @staticmethod
    def secret(secret_id):
        secret = SECRETS.get(secret_id)
        if secret is None:
            raise not_found("Secret [projects/%s/secrets/%s] not found." % (PROJECT_NUMBER, secret_id))
        return secret

    @staticmethod
    def create(query, body):
        # projects.secrets.create: secretId must match [a-zA-Z_0-9-]{1,255}; replication is
        # required; ALREADY_EXISTS (409) for an id taken
        # (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create).
        secret_id = query.get("secretId", [""])[0]
        if not SECRET_ID.match(secret_id):
            raise invalid("Secret id [%s] is invalid. It must be at most 255 characters long and contain only letters, digits, underscores and hyphens." % secret_id)
        replication = body.get("replication")
        if not isinstance(replication, dict) or not (("automatic" in replication) ^ ("userManaged" in replication)):
            raise invalid("Secret.replication is required: exactly one of automatic or userManaged.")
        check_labels_and_annotations(body)
        if secret_id in SECRETS:
            raise ApiError(409, "ALREADY_EXISTS", "Secret [projects/%s/secrets/%s] already exists." % (PROJECT_NUMBER, secret_id))
        SECRETS[secret_id] = {
            "replication": replication,
            "createTime": now_rfc3339(),
            "labels": body.get("labels") or {},
            "annotations": body.get("annotations") or {},
            "etag": new_etag(),
            "versions": [],
        }
        return secret_view(secret_id, SECRETS[secret_id])

    @staticmethod
    def list(query):
        # projects.secrets.list: pageSize (at most 25000), pageToken, nextPageToken; totalSize.
        size = int(query.get("pageSize", ["25000"])[0])
        start = int(query.get("pageToken", ["0"])[0] or "0")
        ids = sorted(SECRETS)
        page = ids[start : start + size]
        answer = {"secrets": [secret_view(i, SECRETS[i]) for i in page], "totalSize": len(ids)}
        if start + size < len(ids):
            answer["nextPageToken"] = str(start + size)
        return answer

    @staticmethod
    def patch(secret_id, query, body):
        # projects.secrets.patch: updateMask is required; the etag in the body, when given, must
        # be the current one (https://cloud.google.com/secret-manager/docs/etags: FAILED_PRECONDITION).
        secret = SecretManager.secret(secret_id)
        mask = [f for f in query.get("updateMask", [""])[0].split(",") if f]
        if not mask:
            raise invalid("update_mask is required.")
        for field in mask:
            if field not in ("labels", "annotations", "ttl", "expireTime", "topics", "rotation", "versionAliases"):
                raise invalid("Invalid field in update_mask: %s" % field)
        if body.get("etag") not in (None, secret["etag"]):
            raise failed_precondition("The etag provided in the request does not match the etag of the secret.")
        check_labels_and_annotations(body)
        for field in mask:
            secret[field] = body.get(field) or {}
        secret["etag"] = new_etag()
        return secret_view(secret_id, secret)

    @staticmethod
    def delete(secret_id, query):
        # projects.secrets.delete: the etag query parameter, when given, must match
        # (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/delete;
        # a mismatch is FAILED_PRECONDITION, HTTP 400: https://cloud.google.com/secret-manager/docs/etags).
        secret = SecretManager.secret(secret_id)
        etag = query.get("etag", [None])[0]
        if etag is not None and etag != secret["etag"]:
            raise failed_precondition("The etag provided in the request does not match the etag of the secret.")
        del SECRETS[secret_id]
        return {}

    @staticmethod
    def add_version(secret_id, body):
        # projects.secrets.addVersion: payload.data is base64 (bytes), at most 64 KiB; NOT_FOUND
        # for a secret that does not exist
        # (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/addVersion).
        secret = SecretManager.secret(secret_id)
        data = (body.get("payload") or {}).get("data")
        if not isinstance(data, str):
            raise invalid("SecretPayload.data is required.")
        try:
            raw = base64.b64decode(data, validate=True)
        except binascii.Error:
            raise invalid("Invalid value at 'payload.data' (TYPE_BYTES), Base64 decoding failed.")
        if len(raw) > 65536:
            raise invalid("Secret Payload cannot be larger than 64KiB.")
        version = {"number": len(secret["versions"]) + 1, "data": raw, "state": "ENABLED", "createTime": now_rfc3339(), "etag": new_etag()}
        secret["versions"].append(version)
        return version_view(secret_id, version)

    @staticmethod
    def version(secret_id, version):
        secret = SecretManager.secret(secret_id)
        versions = secret["versions"]
        # "latest" is the most recently created version, whatever its state
        # (projects.secrets.versions/access: "projects/*/secrets/*/versions/latest").
        if version == "latest":
            if not versions:
                raise not_found("Secret Version [projects/%s/secrets/%s/versions/latest] not found." % (PROJECT_NUMBER, secret_id))
            return versions[-1]
        if not version.isdigit() or not 1 <= int(version) <= len(versions):
            raise not_found("Secret Version [projects/%s/secrets/%s/versions/%s] not found." % (PROJECT_NUMBER, secret_id, version))
        return versions[int(version) - 1]

    @staticmethod
    def access(secret_id, version_name):
        # projects.secrets.versions.access: {name, payload: {data (base64), dataCrc32c}}; a
        # version that is not ENABLED is FAILED_PRECONDITION ("Secret Version [...] is in
        # DESTROYED state.", as google-github-actions/get-secretmanager-secrets#268 shows).
        version = SecretManager.version(secret_id, version_name)
        if version["state"] != "ENABLED":
            raise failed_precondition("Secret Version [projects/%s/secrets/%s/versions/%d] is in %s state." % (PROJECT_NUMBER, secret_id, version["number"], version["state"]))
        return {
            "name": "projects/%s/secrets/%s/versions/%d" % (PROJECT_NUMBER, secret_id, version["number"]),
            "payload": {"data": base64.b64encode(version["data"]).decode(), "dataCrc32c": str(crc32c(version["data"]))},
        }

    @staticmethod
    def destroy(secret_id, version_name):
        # projects.secrets.versions.destroy: the data is gone for good, state DESTROYED; a
        # version destroyed already is FAILED_PRECONDITION.
        version = SecretManager.version(secret_id, version_name)
        if version["state"] == "DESTROYED":
            raise failed_precondition("Secret Version [projects/%s/secrets/%s/versions/%d] is already in DESTROYED state." % (PROJECT_NUMBER, secret_id, version["number"]))
        version.update(state="DESTROYED", data=b"", destroyTime=now_rfc3339(), etag=new_etag())
        return version_view(secret_id, version)


LABEL_TERM = re.compile(r'^labels\.([a-z0-9_-]+)\s*=\s*"?([a-z0-9_-]*)"?$')


def compute(method, parts, query, body):
    # parts after /compute/v1: ["projects", p, ...]
    if len(parts) < 3 or parts[0] != "projects" or parts[1] not in (PROJECT_ID, PROJECT_NUMBER):
        raise ApiError(403, "PERMISSION_DENIED", "Required 'compute.instances.list' permission for 'projects/%s'" % (parts[1] if len(parts) > 1 else "-"))
    rest = parts[2:]
    if rest == ["aggregated", "instances"] and method == "GET":
        # instances.aggregatedList: items keyed by "zones/<zone>", each {instances: [...]} or a
        # warning for a zone without any; filter "labels.KEY = \"VALUE\" AND ..." (the subset of
        # the filter syntax used here: https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList).
        terms = []
        expression = query.get("filter", [""])[0].strip()
        if expression:
            for term in re.split(r"\s+AND\s+", expression):
                match = LABEL_TERM.match(term.strip().strip("()"))
                if not match:
                    raise invalid("Invalid value for field 'filter': '%s'. Invalid list filter expression." % expression)
                terms.append(match.groups())
        items = {}
        for vm in VMS.values():
            if all(vm["labels"].get(k) == v for k, v in terms):
                items.setdefault("zones/" + vm["zone"], {"instances": []})["instances"].append({
                    "kind": "compute#instance", "id": vm["id"], "name": vm["name"], "status": vm["status"],
                    "zone": "https://www.googleapis.com/compute/v1/projects/%s/zones/%s" % (PROJECT_ID, vm["zone"]),
                    "labels": vm["labels"], "networkInterfaces": [{"name": "nic0", "networkIP": vm["ip"]}],
                })
        items.setdefault("zones/europe-west1-d", {"warning": {"code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope 'zones/europe-west1-d' on this page."}})
        return {"kind": "compute#instanceAggregatedList", "id": "projects/%s/aggregated/instances" % PROJECT_ID, "items": items}
    if len(rest) == 5 and rest[0] in ("zones", "regions") and rest[2] == "instanceGroupManagers" and rest[4] == "recreateInstances" and method == "POST":
        # (region)InstanceGroupManagers.recreateInstances: body {"instances": ["zones/Z/instances/N", ...]},
        # answered with an Operation (https://cloud.google.com/compute/docs/reference/rest/v1/regionInstanceGroupManagers/recreateInstances).
        group = "/".join(rest[:4])
        members = [vm for vm in VMS.values() if vm.get("createdBy", "").endswith("/" + group)]
        if not members:
            raise ApiError(404, "NOT_FOUND", "The resource 'projects/%s/%s' was not found" % (PROJECT_ID, group))
        instances = body.get("instances")
        if not isinstance(instances, list) or not instances:
            raise invalid("Invalid value for field 'resource.instances': ''. No instances specified.")
        for instance in instances:
            if not any(instance.endswith("zones/%s/instances/%s" % (vm["zone"], vm["name"])) for vm in members):
                raise invalid("Invalid value for field 'resource.instances[0]': '%s'. The instance is not a member of the group." % instance)
        RECREATIONS.append({"group": group, "instances": instances})
        return {"kind": "compute#operation", "id": str(next_number()), "name": "operation-%d" % next_number(), "operationType": "recreateInstances",
                "status": "RUNNING", "progress": 0, "targetLink": "https://www.googleapis.com/compute/v1/projects/%s/%s" % (PROJECT_ID, group)}
    raise not_found("The requested URL was not found on this server.")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
        # for the client's delayed ACK (40 ms a call).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def reply(self, code, body, content_type="application/json; charset=UTF-8", headers=None):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def caller(self):
        """The caller of a Google API from its bearer token: UNAUTHENTICATED (401) without one, or
        with one that is not a live token (https://cloud.google.com/docs/authentication/rest)."""
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            raise ApiError(401, "UNAUTHENTICATED", "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")
        who = TOKENS.get(header[len("Bearer "):])
        if who is None:
            raise ApiError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
        return who

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        raw = self.body()
        try:
            with LOCK:
                if url.path.startswith("/vm/"):
                    return self.metadata(method, url.path, query, raw)
                if url.path.startswith("/_fake/"):
                    return self.control(method, url.path[len("/_fake/"):], query, raw)
                # Path segments are percent-decoded one by one (a GCS object name holds %2F).
                parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
                if parts[:2] == ["storage", "v1"]:
                    return self.storage(method, parts[2:], query)
                who = self.caller()
                REQUESTS.append({"method": method, "path": url.path, "who": who})
                body = {}
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        raise invalid("Invalid JSON payload received.")
                if parts[:2] == ["secretmanager", "v1"]:
                    return self.reply(200, SecretManager.handle(method, parts[2:], query, body, who))
                if parts[:2] == ["compute", "v1"]:
                    return self.reply(200, compute(method, parts[2:], query, body))
                raise not_found("The requested URL was not found on this server.")
        except ApiError as e:
            self.reply(e.code, {"error": {"code": e.code, "message": e.message, "status": e.status}})

    def metadata(self, method, path, query, raw):
        # The metadata server of one VM: /vm/<name>/computeMetadata/v1/<key>. It answers only
        # requests with "Metadata-Flavor: Google" and none with X-Forwarded-For, and marks its
        # answers with the same header ("Query VM metadata", Parts of a metadata request:
        # https://cloud.google.com/compute/docs/metadata/querying-metadata).
        match = re.match(r"^/vm/([^/]+)/computeMetadata/v1/(.*)$", path)
        vm = VMS.get(match.group(1)) if match else None
        if vm is None:
            return self.reply(404, "404 page not found\n", "text/plain; charset=utf-8")
        if self.headers.get("Metadata-Flavor") != "Google" or self.headers.get("X-Forwarded-For"):
            return self.reply(403, "Your client does not have permission to get URL /computeMetadata/v1/%s from this server. Missing Metadata-Flavor:Google header.\n" % match.group(2), "text/html; charset=UTF-8")
        key = match.group(2)
        flavor = {"Metadata-Flavor": "Google"}
        guest = re.match(r"^instance/guest-attributes/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)$", key)
        if guest and method == "PUT":
            # Guest attributes: written from within the VM with PUT, the body the value
            # ("Set guest attributes": https://cloud.google.com/compute/docs/metadata/manage-guest-attributes),
            # only when the VM has enable-guest-attributes=TRUE (else the server refuses).
            if not vm["guestAttributesEnabled"]:
                return self.reply(400, "Guest attributes endpoint access is disabled.\n", "text/plain; charset=utf-8", flavor)
            vm["guestAttributes"]["%s/%s" % guest.groups()] = raw.decode()
            return self.reply(200, "", "application/text", flavor)
        if method != "GET":
            return self.reply(405, "Method not allowed\n", "text/plain; charset=utf-8", flavor)
        if guest:
            value = vm["guestAttributes"].get("%s/%s" % guest.groups())
        elif key == "instance/service-accounts/default/token":
            # {"access_token": ..., "expires_in": seconds, "token_type": "Bearer"}
            # ("Authenticate workloads using service accounts": the metadata server's token).
            value = json.dumps({"access_token": vm["token"], "expires_in": 3599, "token_type": "Bearer"})
        else:
            value = {
                "instance/id": vm["id"],
                "instance/name": vm["name"],
                "instance/hostname": "%s.%s.c.%s.internal" % (vm["name"], vm["zone"], PROJECT_ID),
                "instance/zone": "projects/%s/zones/%s" % (PROJECT_NUMBER, vm["zone"]),
                "instance/network-interfaces/0/ip": vm["ip"],
                "instance/preempted": "TRUE" if vm["preempted"] else "FALSE",
                "project/project-id": PROJECT_ID,
                "project/numeric-project-id": PROJECT_NUMBER,
                "instance/attributes/created-by": vm.get("createdBy"),
            }.get(key)
        if value is None:
            return self.reply(404, "<!DOCTYPE html>\n<html lang=en>\n  <title>Error 404 (Not Found)!!1</title>\n", "text/html; charset=UTF-8", flavor)
        return self.reply(200, value, "application/json" if key.endswith("/token") else "application/text", flavor)

    def storage(self, method, parts, query):
        # objects.get of the Cloud Storage JSON API: /storage/v1/b/<bucket>/o/<object, percent-
        # encoded>, the object's data with alt=media, a given generation with generation=N
        # (https://cloud.google.com/storage/docs/json_api/v1/objects/get). Its errors carry
        # "errors" with a reason, no "status" (https://cloud.google.com/storage/docs/json_api/v1/status-codes).
        def error(code, reason, message):
            return self.reply(code, {"error": {"code": code, "message": message, "errors": [{"message": message, "domain": "global", "reason": reason}]}})

        if method != "GET" or len(parts) != 4 or parts[0] != "b" or parts[2] != "o":
            return error(404, "notFound", "Not Found")
        bucket, name = parts[1], parts[3]
        try:
            self.caller()
        except ApiError:
            return error(401, "required", "Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).")
        generations = OBJECTS.get((bucket, name))
        wanted = query.get("generation", [None])[0]
        if not generations or (wanted is not None and not (wanted.isdigit() and 1 <= int(wanted) <= len(generations))):
            return error(404, "notFound", "No such object: %s/%s" % (bucket, name))
        generation = int(wanted) if wanted is not None else len(generations)
        data = generations[generation - 1]
        if query.get("alt", ["json"])[0] == "media":
            return self.reply(200, data, "application/octet-stream", {"x-goog-generation": str(generation)})
        return self.reply(200, {"kind": "storage#object", "bucket": bucket, "name": name, "generation": str(generation), "size": str(len(data))})

    def control(self, method, path, query, raw):
        body = json.loads(raw) if raw else {}
        if path == "vm" and method == "POST":
            name = body["name"]
            vm = {
                "name": name, "id": str(body.get("id") or 4000000000000000000 + next_number()), "zone": body.get("zone", "europe-west1-b"),
                "ip": body.get("ip", "10.0.0.%d" % (len(VMS) + 10)), "token": "ya29.fake-vm-%s-%d" % (name, next_number()),
                "labels": body.get("labels", {}), "status": body.get("status", "RUNNING"), "preempted": False,
                "guestAttributesEnabled": body.get("guestAttributes", True), "guestAttributes": {},
                "denySecretGet": body.get("denySecretGet", False),
            }
            if body.get("createdBy"):
                vm["createdBy"] = body["createdBy"]
            VMS[name] = vm
            TOKENS[vm["token"]] = name
            return self.reply(200, vm)
        match = re.match(r"^vm/([^/]+)(/preempt|/status)?$", path)
        if match and match.group(1) in VMS:
            vm = VMS[match.group(1)]
            if match.group(2) == "/preempt":
                vm["preempted"] = True
            elif match.group(2) == "/status":
                vm["status"] = body["status"]
            return self.reply(200, vm)
        if path == "object" and method == "POST":
            generations = OBJECTS.setdefault((body["bucket"], body["object"]), [])
            generations.append(base64.b64decode(body["data"]))
            return self.reply(200, {"generation": len(generations)})
        if path == "state":
            secrets = {i: {**secret_view(i, s), "versions": [{**version_view(i, v), "data": base64.b64encode(v["data"]).decode()} for v in s["versions"]]} for i, s in SECRETS.items()}
            return self.reply(200, {"secrets": secrets, "recreations": RECREATIONS, "requests": REQUESTS, "project": PROJECT_ID, "projectNumber": PROJECT_NUMBER, "operatorToken": OPERATOR_TOKEN})
        return self.reply(404, {"error": "no such control path"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
