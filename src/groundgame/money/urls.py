from django.urls import URLPattern, URLResolver

app_name = "money"

urlpatterns: list[URLPattern | URLResolver] = []
