app_name = "vms"

urlpatterns: list = []
