// The launch form's boot source: show only the fields the chosen source uses (size and
// delete-on-termination for a new volume, the volume or the snapshot to boot from, the
// image for an image or a new volume). Without JavaScript every field shows and the
// server checks them all the same.
(function () {
  "use strict";
  var USES = {
    image: ["image"],
    new_volume: ["image", "volume_size", "delete_on_termination"],
    volume: ["boot_volume", "delete_on_termination"],
    snapshot: ["boot_snapshot", "delete_on_termination"]
  };
  var ALL = ["image", "volume_size", "delete_on_termination", "boot_volume", "boot_snapshot"];

  function wrapper(name) {
    var input = document.getElementById("id_" + name);
    return input ? input.closest(".field") : null;
  }

  function apply(select) {
    var shown = USES[select.value] || USES.image;
    ALL.forEach(function (name) {
      var field = wrapper(name);
      if (field) { field.hidden = shown.indexOf(name) < 0; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_boot_source");
    if (!select) { return; }    // no Cinder in the catalog: no boot source
    select.addEventListener("change", function () { apply(select); });
    apply(select);
  });
})();
