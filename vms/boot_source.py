"""The launch form's "Boot source": an image (the flavor's disk), a new volume made from the
image (its size, and whether it goes with the server), an existing bootable volume, or a
volume snapshot. Offered only when the catalog has Cinder (options["cinder"]).

The checks Nova and Cinder would make are made here first, so the message is beside the
field the person chose, and nothing is sent that would be half-made: size at least the
image's min_disk (and its bytes), a volume that is bootable and available, and the
project's volume count and gigabytes left (Cinder's quota; Nova would only find out in the
build and end the server in ERROR).
"""

from django import forms

IMAGE, NEW_VOLUME, VOLUME, SNAPSHOT = "image", "new_volume", "volume", "snapshot"
CHOICES = [(IMAGE, "Image (on the flavor's disk)"),
           (NEW_VOLUME, "New volume from the image"),
           (VOLUME, "Existing bootable volume"),
           (SNAPSHOT, "Volume snapshot (a new volume is made from it)")]
FIELDS = ("boot_source", "volume_size", "delete_on_termination", "boot_volume",
          "boot_snapshot")
GB = 1024 ** 3


def _volume_label(v: dict) -> str:
    traits = [f"{v['size']} GB", v.get("status") or "?"]
    if str(v.get("bootable")).lower() != "true":
        traits.append("not bootable")
    return f"{v.get('name') or v['id']} ({', '.join(traits)})"


def add_fields(form) -> None:
    """The boot source fields, after the image; none when there is no Cinder."""
    o = form.options
    if not o.get("cinder"):
        return
    f = form.fields
    # not required: a form sent without it (an older page, a script) boots from the image
    f["boot_source"] = forms.ChoiceField(label="Boot source", choices=CHOICES,
                                         initial=IMAGE, required=False)
    f["volume_size"] = forms.IntegerField(
        label="Volume size (GB)", required=False,
        help_text="For a new volume: at least the image's minimum disk. Empty: that minimum "
                  "(1 GB at least).")
    # off unless asked (as Horizon has it): an existing volume is the person's data
    f["delete_on_termination"] = forms.BooleanField(
        label="Delete the volume when the server is deleted", required=False, initial=False)
    f["boot_volume"] = forms.ChoiceField(
        label="Bootable volume", required=False,
        choices=[("", "—")] + [(v["id"], _volume_label(v)) for v in o["volumes"]])
    f["boot_snapshot"] = forms.ChoiceField(
        label="Volume snapshot", required=False,
        choices=[("", "—")] + [(s["id"], f"{s.get('name') or s['id']} ({s['size']} GB)")
                               for s in o["snapshots"]])
    order = list(f)
    after = order.index("image") + 1
    rest = [n for n in order if n not in FIELDS]
    form.fields = {n: f[n] for n in rest[:after] + list(FIELDS) + rest[after:]}


def image_min_gb(image) -> int:
    """The smallest volume the image fits: its min_disk, its bytes rounded up, 1 GB."""
    size_gb = -(-(getattr(image, "size", None) or 0) // GB)
    return max(1, size_gb, getattr(image, "min_disk", None) or 0)


def clean(form, data: dict) -> None:
    """The boot source's checks, each error on the field it is about."""
    source = data.get("boot_source") or IMAGE
    data["boot_source"] = source
    if source == NEW_VOLUME:
        _clean_new_volume(form, data)
    elif source == VOLUME:
        _clean_volume(form, data)
    elif source == SNAPSHOT:
        _clean_snapshot(form, data)


def _image_of(form, data):
    return next((i for i in form.options["images"] if i.id == data.get("image")), None)


def _clean_new_volume(form, data: dict) -> None:
    image = _image_of(form, data)
    if image is None:
        return  # the image field has its own error
    least = image_min_gb(image)
    size = data.get("volume_size")
    if size is None:
        size = data["volume_size"] = least
    if size < 1:
        form.add_error("volume_size", "A volume is at least 1 GB.")
    elif size < least:
        form.add_error("volume_size", f"The image {image.name or image.id} needs a volume of "
                                      f"at least {least} GB.")
    else:
        _check_quota(form, data, "volume_size", size)


def _clean_volume(form, data: dict) -> None:
    ref = data.get("boot_volume")
    vol = next((v for v in form.options["volumes"] if v["id"] == ref), None)
    if vol is None:
        form.add_error("boot_volume", "Choose the volume to boot from.")
    elif str(vol.get("bootable")).lower() != "true":
        form.add_error("boot_volume", f"The volume {vol.get('name') or vol['id']} is not "
                                      "bootable: make it bootable on the volumes page, or "
                                      "choose another.")
    elif vol.get("status") != "available":
        form.add_error("boot_volume", f"The volume {vol.get('name') or vol['id']} is "
                                      f"{vol.get('status')}: a server boots only from an "
                                      "available volume (detach it first).")
    elif data.get("count", 1) > 1:
        form.add_error("count", "One volume boots one server: launch 1.")


def _clean_snapshot(form, data: dict) -> None:
    ref = data.get("boot_snapshot")
    snap = next((s for s in form.options["snapshots"] if s["id"] == ref), None)
    if snap is None:
        form.add_error("boot_snapshot", "Choose the snapshot to boot from.")
    elif snap.get("status") != "available":
        form.add_error("boot_snapshot", f"The snapshot is {snap.get('status')}: choose an "
                                        "available one.")
    else:
        _check_quota(form, data, "boot_snapshot", snap["size"])


def _check_quota(form, data: dict, field: str, size: int) -> None:
    """Each server gets its own volume: `count` more volumes and count × size GB."""
    quota = form.options.get("volume_quota") or {}
    count = data.get("count") or 1
    volumes, gigabytes = quota.get("volumes") or {}, quota.get("gigabytes") or {}
    if volumes.get("left") is not None and count > volumes["left"]:
        form.add_error(field, f"Your project may make {volumes['left']} more volume(s) "
                              f"({volumes['used']} of {volumes['limit']} in use): this "
                              f"launch needs {count}.")
    elif gigabytes.get("left") is not None and count * size > gigabytes["left"]:
        form.add_error(field, f"Only {gigabytes['left']} GB of the project's "
                              f"{gigabytes['limit']} GB of volumes are left: this launch "
                              f"needs {count * size} GB.")


def server_attrs(data: dict) -> dict:
    """create_server's image_id / block_device_mapping for the chosen source (openstacksdk
    sends block_device_mapping as block_device_mapping_v2)."""
    source = data.get("boot_source") or IMAGE
    if source == IMAGE:
        return {"image_id": data["image"]}
    delete = bool(data.get("delete_on_termination"))
    if source == NEW_VOLUME:
        bdm = {"source_type": "image", "uuid": data["image"],
               "volume_size": data["volume_size"]}
    elif source == VOLUME:
        bdm = {"source_type": "volume", "uuid": data["boot_volume"]}
    else:
        bdm = {"source_type": "snapshot", "uuid": data["boot_snapshot"]}
    bdm.update(boot_index=0, destination_type="volume", delete_on_termination=delete)
    return {"image_id": "", "block_device_mapping": [bdm]}


def describe(data: dict, options: dict) -> str:
    """The timeline's "Root volume requested" detail; "" for an image boot."""
    source = data.get("boot_source") or IMAGE
    keep = ("deleted with the server" if data.get("delete_on_termination")
            else "kept after the server is deleted")
    if source == NEW_VOLUME:
        image = next((i for i in options["images"] if i.id == data["image"]), None)
        name = (image.name if image else None) or data["image"]
        return f"new {data['volume_size']} GB volume from image {name}, {keep}"
    if source == VOLUME:
        vol = next((v for v in options["volumes"] if v["id"] == data["boot_volume"]), {})
        return f"existing volume {vol.get('name') or data['boot_volume']}, {keep}"
    if source == SNAPSHOT:
        snap = next((s for s in options["snapshots"] if s["id"] == data["boot_snapshot"]),
                    {})
        return f"new volume from snapshot {snap.get('name') or data['boot_snapshot']}, {keep}"
    return ""
