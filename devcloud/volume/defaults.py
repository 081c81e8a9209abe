"""What devcloud's Cinder is: its availability zone, volume service host, default volume
type (the service and its notifications both say them)."""

import uuid

AZ = "nova"
HOST = "devcloud@fake#fake"  # os-vol-host-attr:host: host@backend#pool
DEFAULT_TYPE = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "devcloud/volume-type/__DEFAULT__")),
                "name": "__DEFAULT__", "is_public": True, "description": "Default Volume Type",
                "extra_specs": {}, "os-volume-type-access:is_public": True}
SERVICE_UUID = str(uuid.uuid5(uuid.NAMESPACE_URL, "devcloud/cinder-volume"))
