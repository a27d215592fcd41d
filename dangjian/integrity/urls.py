from django.urls import path

from dangjian.integrity import views

app_name = "integrity"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:signal>/", views.signal_detail, name="signal"),
    path("scan/", views.scan, name="scan"),
]
