"""The day-2 forms' and buttons' URLs, under /servers/<id>/ (included by vms.urls)."""

from django.urls import path

from . import views

S = "<osid:server_id>"

urlpatterns = [
    path(f"{S}/console-log/", views.ConsoleLog.as_view(), name="console_log"),
    path(f"{S}/console-log/text/", views.ConsoleLogText.as_view(), name="console_log_text"),
    path(f"{S}/resize/", views.Resize.as_view(), name="resize"),
    path(f"{S}/rebuild/", views.Rebuild.as_view(), name="rebuild"),
    path(f"{S}/snapshot/", views.Snapshot.as_view(), name="snapshot"),
    path(f"{S}/rename/", views.Rename.as_view(), name="rename"),
    path(f"{S}/security-groups/", views.AddSecurityGroup.as_view(), name="security_groups"),
    path(f"{S}/security-groups/<osid:group_id>/remove/", views.RemoveSecurityGroup.as_view(),
         name="group_remove"),
    path(f"{S}/interfaces/", views.AttachInterface.as_view(), name="interfaces"),
    path(f"{S}/interfaces/<osid:port_id>/detach/", views.DetachInterface.as_view(),
         name="interface_detach"),
    path(f"{S}/floating-ips/", views.AssociateFloatingIp.as_view(), name="floating_ips"),
    path(f"{S}/floating-ips/<osid:fip_id>/disassociate/",
         views.DisassociateFloatingIp.as_view(), name="fip_disassociate"),
]
