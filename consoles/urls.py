app_name = "consoles"

urlpatterns: list = []
